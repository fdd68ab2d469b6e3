package io.discoverygateway.xds;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.EndpointSliceResource;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServicePort;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.catalog.TargetRef;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The xDS resources a real catalog's services become, and how their versions move; no
 * gRPC involved.
 */
class XdsCacheTest {

    private final Catalog catalog = new Catalog("e1", new SnapshotEncoder(JsonMapper.builder().build()),
            Clock.systemUTC());

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final XdsCache cache = new XdsCache(catalog, new XdsMetrics(registry));

    @AfterEach
    void close() {
        cache.close();
        catalog.close();
    }

    @Test
    void readyEndpointsAreHealthyTerminatingOnesThatServeAreDrainingAndTheOthersAreLeftOut() {
        service("shop", "cart", Map.of(), port("http", 80));
        slice("shop", "cart", endpoint("10.0.0.1", true, true, false, "z1", "http", 8080),
                endpoint("10.0.0.2", false, true, true, "z1", "http", 8080),
                endpoint("10.0.0.3", false, false, true, "z1", "http", 8080),
                endpoint("10.0.0.4", false, false, false, "z1", "http", 8080));

        ClusterLoadAssignment assignment = assignment("cart.shop:80");

        assertThat(assignment.getEndpointsList()).singleElement()
            .satisfies(locality -> assertThat(locality.getLbEndpointsList())
                .extracting(XdsCacheTest::address, LbEndpoint::getHealthStatus)
                .containsExactly(tuple("10.0.0.1:8080", HealthStatus.HEALTHY),
                        tuple("10.0.0.2:8080", HealthStatus.DRAINING)));
    }

    @Test
    void endpointsAreGroupedByZoneIntoLocalitiesWeightedByTheirReadyEndpoints() {
        service("shop", "cart", Map.of(), port("http", 80));
        slice("shop", "cart", endpoint("10.0.0.1", true, true, false, "z1", "http", 8080),
                endpoint("10.0.0.2", true, true, false, "z1", "http", 8080),
                endpoint("10.0.0.3", true, true, false, "z2", "http", 8080),
                endpoint("10.0.0.4", false, true, true, "z3", "http", 8080));

        assertThat(assignment("cart.shop:80").getEndpointsList())
            .extracting(locality -> locality.getLocality().getZone(),
                    locality -> locality.getLoadBalancingWeight().getValue(), LocalityLbEndpoints::getLbEndpointsCount)
            .containsExactly(tuple("z1", 2, 2), tuple("z2", 1, 1), tuple("z3", 1, 1));
    }

    @Test
    void everyServicePortGetsItsOwnClusterWithTheEndpointPortOfTheSameName() {
        service("shop", "cart", Map.of(), port("http", 80), port("grpc", 9000));
        slice("shop", "cart", new Endpoint(List.of("10.0.0.1"), "IPv4", true, true, false, null, null, "z1", null, null,
                List.of(new EndpointPort("http", 8080, "TCP", null), new EndpointPort("grpc", 9090, "TCP", null))));

        assertThat(address(assignment("cart.shop:80").getEndpoints(0).getLbEndpoints(0))).isEqualTo("10.0.0.1:8080");
        assertThat(address(assignment("cart.shop:9000").getEndpoints(0).getLbEndpoints(0))).isEqualTo("10.0.0.1:9090");
        assertThat(listenerNames(NamespaceScope.EVERYTHING)).containsExactly("cart.shop:80", "cart.shop:9000",
                "cart:80", "cart:9000");
    }

