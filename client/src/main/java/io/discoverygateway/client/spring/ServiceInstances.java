package io.discoverygateway.client.spring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.discoverygateway.client.DiscoveryView;
import io.discoverygateway.client.Endpoint;
import io.discoverygateway.client.ServiceEntry;
import io.discoverygateway.protocol.InstanceIds;

import org.springframework.cloud.client.ServiceInstance;

/**
 * Turns the view's services into Spring Cloud service instances that equal the gateway's
 * {@code /apps} instances, which Spring Cloud Kubernetes' own code shapes there
 * ({@code DiscoveryClientUtils} with its default discovery properties); the client
 * library does not depend on that project, so its rules are followed here, and a test of
 * the client library reads both for every endpoint ({@code AppsParityTest}). Services of
 * the same name in several namespaces are merged. Endpoints of the Service's primary IP
 * family only, ready ones only unless asked. The port: the only one; else the one the
 * {@code primary-port-name} label names, else {@code https}, else {@code http}, else the
 * first; none gives port 0. An unnamed port is {@code <unset>}. {@code secure} from a
 * {@code secured} label or annotation of {@code true}, {@code on}, {@code yes} or
 * {@code 1}, port 443 or 8443, or a port named {@code https}. Metadata: the service's
 * labels and annotations, {@code port.<name>}, {@code k8s_namespace}, {@code type}, and
 * the endpoint's {@code zone} (the pod's {@code zone} label wins). A pure function.
 */
final class ServiceInstances {

    /** Spring Cloud Kubernetes' name of a port without one. */
    static final String UNSET_PORT_NAME = "<unset>";

    private static final Set<String> TRUTHY = Set.of("true", "on", "yes", "1");

    private static final Set<Integer> KNOWN_SECURE_PORTS = Set.of(443, 8443);

    private final boolean readyOnly;

    ServiceInstances(boolean readyOnly) {
        this.readyOnly = readyOnly;
    }

    List<ServiceInstance> of(DiscoveryView view, String serviceId) {
        List<ServiceInstance> instances = new ArrayList<>();
        view.named(serviceId)
            .stream()
            .sorted(Comparator.comparing(ServiceEntry::namespace))
            .forEach(service -> instances.addAll(of(service)));
        return instances;
    }

    List<String> serviceIds(DiscoveryView view) {
        return view.all().stream().map(ServiceEntry::name).distinct().sorted().toList();
    }

    /**
     * The metadata key of an instance's cluster, on the cluster set's stream (as the
     * gateway's {@code /apps} fills Spring Cloud Kubernetes' {@code cluster} field).
     */
    static final String CLUSTER = "cluster";

    /**
     * Local first: the instances in the gateway's own cluster while there are any, else
     * all of them (the other clusters of the set take over when this one has none, and
     * give back as soon as it has one again). Without a known cluster, all.
     */
    static List<ServiceInstance> localFirst(List<ServiceInstance> instances, java.util.Optional<String> localCluster) {
        if (localCluster.isEmpty()) {
            return instances;
        }
        List<ServiceInstance> local = instances.stream()
            .filter(instance -> localCluster.get().equals(instance.getMetadata().get(CLUSTER)))
            .toList();
        return local.isEmpty() ? instances : local;
    }

    List<ServiceInstance> of(ServiceEntry service) {
        if (service.type().equals("ExternalName")) {
            return List.of();
        }
        String family = service.ipFamilies().isEmpty() ? "IPv4" : service.ipFamilies().get(0);
        List<ServiceInstance> instances = new ArrayList<>();
        for (Endpoint endpoint : service.endpoints()) {
            if ((readyOnly && !endpoint.ready()) || endpoint.addresses().isEmpty()
                    || !family.equals(endpoint.addressType())) {
                continue;
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            endpoint.ports().forEach((name, number) -> ports.put(name.isEmpty() ? UNSET_PORT_NAME : name, number));
            Map.Entry<String, Integer> primary = primaryPort(service, ports);
            Map<String, String> metadata = new HashMap<>(service.labels());
            metadata.putAll(service.annotations());
            ports.forEach((name, number) -> metadata.put("port." + name, Integer.toString(number)));
            metadata.put("k8s_namespace", service.namespace());
            metadata.put("type", service.type());
            if (endpoint.zone() != null) {
                metadata.put("zone", endpoint.zone());
            }
            if (endpoint.podLabels().containsKey("zone")) {
                metadata.put("zone", endpoint.podLabels().get("zone"));
            }
            if (endpoint.cluster() != null) {
                metadata.put(CLUSTER, endpoint.cluster());
            }
            Map<String, Map<String, String>> podMetadata = new HashMap<>();
            if (!endpoint.podLabels().isEmpty()) {
                podMetadata.put("labels", endpoint.podLabels());
            }
            if (!endpoint.podAnnotations().isEmpty()) {
                podMetadata.put("annotations", endpoint.podAnnotations());
            }
            String host = endpoint.address();
            instances.add(new GatewayServiceInstance(
                    InstanceIds.of(endpoint.targetUid(), service.uid(), endpoint.addressType(), host), service.name(),
                    host, primary.getValue(), Map.copyOf(metadata), secure(service, primary), service.namespace(),
                    Map.copyOf(podMetadata)));
        }
        return instances;
    }

    private static Map.Entry<String, Integer> primaryPort(ServiceEntry service, Map<String, Integer> ports) {
        if (ports.isEmpty()) {
            return Map.entry("http", 0);
        }
        if (ports.size() > 1) {
            for (String name : new String[] { service.labels().get("primary-port-name"), "https", "http" }) {
                if (name != null && ports.containsKey(name)) {
                    return Map.entry(name, ports.get(name));
                }
            }
        }
        return ports.entrySet().iterator().next();
    }

    private static boolean secure(ServiceEntry service, Map.Entry<String, Integer> port) {
        return TRUTHY.contains(service.labels().getOrDefault("secured", ""))
                || TRUTHY.contains(service.annotations().getOrDefault("secured", ""))
                || KNOWN_SECURE_PORTS.contains(port.getValue()) || "https".equalsIgnoreCase(port.getKey());
    }

}
