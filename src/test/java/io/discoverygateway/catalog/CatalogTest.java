package io.discoverygateway.catalog;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalog's writer: merging, revisions and change events. */
class CatalogTest {

    private static final ServiceKey WEB = new ServiceKey("ns", "web");

    private final Catalog catalog = new Catalog("e1", new SnapshotEncoder(JsonMapper.builder().build()),
            Clock.systemUTC());

    private final List<ChangeEvent> events = new CopyOnWriteArrayList<>();

    CatalogTest() {
        catalog.addListener((view, changes) -> events.addAll(changes));
    }

    @AfterEach
    void close() {
        catalog.close();
    }

    @Test
    void aServiceAndItsSlicesBecomeOneSnapshotWithEndpointsSorted() throws Exception {
        catalog.upsertService(service("web"));
        catalog.upsertSlice(slice("web-b", endpoint("10.0.0.2", true)));
        catalog.upsertSlice(slice("web-a", endpoint("10.0.0.1", true)));
        settle();

        ServiceSnapshot snapshot = catalog.view().find(WEB).orElseThrow();

        assertThat(snapshot.state().endpoints()).extracting(e -> e.addresses().get(0))
            .containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(snapshot.etag()).isEqualTo("\"e1-" + snapshot.revision() + "\"");
    }

    @Test
    void anEndpointInTwoSlicesIsListedOnce() throws Exception {
        catalog.upsertService(service("web"));
        catalog.upsertSlice(slice("web-a", endpoint("10.0.0.1", true)));
        catalog.upsertSlice(slice("web-b", endpoint("10.0.0.1", false)));
        settle();

        List<Endpoint> endpoints = catalog.view().find(WEB).orElseThrow().state().endpoints();

        assertThat(endpoints).hasSize(1);
        assertThat(endpoints.get(0).ready()).as("the copy of the slice whose name sorts first").isTrue();
    }

    @Test
    void rewritingTheSameStateMakesNoRevisionAndNoEvent() throws Exception {
        catalog.upsertService(service("web"));
        catalog.upsertSlice(slice("web-a", endpoint("10.0.0.1", true)));
        settle();
        long revision = catalog.view().revision();
        int eventCount = events.size();

        catalog.upsertService(service("web"));
        catalog.upsertSlice(slice("web-a", endpoint("10.0.0.1", true)));
        settle();

        assertThat(catalog.view().revision()).isEqualTo(revision);
        assertThat(events).hasSize(eventCount);
    }

    @Test
    void eachRealChangeTakesTheNextRevisionAndDeletionCarriesTheLastState() throws Exception {
        catalog.upsertService(service("web"));
        settle();
        catalog.upsertSlice(slice("web-a", endpoint("10.0.0.1", true)));
        settle();
        catalog.removeService(WEB);
        settle();

        assertThat(events).extracting(ChangeEvent::type)
            .containsExactly(ChangeType.ADDED, ChangeType.MODIFIED, ChangeType.DELETED);
        assertThat(events).extracting(ChangeEvent::revision).containsExactly(1L, 2L, 3L);
        assertThat(events.get(2).snapshot().state().endpoints()).hasSize(1);
        assertThat(catalog.view().find(WEB)).isEmpty();
        assertThat(catalog.view().revision()).isEqualTo(3);
    }

    @Test
    void aSliceThatChangesItsServiceMovesItsEndpoints() throws Exception {
        catalog.upsertService(service("web"));
        catalog.upsertService(service("api"));
        catalog.upsertSlice(slice("shared", endpoint("10.0.0.1", true)));
        settle();

        catalog.upsertSlice(new EndpointSliceResource("ns", "shared", "api", List.of(endpoint("10.0.0.1", true))));
        settle();

        assertThat(catalog.view().find(WEB).orElseThrow().state().endpoints()).isEmpty();
        assertThat(catalog.view().find(new ServiceKey("ns", "api")).orElseThrow().state().endpoints()).hasSize(1);
    }

    @Test
    void theViewListsServicesSortedAndByNamespace() throws Exception {
        List<String> names = new ArrayList<>(List.of("c", "a", "b"));
        for (String name : names) {
            catalog.upsertService(service(name));
        }
        catalog.upsertService(new ServiceResource(new ServiceKey("other", "z"), "uid", "ClusterIP", List.of(),
                List.of(), null, List.of(), Map.of(), Map.of()));
        settle();

        assertThat(catalog.view().services()).extracting(s -> s.key().toString())
            .containsExactly("ns/a", "ns/b", "ns/c", "other/z");
        assertThat(catalog.view().services("ns")).hasSize(3);
        assertThat(catalog.view().services("none")).isEmpty();
        assertThat(catalog.view().namespaces()).containsExactly("ns", "other");
    }

    private void settle() throws Exception {
        catalog.afterPending(() -> {
        }).get(5, TimeUnit.SECONDS);
    }

    private static ServiceResource service(String name) {
        return new ServiceResource(new ServiceKey("ns", name), "uid-" + name, "ClusterIP", List.of("10.96.0.1"),
                List.of("IPv4"), null, List.of(new ServicePort("http", 80, "8080", "TCP", null)), Map.of(), Map.of());
    }

    private static EndpointSliceResource slice(String name, Endpoint... endpoints) {
        return new EndpointSliceResource("ns", name, "web", List.of(endpoints));
    }

    private static Endpoint endpoint(String address, boolean ready) {
        return new Endpoint(List.of(address), "IPv4", ready, ready, false, null, "node-1", "zone-a", null, null,
                List.of(new EndpointPort("http", 8080, "TCP", null)));
    }

}
