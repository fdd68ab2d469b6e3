package io.discoverygateway.kubernetes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointHints;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.EndpointSliceResource;
import io.discoverygateway.catalog.ObjectKey;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServicePort;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.TargetRef;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointHints;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ForNode;
import io.kubernetes.client.openapi.models.V1ForZone;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;

/**
 * Maps the Kubernetes Java client's models to the gateway's own records, applying the
 * API's documented defaults. Nothing outside this package sees the client's model
 * classes.
 */
final class ResourceMapper {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

    private static final Set<String> ADDRESS_TYPES = Set.of("IPv4", "IPv6", "FQDN");

    private ResourceMapper() {
    }

    /**
     * The Service with only the annotations {@code servedAnnotation} accepts (never
     * last-applied-configuration).
     */
    static ServiceResource service(V1Service service, Predicate<String> servedAnnotation) {
        V1ObjectMeta meta = required(service.getMetadata(), "metadata");
        V1ServiceSpec spec = Optional.ofNullable(service.getSpec()).orElseGet(V1ServiceSpec::new);
        String type = Optional.ofNullable(spec.getType()).orElse("ClusterIP");
        List<String> clusterIPs = spec.getClusterIPs() != null ? spec.getClusterIPs()
                : spec.getClusterIP() != null ? List.of(spec.getClusterIP()) : List.of();
        List<ServicePort> ports = new ArrayList<>();
        for (V1ServicePort port : orEmpty(spec.getPorts())) {
            ports.add(new ServicePort(port.getName(), required(port.getPort(), "spec.ports[].port"),
                    targetPort(port.getTargetPort()), Optional.ofNullable(port.getProtocol()).orElse("TCP"),
                    port.getAppProtocol()));
        }
        Map<String, String> annotations = new HashMap<>(orEmpty(meta.getAnnotations()));
        annotations.remove(LAST_APPLIED_ANNOTATION);
        annotations.keySet().removeIf(servedAnnotation.negate());
        return new ServiceResource(key(meta), meta.getUid(), type, clusterIPs, orEmpty(spec.getIpFamilies()),
                "ExternalName".equals(type) ? spec.getExternalName() : null, ports, orEmpty(meta.getLabels()),
                annotations);
    }

    static ObjectKey objectKey(V1ObjectMeta meta) {
        return new ObjectKey(required(meta.getNamespace(), "metadata.namespace"),
                required(meta.getName(), "metadata.name"));
    }

    static ServiceKey key(V1ObjectMeta meta) {
        return new ServiceKey(required(meta.getNamespace(), "metadata.namespace"),
                required(meta.getName(), "metadata.name"));
    }

    /**
     * The slice as the gateway keeps it, or empty for a slice that belongs to no Service
     * (no service-name label).
     * @throws UnusableObjectException when the slice cannot be understood (for example an
     * unknown address type)
     */
    static Optional<EndpointSliceResource> endpointSlice(V1EndpointSlice slice) {
        V1ObjectMeta meta = required(slice.getMetadata(), "metadata");
        String serviceName = orEmpty(meta.getLabels()).get(SERVICE_NAME_LABEL);
        if (serviceName == null || serviceName.isEmpty()) {
            return Optional.empty();
        }
        String addressType = slice.getAddressType();
        if (!ADDRESS_TYPES.contains(addressType)) {
            throw new UnusableObjectException("unknown addressType '" + addressType + "'");
        }
        List<EndpointPort> ports = new ArrayList<>();
        for (DiscoveryV1EndpointPort port : orEmpty(slice.getPorts())) {
            ports.add(new EndpointPort(port.getName(), port.getPort(),
                    Optional.ofNullable(port.getProtocol()).orElse("TCP"), port.getAppProtocol()));
        }
        List<Endpoint> endpoints = new ArrayList<>();
        // A null list is what the API sends for a Service with no endpoints at all
        // (scaled to zero).
        for (V1Endpoint endpoint : orEmpty(slice.getEndpoints())) {
            if (endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                continue;
            }
            V1EndpointConditions conditions = Optional.ofNullable(endpoint.getConditions())
                .orElseGet(V1EndpointConditions::new);
            endpoints.add(new Endpoint(endpoint.getAddresses(), addressType,
                    !Boolean.FALSE.equals(conditions.getReady()), !Boolean.FALSE.equals(conditions.getServing()),
                    Boolean.TRUE.equals(conditions.getTerminating()), endpoint.getHostname(), endpoint.getNodeName(),
                    endpoint.getZone(), hints(endpoint.getHints()), targetRef(endpoint.getTargetRef()), ports));
        }
        return Optional.of(new EndpointSliceResource(required(meta.getNamespace(), "metadata.namespace"),
                required(meta.getName(), "metadata.name"), serviceName, endpoints));
    }

    private static EndpointHints hints(V1EndpointHints hints) {
        if (hints == null) {
            return null;
        }
        return new EndpointHints(orEmpty(hints.getForZones()).stream().map(V1ForZone::getName).toList(),
                orEmpty(hints.getForNodes()).stream().map(V1ForNode::getName).toList());
    }

    private static TargetRef targetRef(V1ObjectReference ref) {
        return ref == null ? null : new TargetRef(ref.getKind(), ref.getName(), ref.getNamespace(), ref.getUid());
    }

    private static String targetPort(IntOrString port) {
        if (port == null) {
            return null;
        }
        return port.isInteger() ? port.getIntValue().toString() : port.getStrValue();
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new UnusableObjectException("missing " + field);
        }
        return value;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }

    /**
     * An object from the API that the gateway cannot use; it is skipped, logged once and
     * counted.
     */
    static final class UnusableObjectException extends RuntimeException {

        UnusableObjectException(String message) {
            super(message);
        }

    }

}
