package io.discoverygateway.client.spring;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.discoverygateway.client.DiscoveryView;
import io.discoverygateway.client.Endpoint;
import io.discoverygateway.client.ServiceEntry;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.ServiceInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The instances of Spring Cloud Kubernetes' shape, by its rules, from the view's
 * services.
 */
class ServiceInstancesTest {

    @Test
    void readyEndpointsOnlyWithTheHttpsPortPreferredAndTheZoneInTheMetadata() {
        DiscoveryView view = view(service("shop", "pay", Map.of(), orderedPorts("http", 8080, "https", 8443),
                endpoint("10.0.0.1", true, "zone-a"), endpoint("10.0.0.2", false, "zone-b")));

        List<ServiceInstance> instances = new ServiceInstances(true).of(view, "pay");

        assertThat(instances).singleElement().satisfies(instance -> {
            assertThat(instance.getHost()).isEqualTo("10.0.0.1");
            assertThat(instance.getPort()).isEqualTo(8443);
            assertThat(instance.isSecure()).isTrue();
            assertThat(instance.getUri()).hasToString("https://10.0.0.1:8443");
            assertThat(instance.getInstanceId()).isEqualTo("uid-10.0.0.1");
            assertThat(instance.getMetadata()).containsEntry("zone", "zone-a")
                .containsEntry("k8s_namespace", "shop")
                .containsEntry("port.http", "8080")
                .containsEntry("team", "payments");
        });
        assertThat(new ServiceInstances(false).of(view, "pay")).hasSize(2);
    }

    @Test
    void thePrimaryPortLabelWinsAndSameNamedServicesOfSeveralNamespacesAreMerged() {
        DiscoveryView view = view(
                service("a", "web", Map.of("primary-port-name", "admin"), orderedPorts("http", 80, "admin", 9000),
                        endpoint("10.0.1.1", true, null)),
                service("b", "web", Map.of(), Map.of("metrics", 9100), endpoint("10.0.2.1", true, null)));

        List<ServiceInstance> instances = new ServiceInstances(true).of(view, "web");

        assertThat(instances).extracting(ServiceInstance::getPort).containsExactly(9000, 9100);
        assertThat(instances).extracting(ServiceInstance::isSecure).containsOnly(false);
        assertThat(new ServiceInstances(true).serviceIds(view)).containsExactly("web");
    }

    private static Map<String, Integer> orderedPorts(String first, int firstPort, String second, int secondPort) {
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        ports.put(first, firstPort);
        ports.put(second, secondPort);
        return ports;
    }

    private static DiscoveryView view(ServiceEntry... services) {
        Map<String, ServiceEntry> map = new java.util.HashMap<>();
        for (ServiceEntry service : services) {
            map.put(service.key(), service);
        }
        return new DiscoveryView(map, "e-1", Instant.now());
    }

    @Test
    void localFirstKeepsTheLocalClustersInstancesWhileThereAreAny() {
        List<ServiceInstance> instances = List.of(instanceIn("east", "10.1.0.1"), instanceIn("west", "10.2.0.1"));

        assertThat(ServiceInstances.localFirst(instances, java.util.Optional.of("east")))
            .extracting(ServiceInstance::getHost)
            .containsExactly("10.1.0.1");
        assertThat(ServiceInstances.localFirst(instances, java.util.Optional.of("north")))
            .as("none here: the other clusters take over")
            .hasSize(2);
        assertThat(ServiceInstances.localFirst(instances, java.util.Optional.empty())).hasSize(2);
    }

    private static ServiceInstance instanceIn(String cluster, String address) {
        return new ServiceInstances(true)
            .of(service("shop", "api", Map.of(), Map.of("http", 8080),
                    new Endpoint(List.of(address), "IPv4", true, true, false, null, null, null, null, null, Map.of(),
                            Map.of(), Map.of(), cluster)))
            .get(0);
    }

    private static ServiceEntry service(String namespace, String name, Map<String, String> labels,
            Map<String, Integer> ports, Endpoint... endpoints) {
        List<Endpoint> withPorts = List.of(endpoints)
            .stream()
            .map(e -> new Endpoint(e.addresses(), e.addressType(), e.ready(), e.serving(), e.terminating(), e.zone(),
                    e.nodeName(), e.targetName(), e.targetNamespace(), e.targetUid(), ports, Map.of(), Map.of(),
                    e.cluster()))
            .toList();
        return new ServiceEntry(namespace, name, "uid-" + name, "ClusterIP", List.of("IPv4"), ports, labels,
                Map.of("team", "payments"), 1, withPorts);
    }

    private static Endpoint endpoint(String address, boolean ready, String zone) {
        return new Endpoint(List.of(address), "IPv4", ready, ready, false, zone, "node-1", "pod-" + address, "shop",
                "uid-" + address, Map.of(), Map.of(), Map.of(), null);
    }

}