    @Test
    void aChangeToOneServiceLeavesTheVersionsOfTheOthers() {
        service("shop", "cart", Map.of(), port("http", 80));
        service("shop", "till", Map.of(), port("http", 80));
        XdsSnapshot before = published();

        slice("shop", "cart", endpoint("10.0.0.1", true, true, false, "z1", "http", 8080));
        XdsSnapshot after = published();

        assertThat(after.of(XdsType.ENDPOINTS).get("till.shop:80"))
            .isSameAs(before.of(XdsType.ENDPOINTS).get("till.shop:80"));
        assertThat(after.of(XdsType.ENDPOINTS).get("cart.shop:80").version())
            .isGreaterThan(before.of(XdsType.ENDPOINTS).get("cart.shop:80").version());
        // Its Listener and Cluster did not change either: same versions, nothing to
        // resend.
        assertThat(after.of(XdsType.LISTENER).get("cart.shop:80"))
            .isSameAs(before.of(XdsType.LISTENER).get("cart.shop:80"));
        assertThat(after.of(XdsType.CLUSTER).get("cart.shop:80"))
            .isSameAs(before.of(XdsType.CLUSTER).get("cart.shop:80"));
    }

    @Test
    void shortNamesExistWhileOnlyOneNamespaceHasTheServiceName() {
        service("shop", "web", Map.of(), port("http", 80));
        assertThat(listenerNames(NamespaceScope.EVERYTHING)).containsExactly("web", "web.shop", "web.shop:80",
                "web:80");

        service("blog", "web", Map.of(), port("http", 80));
        assertThat(listenerNames(NamespaceScope.EVERYTHING)).containsExactly("web.blog", "web.blog:80", "web.shop",
                "web.shop:80");

        catalog.removeService(new ServiceKey("blog", "web"));
        assertThat(listenerNames(NamespaceScope.EVERYTHING)).containsExactly("web", "web.shop", "web.shop:80",
                "web:80");
    }

    @Test
    void shortNamesAreUniqueWithinWhatTheClientMayReadSoThatAServiceElsewhereCannotTakeThemAway() {
        service("shop", "web", Map.of(), port("http", 80));
        NamespaceScope shop = NamespaceScope.of(Set.of("shop"));
        XdsSnapshot.Answer before = published().answer(XdsType.LISTENER, Set.of("web", "web:80"), shop);

        // A Service of the same name in a namespace the client may not read: nothing it
        // is sent may change.
        service("secret", "web", Map.of(), port("http", 80));
        XdsSnapshot.Answer after = published().answer(XdsType.LISTENER, Set.of("web", "web:80"), shop);

        assertThat(after.resources()).extracting(resource -> ((Listener) resource).getName())
            .containsExactly("web", "web:80");
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(listenerNames(NamespaceScope.of(Set.of("shop", "secret")))).containsExactly("web.secret",
                "web.secret:80", "web.shop", "web.shop:80");
        assertThat(listenerNames(NamespaceScope.of(Set.of("secret")))).containsExactly("web", "web.secret",
                "web.secret:80", "web:80");
    }

    @Test
    void aShortNameThatMovesToAnotherNamespaceIsAnotherVersion() {
        NamespaceScope both = NamespaceScope.of(Set.of("shop", "blog"));
        service("shop", "web", Map.of(), port("http", 80));
        XdsSnapshot.Answer fromShop = published().answer(XdsType.LISTENER, Set.of("web"), both);

        catalog.removeService(new ServiceKey("shop", "web"));
        service("blog", "web", Map.of(), port("http", 80));
        XdsSnapshot.Answer fromBlog = published().answer(XdsType.LISTENER, Set.of("web"), both);

        assertThat(fromBlog.resources()).singleElement()
            .satisfies(resource -> assertThat(resource.toString()).contains("web.blog:80"));
        assertThat(fromBlog.version()).isNotEqualTo(fromShop.version());
    }

    @Test
    void aRequestedNameCannotReachAShortNamesPublicationKey() {
        service("shop", "web", Map.of(), port("http", 80));
        service("blog", "web", Map.of(), port("http", 80));

        assertThat(published().answer(XdsType.LISTENER, Set.of("web\u0000shop", "web"), NamespaceScope.EVERYTHING)
            .resources()).isEmpty();
    }

