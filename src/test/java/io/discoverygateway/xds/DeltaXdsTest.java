package io.discoverygateway.xds;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.xds.XdsObjects.Backend;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Incremental (delta) ADS, subscribed as Envoy subscribes (wildcard CDS, then EDS by
 * name): the first response holds everything, each change only what changed, a deleted
 * Service its names as removed; a client that reconnects with the versions it holds is
 * sent nothing it already has.
 */
@GatewayTest(properties = { "gateway.namespaces=delta", "gateway.xds.enabled=true", "gateway.xds.port=0" })
class DeltaXdsTest {

    private static final String NAMESPACE = "delta";

    @Autowired
    EmbeddedKubernetesApi api;

    @Autowired
    XdsServer xds;

    @Test
    void aWildcardSubscriberGetsEverythingOnceThenOnlyWhatChangesAndTheNamesOfWhatIsGone() throws Exception {
        for (String name : List.of("one", "two", "three")) {
            publish(name);
        }
        await().atMost(Duration.ofSeconds(10)).until(xds::ready);
        try (DeltaAdsStream delta = new DeltaAdsStream(xds.port(), null)) {
            delta.subscribe(Resources.V3.CLUSTER_TYPE_URL, List.of(), Map.of());
            awaitClusters(delta, "one", "two", "three");

            api.replace(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, "two",
                    Map.of(ServiceResources.LB_POLICY_ANNOTATION, "least-request")));
            DeltaDiscoveryResponse change = delta.next(Duration.ofSeconds(10));
            assertThat(change.getResourcesList()).extracting(Resource::getName).containsExactly(name("two"));
            assertThat(change.getRemovedResourcesList()).isEmpty();
            delta.ack(change);

            api.delete(ApiResource.SERVICES, NAMESPACE, "three");
            DeltaDiscoveryResponse removal = delta.next(Duration.ofSeconds(10));
            assertThat(removal.getResourcesList()).isEmpty();
            assertThat(removal.getRemovedResourcesList()).containsExactly(name("three"));
            delta.ack(removal);

            assertThat(delta.poll(Duration.ofMillis(500))).as("nothing else changed").isNull();
        }
    }

    @Test
    void aClientReconnectingWithTheVersionsItHoldsIsSentOnlyWhatChangedMeanwhile() throws Exception {
        publish("kept");
        publish("moved");
        await().atMost(Duration.ofSeconds(10)).until(xds::ready);
        Map<String, String> held;
        try (DeltaAdsStream first = new DeltaAdsStream(xds.port(), null)) {
            first.subscribe(Resources.V3.ENDPOINT_TYPE_URL, List.of(name("kept"), name("moved")), Map.of());
            held = new java.util.HashMap<>();
            // Both may come in one response, or one by one as the gateway publishes them.
            while (held.size() < 2) {
                DeltaDiscoveryResponse response = first.next(Duration.ofSeconds(10));
                for (Resource resource : response.getResourcesList()) {
                    held.put(resource.getName(), resource.getVersion());
                }
                first.ack(response);
            }
            assertThat(held).containsOnlyKeys(name("kept"), name("moved"));
        }

        api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                XdsObjects.slice(NAMESPACE, "moved", 50051, List.of(Backend.ready("10.0.9.9"))));
        // Published or not yet when the client comes back: it is sent the change either
        // at once or when it is.

        try (DeltaAdsStream again = new DeltaAdsStream(xds.port(), null)) {
            again.subscribe(Resources.V3.ENDPOINT_TYPE_URL, List.of(name("kept"), name("moved")), held);
            DeltaDiscoveryResponse missed = again.next(Duration.ofSeconds(10));

            assertThat(missed.getResourcesList()).extracting(Resource::getName).containsExactly(name("moved"));
        }
    }

    /**
     * Reads and acknowledges responses until the services' Clusters were all sent (at
     * once, or as published).
     */
    private static void awaitClusters(DeltaAdsStream delta, String... services) throws Exception {
        java.util.Set<String> sent = new java.util.HashSet<>();
        List<String> expected = java.util.Arrays.stream(services).map(DeltaXdsTest::name).toList();
        while (!sent.containsAll(expected)) {
            DeltaDiscoveryResponse response = delta.next(Duration.ofSeconds(10));
            response.getResourcesList().forEach(resource -> sent.add(resource.getName()));
            delta.ack(response);
        }
    }

    private void publish(String name) {
        api.create(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, name, Map.of()));
        api.create(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                XdsObjects.slice(NAMESPACE, name, 50051, List.of(Backend.ready("10.0.0.1"))));
    }

    private static String name(String service) {
        return service + "." + NAMESPACE + ":" + XdsObjects.SERVICE_PORT;
    }

}
