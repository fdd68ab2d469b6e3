package io.discoverygateway.compat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.ServiceSnapshot;

/**
 * Builds the service instances of Spring Cloud Kubernetes' discovery server ({@code DefaultKubernetesServiceInstance})
 * from a snapshot, with that server's defaults: ready endpoints only, of the Service's primary IP family;
 * {@code podMetadata} with the pod's labels and annotations when the gateway watches pods;
 * metadata holding the Service's labels and annotations, {@code port.<name>} for every port,
 * {@code k8s_namespace} and {@code type}; ExternalName services left out; the primary port chosen as it does.
 */
final class DiscoveryServerInstances {

    static final String UNSET_PORT_NAME = "<unset>";
    private static final Set<String> TRUTHY = Set.of("true", "on", "yes", "1");
    private static final Set<Integer> KNOWN_SECURE_PORTS = Set.of(443, 8443);

    private DiscoveryServerInstances() {
    }

    static boolean listed(ServiceSnapshot snapshot) {
        return !snapshot.state().service().isExternalName();
    }

    static List<Instance> of(ServiceSnapshot snapshot) {
        ServiceResource service = snapshot.state().service();
        if (service.isExternalName()) {
            return List.of();
        }
        String family = service.ipFamilies().isEmpty() ? "IPv4" : service.ipFamilies().get(0);
        List<Instance> instances = new ArrayList<>();
        for (Endpoint endpoint : snapshot.state().endpoints()) {
            if (endpoint.ready() && endpoint.addressType().equals(family)) {
                instances.add(instance(service, endpoint));
            }
        }
        return instances;
    }

    private static Instance instance(ServiceResource service, Endpoint endpoint) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (EndpointPort port : endpoint.ports()) {
            if (port.port() != null) {
                ports.put(port.name() == null || port.name().isEmpty() ? UNSET_PORT_NAME : port.name(), port.port());
            }
        }
        Map.Entry<String, Integer> primary = primaryPort(ports, service);
        Map<String, String> metadata = new TreeMap<>(service.labels());
        metadata.putAll(service.annotations());
        ports.forEach((name, number) -> metadata.put("port." + name, Integer.toString(number)));
        metadata.put("k8s_namespace", service.key().namespace());
        metadata.put("type", service.type());
        boolean secure = TRUTHY.contains(service.labels().getOrDefault("secured", ""))
                || TRUTHY.contains(service.annotations().getOrDefault("secured", ""))
                || KNOWN_SECURE_PORTS.contains(primary.getValue()) || "https".equalsIgnoreCase(primary.getKey());
        String host = endpoint.addresses().get(0);
        String instanceId = instanceId(service, endpoint, host);
        String scheme = secure ? "https" : "http";
        String uri = primary.getValue() == 0 ? scheme + "://" + host : scheme + "://" + host + ":" + primary.getValue();
        return new Instance(instanceId, service.key().name(), host, primary.getValue(), uri, secure, scheme, metadata,
                service.key().namespace(), null, podMetadata(endpoint));
    }

    /**
     * The pod's uid, as the discovery server gives it. Where there is none (an endpoint without a targetRef, such as
     * one written by hand for an external address), the discovery server falls back to the Service's uid, which
     * makes every such instance of the Service share one id; here it is a name-based UUID of the Service's uid and the
     * endpoint's address instead: unique within the Service and the same on every request.
     */
    static String instanceId(ServiceResource service, Endpoint endpoint, String host) {
        if (endpoint.targetRef() != null && endpoint.targetRef().uid() != null) {
            return endpoint.targetRef().uid();
        }
        return UUID.nameUUIDFromBytes((service.uid() + "/" + endpoint.addressType() + "/" + host)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** As the discovery server fills it with its pod label and annotation options on: only non-empty maps. */
    private static Map<String, Map<String, String>> podMetadata(Endpoint endpoint) {
        if (endpoint.pod() == null) {
            return Map.of();
        }
        Map<String, Map<String, String>> podMetadata = new TreeMap<>();
        if (!endpoint.pod().labels().isEmpty()) {
            podMetadata.put("labels", endpoint.pod().labels());
        }
        if (!endpoint.pod().annotations().isEmpty()) {
            podMetadata.put("annotations", endpoint.pod().annotations());
        }
        return podMetadata;
    }

    /** One port: that one; several: the service's primary-port-name label, then "https", then "http", then the first. */
    private static Map.Entry<String, Integer> primaryPort(Map<String, Integer> ports, ServiceResource service) {
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

    @JsonPropertyOrder({ "instanceId", "serviceId", "host", "port", "uri", "secure", "scheme", "metadata", "namespace",
            "cluster", "podMetadata" })
    record Instance(String instanceId, String serviceId, String host, int port, String uri, boolean secure,
            String scheme, Map<String, String> metadata, String namespace, String cluster,
            Map<String, Map<String, String>> podMetadata) {
    }
}
