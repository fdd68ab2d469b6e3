package io.discoverygateway.stream;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.EndpointSliceResource;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.SnapshotEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * When a live change is a PATCHED event, and what it lists: on snapshots of a real
 * catalog.
 */
class EndpointPatchTest {

    private static final ServiceKey KEY = new ServiceKey("ns", "web");

    private static final List<EndpointPort> HTTP = List.of(new EndpointPort("http", 8080, "TCP", null));

    private final Catalog catalog = new Catalog("e", new SnapshotEncoder(JsonMapper.builder().build()),
            Clock.systemUTC());

    @AfterEach
    void close() {
        catalog.close();
    }

    @Test
    void aReadinessFlipIsOneChangedEndpoint() {
        ServiceSnapshot held = state(Map.of(), endpoints(1000, -1));
        ServiceSnapshot current = state(Map.of(), endpoints(1000, 500));

        EndpointPatch patch = EndpointPatch.between(held, current, endpoint -> true).orElseThrow();

        assertThat(patch.endpoints()).extracting(endpoint -> endpoint.addresses().get(0), Endpoint::ready)
            .containsExactly(tuple(address(500), false));
        assertThat(patch.removed()).isEmpty();
    }

    @Test
    void addedAndRemovedEndpointsAreListedInFull() {
        List<Endpoint> before = endpoints(10, -1);
        List<Endpoint> after = new ArrayList<>(before.subList(1, 10));
        after.add(endpoint(address(10), true, HTTP));

        EndpointPatch patch = EndpointPatch.between(state(Map.of(), before), state(Map.of(), after), endpoint -> true)
            .orElseThrow();

        assertThat(patch.endpoints()).containsExactly(after.get(9));
        assertThat(patch.removed()).containsExactly(before.get(0));
    }

    @Test
    void aChangeOfTheServiceItselfIsNoPatch() {
        ServiceSnapshot held = state(Map.of("team", "a"), endpoints(10, -1));
        ServiceSnapshot current = state(Map.of("team", "b"), endpoints(10, 3));

        assertThat(EndpointPatch.between(held, current, endpoint -> true)).isEmpty();
    }

    @Test
    void aPatchLongerThanTheWholeDocumentIsNoPatch() {
        ServiceSnapshot held = state(Map.of(), endpoints(10, -1));
        List<Endpoint> replaced = IntStream.range(100, 110).mapToObj(i -> endpoint(address(i), true, HTTP)).toList();

        assertThat(EndpointPatch.between(held, state(Map.of(), replaced), endpoint -> true)).isEmpty();
    }

    @Test
    void endpointsAClientCannotTellApartAreNoPatch() {
        // Same address and port name and number, different protocols: one key for a
        // client.
        Endpoint tcp = endpoint(address(1), true, HTTP);
        Endpoint udp = endpoint(address(1), true, List.of(new EndpointPort("http", 8080, "UDP", null)));
        ServiceSnapshot held = state(Map.of(), List.of(tcp, udp, endpoint(address(2), true, HTTP)));
        ServiceSnapshot current = state(Map.of(), List.of(tcp, udp, endpoint(address(2), false, HTTP)));

        assertThat(EndpointPatch.between(held, current, endpoint -> true)).isEmpty();
    }

    @Test
    void theKeyIgnoresTheOrderOfPorts() {
        EndpointPort http = new EndpointPort("http", 8080, "TCP", null);
        EndpointPort admin = new EndpointPort("admin", 9090, "TCP", null);

        assertThat(EndpointPatch.key(endpoint(address(1), true, List.of(http, admin))))
            .isEqualTo(EndpointPatch.key(endpoint(address(1), true, List.of(admin, http))));
    }

    @Test
    void anEndpointLeavingThePodSelectorIsRemovedFromThatSubscribersView() {
        ServiceSnapshot held = state(Map.of(), endpoints(10, -1));
        ServiceSnapshot current = state(Map.of(), endpoints(10, 4));

        EndpointPatch patch = EndpointPatch.between(held, current, Endpoint::ready).orElseThrow();

        assertThat(patch.removed()).containsExactly(endpoint(address(4), true, HTTP));
        assertThat(patch.endpoints()).isEmpty();
    }

    /** The service with these labels and endpoints, as the catalog's next snapshot. */
    private ServiceSnapshot state(Map<String, String> labels, List<Endpoint> endpoints) {
        catalog.upsertService(
                new ServiceResource(KEY, "uid", "ClusterIP", List.of(), List.of(), null, List.of(), labels, Map.of()));
        catalog.upsertSlice(new EndpointSliceResource("ns", "web-1", "web", endpoints));
        catalog.afterPending(() -> {
        }).join();
        return catalog.view().find(KEY).orElseThrow();
    }

    private static List<Endpoint> endpoints(int count, int notReady) {
        return IntStream.range(0, count).mapToObj(i -> endpoint(address(i), i != notReady, HTTP)).toList();
    }

    private static Endpoint endpoint(String address, boolean ready, List<EndpointPort> ports) {
        return new Endpoint(List.of(address), "IPv4", ready, true, false, null, null, "zone-a", null, null, ports);
    }

    private static String address(int i) {
        return "10.0." + i / 250 + "." + (i % 250 + 1);
    }

}
