package io.discoverygateway.xds;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.clusterset.ClusterSetService;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The xDS resources of a cluster-set service: one locality per cluster and zone, this
 * cluster first while it has a ready endpoint.
 */
class ClusterSetResourcesTest {

    private static final String NAME = "pay.shop.clusterset:80";

    @Test
    void withAReadyEndpointHereThisClusterIsPriorityZeroAndTheOthersOne() {
        ClusterLoadAssignment assignment = assignment(endpoint("east", "10.1.0.1", true, "a"),
                endpoint("west", "10.2.0.1", true, "a"), endpoint("west", "10.2.0.2", true, "b"));

        assertThat(priorities(assignment)).isEqualTo(Map.of("east/a", 0, "west/a", 1, "west/b", 1));
    }

    @Test
    void withOnlyDrainingEndpointsHereTheOtherClustersComeFirst() {
        ClusterLoadAssignment assignment = assignment(draining("east", "10.1.0.1"),
                endpoint("west", "10.2.0.1", true, "a"));

        assertThat(priorities(assignment)).isEqualTo(Map.of("east/a", 1, "west/a", 0));
    }

    @Test
    void withNothingHereTheOtherClustersArePriorityZero() {
        ClusterLoadAssignment assignment = assignment(endpoint("west", "10.2.0.1", true, "a"));

        assertThat(priorities(assignment)).isEqualTo(Map.of("west/a", 0));
    }

    @Test
    void aServiceWithOnePortAlsoAnswersToItsNameWithoutThePort() {
        ServiceResources resources = ServiceResources.ofClusterSet(service(endpoint("east", "10.1.0.1", true, "a")),
                "east");

        assertThat(resources.listeners()).containsOnlyKeys(NAME, "pay.shop.clusterset");
        assertThat(resources.clusters()).containsOnlyKeys(NAME);
    }

    private static ClusterLoadAssignment assignment(ClusterEndpoint... endpoints) {
        return ServiceResources.ofClusterSet(service(endpoints), "east").assignments().get(NAME);
    }

    private static Map<String, Integer> priorities(ClusterLoadAssignment assignment) {
        return assignment.getEndpointsList()
            .stream()
            .collect(Collectors.toMap(
                    locality -> locality.getLocality().getRegion() + "/" + locality.getLocality().getZone(),
                    LocalityLbEndpoints::getPriority));
    }

    private static ClusterSetService service(ClusterEndpoint... endpoints) {
        return new ClusterSetService("shop", "pay", "ClusterSetIP",
                List.of(new ClusterSetService.Port("http", 80, "TCP", null)), List.of(), List.of(), 7,
                List.of(endpoints));
    }

    private static ClusterEndpoint endpoint(String cluster, String address, boolean ready, String zone) {
        return new ClusterEndpoint(cluster, new Endpoint(List.of(address), "IPv4", ready, ready, false, null, null,
                zone, null, null, List.of(new EndpointPort("http", 8080, "TCP", null))));
    }

    private static ClusterEndpoint draining(String cluster, String address) {
        return new ClusterEndpoint(cluster, new Endpoint(List.of(address), "IPv4", false, true, true, null, null, "a",
                null, null, List.of(new EndpointPort("http", 8080, "TCP", null))));
    }

}
