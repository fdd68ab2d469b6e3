package io.discoverygateway.xds;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Services and EndpointSlices, as JSON for the embedded API, for gRPC backends on one
 * port.
 */
final class XdsObjects {

    static final int SERVICE_PORT = 50051;

    private XdsObjects() {
    }

    /** A ClusterIP Service with one port "grpc" (appProtocol grpc). */
    static String service(String namespace, String name, Map<String, String> annotations) {
        String annotationJson = annotations.entrySet()
            .stream()
            .map(entry -> "\"" + entry.getKey() + "\":\"" + entry.getValue() + "\"")
            .collect(Collectors.joining(",", "{", "}"));
        return """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s","namespace":"%s","annotations":%s},
                 "spec":{"type":"ClusterIP","clusterIP":"10.96.7.7","clusterIPs":["10.96.7.7"],"ipFamilies":["IPv4"],
                 "ports":[{"name":"grpc","port":%d,"targetPort":"grpc","protocol":"TCP","appProtocol":"grpc"}]}}
                """.formatted(name, namespace, annotationJson, SERVICE_PORT);
    }

    /** An endpoint: its address, conditions and zone. */
    record Backend(String address, boolean ready, boolean serving, boolean terminating, String zone) {

        static Backend ready(String address) {
            return new Backend(address, true, true, false, "zone-a");
        }

        static Backend notReady(String address) {
            return new Backend(address, false, false, false, "zone-a");
        }

        static Backend draining(String address) {
            return new Backend(address, false, true, true, "zone-a");
        }

        Backend inZone(String otherZone) {
            return new Backend(address, ready, serving, terminating, otherZone);
        }
    }

    /** The Service's only slice, its endpoints on {@code port} (named "grpc"). */
    static String slice(String namespace, String service, int port, List<Backend> backends) {
        String endpoints = backends.stream()
            .map(backend -> """
                    {"addresses":["%s"],"conditions":{"ready":%s,"serving":%s,"terminating":%s},"zone":"%s",
                     "targetRef":{"kind":"Pod","namespace":"%s","name":"%s-%s"}}""".formatted(backend.address(),
                    backend.ready(), backend.serving(), backend.terminating(), backend.zone(), namespace, service,
                    backend.address().replace('.', '-')))
            .collect(Collectors.joining(","));
        return """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"%s-1","namespace":"%s","labels":{"kubernetes.io/service-name":"%s"}},
                 "addressType":"IPv4","endpoints":[%s],"ports":[{"name":"grpc","port":%d,"protocol":"TCP"}]}
                """.formatted(service, namespace, service, endpoints, port);
    }

}
