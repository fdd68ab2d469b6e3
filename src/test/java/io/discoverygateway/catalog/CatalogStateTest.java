package io.discoverygateway.catalog;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog's state transitions, without its writer thread: which services a mutation
 * touches, and their state.
 */
class CatalogStateTest {

    private static final ServiceKey WEB = new ServiceKey("shop", "web");

    private static final ServiceKey API = new ServiceKey("shop", "api");

    private final CatalogState state = new CatalogState();

    @Test
    void aServiceWithoutSlicesHasNoEndpointsAndAnUnknownOneHasNoState() {
        assertThat(state.apply(new Mutation.ServiceUpsert(service(WEB)))).containsExactly(WEB);

        assertThat(state.stateOf(WEB).endpoints()).isEmpty();
        assertThat(state.stateOf(API)).isNull();
    }

    @Test
    void slicesOfAServiceAreMergedAndTheCopyInTheSliceThatSortsFirstWins() {
        state.apply(new Mutation.ServiceUpsert(service(WEB)));
        state.apply(new Mutation.SliceUpsert(
                slice("web-b", "web", endpoint("10.0.0.2", true), endpoint("10.0.0.1", false))));
        state.apply(new Mutation.SliceUpsert(slice("web-a", "web", endpoint("10.0.0.1", true))));

        assertThat(state.stateOf(WEB).endpoints()).extracting(e -> e.addresses().get(0) + ":" + e.ready())
            .containsExactly("10.0.0.1:true", "10.0.0.2:true");
    }

    @Test
    void aSliceThatMovesToAnotherServiceTouchesBoth() {
        state.apply(new Mutation.ServiceUpsert(service(WEB)));
        state.apply(new Mutation.ServiceUpsert(service(API)));
        state.apply(new Mutation.SliceUpsert(slice("moving", "web", endpoint("10.0.0.1", true))));

        Set<ServiceKey> touched = state
            .apply(new Mutation.SliceUpsert(slice("moving", "api", endpoint("10.0.0.1", true))));

        assertThat(touched).containsExactlyInAnyOrder(WEB, API);
        assertThat(state.stateOf(WEB).endpoints()).isEmpty();
        assertThat(state.stateOf(API).endpoints()).hasSize(1);
    }

    @Test
    void removingASliceTouchesItsServiceAndAnUnknownSliceTouchesNothing() {
        state.apply(new Mutation.ServiceUpsert(service(WEB)));
        state.apply(new Mutation.SliceUpsert(slice("web-1", "web", endpoint("10.0.0.1", true))));

        assertThat(state.apply(new Mutation.SliceRemoval(new ObjectKey("shop", "web-1")))).containsExactly(WEB);
        assertThat(state.apply(new Mutation.SliceRemoval(new ObjectKey("shop", "never")))).isEmpty();
        assertThat(state.stateOf(WEB).endpoints()).isEmpty();
    }

    @Test
    void aPodChangeTouchesExactlyTheServicesWithAnEndpointOnIt() {
        state.apply(new Mutation.ServiceUpsert(service(WEB)));
        state.apply(new Mutation.ServiceUpsert(service(API)));
        state.apply(new Mutation.SliceUpsert(slice("web-1", "web", endpoint("10.0.0.1", true))));
        state.apply(new Mutation.SliceUpsert(slice("api-1", "api", endpoint("10.0.0.9", true))));
        state.stateOf(WEB);
        state.stateOf(API);

        Set<ServiceKey> touched = state.apply(new Mutation.PodUpsert(pod("shop", "pod-10.0.0.1", "v2")));
        Set<ServiceKey> unchanged = state.apply(new Mutation.PodUpsert(pod("shop", "pod-10.0.0.1", "v2")));

        assertThat(touched).containsExactly(WEB);
        assertThat(unchanged).as("the same pod again").isEmpty();
        assertThat(state.stateOf(WEB).endpoints().get(0).pod().labels()).containsEntry("version", "v2");
    }

    @Test
    void aTargetRefIntoAnotherNamespaceGetsNoPodDetails() {
        state.apply(new Mutation.ServiceUpsert(service(WEB)));
        Endpoint foreign = new Endpoint(List.of("10.0.0.5"), "IPv4", true, true, false, null, null, null, null,
                new TargetRef("Pod", "secret-pod", "other", "uid"), List.of());
        state.apply(new Mutation.SliceUpsert(new EndpointSliceResource("shop", "web-1", "web", List.of(foreign))));
        state.apply(new Mutation.PodUpsert(pod("other", "secret-pod", "classified")));

        assertThat(state.stateOf(WEB).endpoints().get(0).pod()).isNull();
        assertThat(state.apply(new Mutation.PodUpsert(pod("other", "secret-pod", "v2"))))
            .as("the pod index holds no reference to it")
            .isEmpty();
    }

    @Test
    void aDeletedServiceLeavesNothingInThePodIndex() {
        state.apply(new Mutation.ServiceUpsert(service(WEB)));
        state.apply(new Mutation.SliceUpsert(slice("web-1", "web", endpoint("10.0.0.1", true))));
        state.stateOf(WEB);

        state.apply(new Mutation.ServiceRemoval(WEB));

        assertThat(state.stateOf(WEB)).isNull();
        assertThat(state.apply(new Mutation.PodUpsert(pod("shop", "pod-10.0.0.1", "v3")))).isEmpty();
    }

    private static ServiceResource service(ServiceKey key) {
        return new ServiceResource(key, "uid-" + key.name(), "ClusterIP", List.of(), List.of(), null, List.of(),
                Map.of(), Map.of());
    }

    private static EndpointSliceResource slice(String name, String service, Endpoint... endpoints) {
        return new EndpointSliceResource("shop", name, service, List.of(endpoints));
    }

    private static Endpoint endpoint(String address, boolean ready) {
        return new Endpoint(List.of(address), "IPv4", ready, true, false, null, null, null, null,
                new TargetRef("Pod", "pod-" + address, "shop", "uid-" + address), List.of());
    }

    private static PodInfo pod(String namespace, String name, String version) {
        return new PodInfo(namespace, name, "uid", Map.of("version", version), Map.of(), "Running", null, null, 0,
                null);
    }

}
