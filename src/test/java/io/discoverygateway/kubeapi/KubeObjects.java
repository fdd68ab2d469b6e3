package io.discoverygateway.kubeapi;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds Service, EndpointSlice, Pod, ServiceAccount and RBAC manifests (as JSON) for
 * tests, demo data and benchmarks.
 */
public final class KubeObjects {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private KubeObjects() {
    }

    /** A ClusterIP service with one TCP port named "http" on 80, targeting 8080. */
    public static String service(String namespace, String name) {
        return service(namespace, name, Map.of());
    }

    public static String service(String namespace, String name, Map<String, String> labels) {
        ObjectNode service = object("v1", "Service", namespace, name, labels);
        ObjectNode spec = service.putObject("spec");
        spec.put("type", "ClusterIP");
        spec.put("clusterIP", "10.96.0." + (Math.abs(name.hashCode()) % 250 + 1));
        spec.putArray("clusterIPs").add(spec.get("clusterIP").asString());
        spec.putArray("ipFamilies").add("IPv4");
        ObjectNode port = spec.putArray("ports").addObject();
        port.put("name", "http");
        port.put("port", 80);
        port.put("targetPort", 8080);
        port.put("protocol", "TCP");
        return service.toString();
    }

    public static String externalNameService(String namespace, String name, String externalName) {
        ObjectNode service = object("v1", "Service", namespace, name, Map.of());
        service.putObject("spec").put("type", "ExternalName").put("externalName", externalName);
        return service.toString();
    }

    /**
     * An endpoint of a slice: its address, readiness, and the pod behind it (named after
     * the address).
     */
    public record EndpointSpec(String address, boolean ready, boolean terminating, String zone) {

        public static EndpointSpec ready(String address) {
            return new EndpointSpec(address, true, false, "zone-a");
        }

        public static EndpointSpec notReady(String address) {
            return new EndpointSpec(address, false, false, "zone-a");
        }

        public static EndpointSpec terminating(String address) {
            return new EndpointSpec(address, false, true, "zone-a");
        }
    }

    /** An IPv4 slice of the service with one port "http" 8080/TCP. */
    public static String slice(String namespace, String name, String service, List<EndpointSpec> endpoints) {
        return slice(namespace, name, service, "IPv4", endpoints);
    }

    public static String slice(String namespace, String name, String service, String addressType,
            List<EndpointSpec> endpoints) {
        ObjectNode slice = object("discovery.k8s.io/v1", "EndpointSlice", namespace, name,
                Map.of("kubernetes.io/service-name", service, "endpointslice.kubernetes.io/managed-by",
                        "endpointslice-controller.k8s.io"));
        slice.put("addressType", addressType);
        ArrayNode array = slice.putArray("endpoints");
        for (EndpointSpec spec : endpoints) {
            ObjectNode endpoint = array.addObject();
            endpoint.putArray("addresses").add(spec.address());
            ObjectNode conditions = endpoint.putObject("conditions");
            conditions.put("ready", spec.ready());
            conditions.put("serving", spec.ready() || spec.terminating());
            conditions.put("terminating", spec.terminating());
            endpoint.put("nodeName", "node-1");
            endpoint.put("zone", spec.zone());
            ObjectNode ref = endpoint.putObject("targetRef");
            ref.put("kind", "Pod");
            ref.put("namespace", namespace);
            ref.put("name", podName(service, spec.address()));
            ref.put("uid", "uid-" + service + "-" + spec.address());
        }
        ObjectNode port = slice.putArray("ports").addObject();
        port.put("name", "http");
        port.put("port", 8080);
        port.put("protocol", "TCP");
        return slice.toString();
    }

    /**
     * The name of the pod behind an endpoint of {@link #slice}: the service and the
     * address.
     */
    public static String podName(String service, String address) {
        return service + "-" + address.replace('.', '-').replace(':', '-');
    }

    /**
     * A running, ready pod with labels, annotations and a container that restarted
     * {@code restarts} times.
     */
    public static String pod(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
            int restarts) {
        ObjectNode pod = object("v1", "Pod", namespace, name, labels);
        ObjectNode annotationNode = pod.withObjectProperty("metadata").putObject("annotations");
        annotations.forEach(annotationNode::put);
        ObjectNode spec = pod.putObject("spec");
        spec.put("nodeName", "node-1");
        ObjectNode container = spec.putArray("containers").addObject();
        container.put("name", "app");
        container.put("image", "example/app:1");
        ObjectNode status = pod.putObject("status");
        status.put("phase", "Running");
        status.put("startTime", "2026-11-30T05:00:00Z");
        ObjectNode ready = status.putArray("conditions").addObject();
        ready.put("type", "Ready");
        ready.put("status", "True");
        ready.put("lastTransitionTime", "2026-11-30T05:00:10Z");
        ObjectNode containerStatus = status.putArray("containerStatuses").addObject();
        containerStatus.put("name", "app");
        containerStatus.put("restartCount", restarts);
        containerStatus.put("ready", true);
        containerStatus.put("image", "example/app:1");
        containerStatus.put("imageID", "sha256:0");
        return pod.toString();
    }