    @Test
    void anInvalidAnnotationKeepsTheLastValidResourcesAndIsCounted() {
        service("shop", "cart", Map.of(), port("http", 80));
        Cluster valid = cluster("cart.shop:80");

        service("shop", "cart", Map.of(ServiceResources.LB_POLICY_ANNOTATION, "fastest"), port("http", 80));

        assertThat(cluster("cart.shop:80")).isSameAs(valid);
        assertThat(registry.counter("gateway.xds.invalid.services").count()).isEqualTo(1);
    }

    @Test
    void ringHashWithAHashHeaderIsTheClusterPolicyAndTheRoutesHashPolicy() {
        service("shop", "cart", Map.of(ServiceResources.LB_POLICY_ANNOTATION, "ring-hash",
                ServiceResources.HASH_HEADER_ANNOTATION, "x-user"), port("http", 80));

        assertThat(cluster("cart.shop:80").getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
        assertThat(published().of(XdsType.LISTENER).get("cart.shop:80").resource().toString()).contains("x-user");
    }

    @Test
    void anAnswerHoldsTheNamespacesInScopeOnlyAndItsVersionFollowsWhatItHolds() {
        service("shop", "cart", Map.of(), port("http", 80));
        service("bank", "vault", Map.of(), port("http", 80));
        XdsSnapshot snapshot = published();
        NamespaceScope shop = NamespaceScope.of(Set.of("shop"));

        XdsSnapshot.Answer wildcard = snapshot.answer(XdsType.CLUSTER, Set.of(), shop);
        XdsSnapshot.Answer named = snapshot.answer(XdsType.CLUSTER, Set.of("cart.shop:80", "vault.bank:80"), shop);

        assertThat(wildcard.resources()).extracting(resource -> ((Cluster) resource).getName())
            .containsExactly("cart.shop:80");
        assertThat(named.version()).isEqualTo(wildcard.version());
        assertThat(snapshot.answer(XdsType.CLUSTER, Set.of(), NamespaceScope.EVERYTHING).version())
            .isNotEqualTo(wildcard.version());
        assertThat(wildcard.version()).startsWith("e1-");
    }

    private List<String> listenerNames(NamespaceScope scope) {
        return published().answer(XdsType.LISTENER, Set.of(), scope)
            .resources()
            .stream()
            .map(resource -> ((Listener) resource).getName())
            .toList();
    }

    private XdsSnapshot published() {
        cache.caughtUp().join();
        return cache.snapshot();
    }

    private ClusterLoadAssignment assignment(String name) {
        return (ClusterLoadAssignment) published().of(XdsType.ENDPOINTS).get(name).resource();
    }

    private Cluster cluster(String name) {
        return (Cluster) published().of(XdsType.CLUSTER).get(name).resource();
    }

    private void service(String namespace, String name, Map<String, String> annotations, ServicePort... ports) {
        catalog.upsertService(new ServiceResource(new ServiceKey(namespace, name), "uid-" + name, "ClusterIP",
                List.of("10.96.0.1"), List.of("IPv4"), null, List.of(ports), Map.of(), annotations));
    }

    private void slice(String namespace, String service, Endpoint... endpoints) {
        catalog.upsertSlice(new EndpointSliceResource(namespace, service + "-1", service, List.of(endpoints)));
    }

    private static ServicePort port(String name, int port) {
        return new ServicePort(name, port, null, "TCP", null);
    }

    private static Endpoint endpoint(String address, boolean ready, boolean serving, boolean terminating, String zone,
            String portName, int port) {
        return new Endpoint(List.of(address), "IPv4", ready, serving, terminating, null, "node-1", zone, null,
                new TargetRef("Pod", "pod-" + address, null, null),
                List.of(new EndpointPort(portName, port, "TCP", null)));
    }

    private static String address(LbEndpoint endpoint) {
        var socket = endpoint.getEndpoint().getAddress().getSocketAddress();
        return socket.getAddress() + ":" + socket.getPortValue();
    }

}
