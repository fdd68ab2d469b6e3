package io.discoverygateway.client.spring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.discoverygateway.client.DiscoveryView;
import io.discoverygateway.client.Endpoint;
import io.discoverygateway.client.ServiceEntry;

import org.springframework.cloud.client.ServiceInstance;

/**
 * Turns the view's services into Spring Cloud service instances with Spring Cloud Kubernetes' rules: services of the
 * same name in several namespaces are merged; the primary port is the {@code primary-port-name} label's, else
 * {@code https}, else {@code http}, else the only or first one; {@code secure} from a truthy {@code secured} label or
 * annotation, port 443 or 8443, or a port named {@code https}; metadata of the service's labels and annotations,
 * {@code port.<name>}, {@code k8s_namespace}, {@code type} and the endpoint's {@code zone}. A pure function.
 */
final class ServiceInstances {

    private static final Set<String> TRUE = Set.of("true", "on", "yes", "1");

    private final boolean readyOnly;

    ServiceInstances(boolean readyOnly) {
        this.readyOnly = readyOnly;
    }

    List<ServiceInstance> of(DiscoveryView view, String serviceId) {
        List<ServiceInstance> instances = new ArrayList<>();
        view.named(serviceId).stream().sorted(Comparator.comparing(ServiceEntry::namespace))
                .forEach(service -> instances.addAll(of(service)));
        return instances;
    }

    List<String> serviceIds(DiscoveryView view) {
        return view.all().stream().map(ServiceEntry::name).distinct().sorted().toList();
    }

    List<ServiceInstance> of(ServiceEntry service) {
        List<ServiceInstance> instances = new ArrayList<>();
        for (Endpoint endpoint : service.endpoints()) {
            if ((readyOnly && !endpoint.ready()) || endpoint.addresses().isEmpty()) {
                continue;
            }
            String portName = primaryPortName(service, endpoint);
            if (portName == null) {
                continue;
            }
            int port = endpoint.ports().get(portName);
            Map<String, String> metadata = new HashMap<>(service.labels());
            metadata.putAll(service.annotations());
            endpoint.ports().forEach((name, number) -> metadata.put("port." + name, Integer.toString(number)));
            metadata.put("k8s_namespace", service.namespace());
            metadata.put("type", service.type());
            if (endpoint.zone() != null) {
                metadata.put("zone", endpoint.zone());
            }
            String instanceId = endpoint.targetUid() != null ? endpoint.targetUid()
                    : UUID.nameUUIDFromBytes((service.uid() + "/" + endpoint.address())
                            .getBytes(StandardCharsets.UTF_8)).toString();
            instances.add(new GatewayServiceInstance(instanceId, service.name(), endpoint.address(), port,
                    Map.copyOf(metadata), secure(service, portName, port), service.namespace(),
                    endpoint.podLabels().isEmpty() ? Map.of() : Map.of("labels", endpoint.podLabels())));
        }
        return instances;
    }

    private static String primaryPortName(ServiceEntry service, Endpoint endpoint) {
        Map<String, Integer> ports = endpoint.ports();
        if (ports.isEmpty()) {
            return null;
        }
        String labelled = service.labels().get("primary-port-name");
        if (labelled != null && ports.containsKey(labelled)) {
            return labelled;
        }
        for (String name : List.of("https", "http")) {
            if (ports.containsKey(name)) {
                return name;
            }
        }
        return ports.keySet().stream().sorted().findFirst().orElseThrow();
    }

    private static boolean secure(ServiceEntry service, String portName, int port) {
        return TRUE.contains(service.labels().getOrDefault("secured", "").toLowerCase())
                || TRUE.contains(service.annotations().getOrDefault("secured", "").toLowerCase())
                || port == 443 || port == 8443 || portName.equals("https");
    }
}