    /**
     * A slice whose {@code endpoints} is null, as the API sends for a Service scaled to
     * zero.
     */
    public static String emptySlice(String namespace, String name, String service) {
        ObjectNode slice = (ObjectNode) JSON.readTree(slice(namespace, name, service, List.of()));
        slice.putNull("endpoints");
        slice.putNull("ports");
        return slice.toString();
    }

    /**
     * A ServiceExport of the Multi-Cluster Services API: exports the Service of its name.
     */
    public static String serviceExport(String namespace, String name) {
        return object(ApiResource.SERVICE_EXPORTS.apiVersion(), "ServiceExport", namespace, name, Map.of()).toString();
    }

    public static String serviceAccount(String namespace, String name) {
        return object("v1", "ServiceAccount", namespace, name, Map.of()).toString();
    }

    /** A rule of a Role or ClusterRole. */
    public record Rule(List<String> apiGroups, List<String> resources, List<String> verbs, List<String> resourceNames) {

        public Rule(List<String> apiGroups, List<String> resources, List<String> verbs) {
            this(apiGroups, resources, verbs, List.of());
        }

        /**
         * What the gateway asks for a consumer by default: list endpointslices in
         * discovery.k8s.io.
         */
        public static Rule listEndpointSlices() {
            return new Rule(List.of("discovery.k8s.io"), List.of("endpointslices"), List.of("list"));
        }
    }

    /** A Role (namespace given) or ClusterRole (namespace empty) with these rules. */
    public static String role(String namespace, String name, List<Rule> rules) {
        ObjectNode role = object("rbac.authorization.k8s.io/v1", namespace.isEmpty() ? "ClusterRole" : "Role",
                namespace, name, Map.of());
        if (namespace.isEmpty()) {
            role.withObject("metadata").remove("namespace");
        }
        ArrayNode array = role.putArray("rules");
        for (Rule rule : rules) {
            ObjectNode node = array.addObject();
            rule.apiGroups().forEach(node.putArray("apiGroups")::add);
            rule.resources().forEach(node.putArray("resources")::add);
            rule.verbs().forEach(node.putArray("verbs")::add);
            if (!rule.resourceNames().isEmpty()) {
                rule.resourceNames().forEach(node.putArray("resourceNames")::add);
            }
        }
        return role.toString();
    }

    /**
     * A RoleBinding (namespace given) or ClusterRoleBinding (namespace empty) of a Role
     * or ClusterRole to one ServiceAccount.
     */
    public static String binding(String namespace, String name, String roleKind, String roleName,
            String accountNamespace, String accountName) {
        ObjectNode binding = binding(namespace, name, roleKind, roleName);
        binding.putArray("subjects")
            .addObject()
            .put("kind", "ServiceAccount")
            .put("name", accountName)
            .put("namespace", accountNamespace);
        return binding.toString();
    }

    /** A RoleBinding (or, with no namespace, a ClusterRoleBinding) of a group. */
    public static String groupBinding(String namespace, String name, String roleKind, String roleName, String group) {
        ObjectNode binding = binding(namespace, name, roleKind, roleName);
        binding.putArray("subjects")
            .addObject()
            .put("kind", "Group")
            .put("apiGroup", "rbac.authorization.k8s.io")
            .put("name", group);
        return binding.toString();
    }

    private static ObjectNode binding(String namespace, String name, String roleKind, String roleName) {
        ObjectNode binding = object("rbac.authorization.k8s.io/v1",
                namespace.isEmpty() ? "ClusterRoleBinding" : "RoleBinding", namespace, name, Map.of());
        if (namespace.isEmpty()) {
            binding.withObject("metadata").remove("namespace");
        }
        binding.putObject("roleRef")
            .put("apiGroup", "rbac.authorization.k8s.io")
            .put("kind", roleKind)
            .put("name", roleName);
        return binding;
    }

    private static ObjectNode object(String apiVersion, String kind, String namespace, String name,
            Map<String, String> labels) {
        ObjectNode object = JSON.createObjectNode();
        object.put("apiVersion", apiVersion);
        object.put("kind", kind);
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        ObjectNode labelNode = metadata.putObject("labels");
        labels.forEach(labelNode::put);
        return object;
    }

}
