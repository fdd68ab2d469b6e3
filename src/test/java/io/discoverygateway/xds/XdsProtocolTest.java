package io.discoverygateway.xds;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.xds.XdsObjects.Backend;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ADS protocol as a raw client drives it: what Envoy asks (wildcard CDS, then EDS),
 * acknowledgements, rejections, and which changes reach which watch.
 */
@GatewayTest(properties = { "gateway.namespaces=xds", "gateway.xds.enabled=true", "gateway.xds.port=0",
        "gateway.xds.max-clients=2" })
class XdsProtocolTest {

    private static final String NAMESPACE = "xds";

    private static final int BACKEND_PORT = 9090;

    @Autowired
    EmbeddedKubernetesApi api;

    @Autowired
    XdsServer xds;

    @Autowired
    MeterRegistry registry;

    @Test
    void envoyGetsEveryServicePortAsAnEdsClusterAndItsServingEndpoints() throws Exception {
        publish("envoy",
                List.of(Backend.ready("10.1.0.1"), Backend.draining("10.1.0.2"), Backend.notReady("10.1.0.3")));
        String name = "envoy.xds:" + XdsObjects.SERVICE_PORT;
        try (AdsStream ads = new AdsStream(xds.port(), null)) {
            DiscoveryResponse clusters = acknowledgeUntil(ads, Resources.V3.CLUSTER_TYPE_URL, List.of(),
                    response -> clusters(response).stream().anyMatch(c -> c.getName().equals(name)));
            Cluster cluster = clusters(clusters).stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow();
            assertThat(cluster.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
            assertThat(cluster.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
            assertThat(cluster.getTypedExtensionProtocolOptionsMap())
                .containsKey("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");

            DiscoveryResponse endpoints = acknowledgeUntil(ads, Resources.V3.ENDPOINT_TYPE_URL, List.of(name),
                    response -> unpack(response.getResources(0), ClusterLoadAssignment.class).getPolicy()
                        .getDropOverloadsCount() == 0);
            ClusterLoadAssignment assignment = unpack(endpoints.getResources(0), ClusterLoadAssignment.class);

            assertThat(assignment.getClusterName()).isEqualTo(name);
            assertThat(assignment.getEndpointsList()).singleElement().satisfies(locality -> {
                assertThat(locality.getLocality().getZone()).isEqualTo("zone-a");
                assertThat(locality.getLoadBalancingWeight().getValue()).isEqualTo(1);
                assertThat(locality.getLbEndpointsList())
                    .extracting(XdsProtocolTest::address, LbEndpoint::getHealthStatus)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("10.1.0.1:" + BACKEND_PORT, HealthStatus.HEALTHY),
                            org.assertj.core.groups.Tuple.tuple("10.1.0.2:" + BACKEND_PORT, HealthStatus.DRAINING));
            });
        }
    }

    @Test
    void aRejectedResponseIsNotSentAgainUntilSomethingInItChanges() throws Exception {
        publish("rejected", List.of(Backend.ready("10.1.1.1")));
        String name = "rejected.xds:" + XdsObjects.SERVICE_PORT;
        double nacksBefore = registry.counter("gateway.xds.nacks", "type", "lds").count();
        try (AdsStream ads = new AdsStream(xds.port(), null)) {
            ads.request(Resources.V3.LISTENER_TYPE_URL, List.of(name), "", "");
            DiscoveryResponse first = ads.next(Duration.ofSeconds(5));
            while (first.getResourcesCount() == 0) {
                // Asked before the Service reached the gateway: told it does not exist,
                // then sent it.
                ads.request(Resources.V3.LISTENER_TYPE_URL, List.of(name), first.getVersionInfo(), first.getNonce());
                first = ads.next(Duration.ofSeconds(5));
            }

            ads.reject(Resources.V3.LISTENER_TYPE_URL, List.of(name), "", first.getNonce());

            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> ads.pending() == 0);
            assertThat(registry.counter("gateway.xds.nacks", "type", "lds").count()).isEqualTo(nacksBefore + 1);

            // The listener changes (a hash policy on its route): the new version goes
            // out.
            api.replace(ApiResource.SERVICES, NAMESPACE,
                    XdsObjects.service(NAMESPACE, "rejected", Map.of(ServiceResources.LB_POLICY_ANNOTATION, "ring-hash",
                            ServiceResources.HASH_HEADER_ANNOTATION, "x-user")));
            DiscoveryResponse second = ads.next(Duration.ofSeconds(5));
            assertThat(second.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
        }
    }

    @Test
    void anAcknowledgedResponseIsNotSentAgain() throws Exception {
        publish("acked", List.of(Backend.ready("10.1.2.1")));
        String name = "acked.xds:" + XdsObjects.SERVICE_PORT;
        try (AdsStream ads = new AdsStream(xds.port(), null)) {
            acknowledgeUntilEndpointsArrive(ads, name);

            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> ads.pending() == 0);
        }
    }

    @Test
    void aChangeToOneServiceIsNotSentToTheWatchersOfAnother() throws Exception {
        publish("watched", List.of(Backend.ready("10.1.3.1")));
        publish("other", List.of(Backend.ready("10.1.4.1")));
        String watched = "watched.xds:" + XdsObjects.SERVICE_PORT;
        try (AdsStream ads = new AdsStream(xds.port(), null)) {
            acknowledgeUntilEndpointsArrive(ads, watched);

            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, XdsObjects.slice(NAMESPACE, "other", BACKEND_PORT,
                    List.of(Backend.ready("10.1.4.1"), Backend.ready("10.1.4.2"))));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> ads.pending() == 0);

            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, XdsObjects.slice(NAMESPACE, "watched", BACKEND_PORT,
                    List.of(Backend.ready("10.1.3.1"), Backend.ready("10.1.3.2"))));
            DiscoveryResponse second = ads.next(Duration.ofSeconds(5));
            assertThat(
                    unpack(second.getResources(0), ClusterLoadAssignment.class).getEndpoints(0).getLbEndpointsCount())
                .isEqualTo(2);
        }
    }

    @Test
    void aClientBeyondTheLimitIsRefusedUntilAnotherLeaves() throws Exception {
        try (AdsStream first = new AdsStream(xds.port(), null); AdsStream second = new AdsStream(xds.port(), null)) {
            first.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");
            second.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");
            first.next(Duration.ofSeconds(5));
            second.next(Duration.ofSeconds(5));

            try (AdsStream third = new AdsStream(xds.port(), null)) {
                third.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");
                Status status = third.closed().get(5, TimeUnit.SECONDS);
                assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(status.getDescription()).contains("gateway.xds.max-clients");
            }

            first.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (AdsStream next = new AdsStream(xds.port(), null)) {
                    next.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");
                    return next.next(Duration.ofSeconds(5)) != null;
                }
                catch (AssertionError refused) {
                    return false;
                }
            });
        }
    }

    private void publish(String name, List<Backend> endpoints) {
        api.create(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, name, Map.of()));
        api.create(ApiResource.ENDPOINT_SLICES, NAMESPACE, XdsObjects.slice(NAMESPACE, name, BACKEND_PORT, endpoints));
    }

    /**
     * Requests and acknowledges a ClusterLoadAssignment until it has endpoints (a slice
     * may follow its Service).
     */
    private static void acknowledgeUntilEndpointsArrive(AdsStream ads, String name) throws Exception {
        // Before its slice, a Service's assignment drops every call and lists only a
        // placeholder: not yet.
        acknowledgeUntil(ads, Resources.V3.ENDPOINT_TYPE_URL, List.of(name),
                response -> response.getResourcesCount() == 1
                        && unpack(response.getResources(0), ClusterLoadAssignment.class).getEndpointsCount() > 0
                        && unpack(response.getResources(0), ClusterLoadAssignment.class).getPolicy()
                            .getDropOverloadsCount() == 0);
    }

    /**
     * Requests resources and acknowledges every response, as a client does, until one
     * satisfies the condition (the objects just written may reach the gateway after the
     * stream opened).
     */
    private static DiscoveryResponse acknowledgeUntil(AdsStream ads, String typeUrl, List<String> names,
            Predicate<DiscoveryResponse> condition) throws Exception {
        ads.request(typeUrl, names, "", "");
        DiscoveryResponse held;
        do {
            held = ads.next(Duration.ofSeconds(5));
            ads.request(typeUrl, names, held.getVersionInfo(), held.getNonce());
        }
        while (!condition.test(held));
        return held;
    }

    private static <T extends Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        }
        catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static List<Cluster> clusters(DiscoveryResponse response) {
        return response.getResourcesList().stream().map(any -> unpack(any, Cluster.class)).toList();
    }

    private static String address(LbEndpoint endpoint) {
        var socket = endpoint.getEndpoint().getAddress().getSocketAddress();
        return socket.getAddress() + ":" + socket.getPortValue();
    }

}
