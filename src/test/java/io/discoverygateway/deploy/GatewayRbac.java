package io.discoverygateway.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.discoverygateway.realkube.KubeRest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway's ServiceAccount and RBAC objects exactly as a layout of {@code k8s/}
 * renders them, moved into a test's namespaces and applied to a real cluster: the
 * manifests' {@code discovery-gateway} namespace becomes the gateway's own test
 * namespace, the Role of a namespaced layout is repeated in each watched namespace (as
 * the multi-namespace overlay does), and cluster-scoped objects get the gateway's
 * namespace as a suffix so that test contexts sharing one cluster do not share them.
 * Nothing else is changed: the rules are the manifests' own.
 */
public final class GatewayRbac {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Set<String> RBAC_KINDS = Set.of("ServiceAccount", "Role", "RoleBinding", "ClusterRole",
            "ClusterRoleBinding");

    private static final String MANIFEST_NAMESPACE = "discovery-gateway";

    private GatewayRbac() {
    }

    /** What the gateway is configured to do, which decides the layout. */
    public record Layout(boolean allNamespaces, boolean consumerAuth, boolean podMetadata) {

        Manifests render() {
            List<String> components = new ArrayList<>();
            if (consumerAuth && !allNamespaces) {
                components.add("consumer-auth");
            }
            if (podMetadata) {
                components.add("pod-metadata");
            }
            return Manifests.layout(allNamespaces ? "overlays/cluster-wide" : "base",
                    components.toArray(String[]::new));
        }
    }

    /**
     * The objects to apply for a gateway whose ServiceAccount lives in
     * {@code gatewayNamespace} and that watches {@code watched} (ignored for a
     * cluster-wide layout).
     */
    public static List<ObjectNode> objects(Layout layout, String gatewayNamespace, List<String> watched) {
        return objects(layout.render(), gatewayNamespace, watched, Map.of());
    }

    /**
     * The objects of rendered manifests: Roles of the gateway's own namespace repeated in
     * each of {@code watched}, Roles of other namespaces (the multi-namespace overlay's
     * team-a, team-b) moved by {@code renamed}.
     */
    static List<ObjectNode> objects(Manifests manifests, String gatewayNamespace, List<String> watched,
            Map<String, String> renamed) {
        List<ObjectNode> objects = new ArrayList<>();
        for (Map<String, Object> document : manifests.all()) {
            if (!RBAC_KINDS.contains(String.valueOf(document.get("kind")))) {
                continue;
            }
            ObjectNode object = JSON.valueToTree(document);
            String kind = object.path("kind").asString();
            retargetSubjects(object, gatewayNamespace);
            if (kind.startsWith("Cluster")) {
                suffixClusterScoped(object, gatewayNamespace);
                objects.add(object);
            }
            else if (kind.equals("ServiceAccount")) {
                object.withObject("metadata").put("namespace", gatewayNamespace);
                objects.add(object);
            }
            else if (!MANIFEST_NAMESPACE.equals(object.path("metadata").path("namespace").asString())) {
                String namespace = object.path("metadata").path("namespace").asString();
                object.withObject("metadata").put("namespace", renamed.getOrDefault(namespace, namespace));
                objects.add(object);
            }
            else {
                for (String namespace : watched) {
                    ObjectNode copy = object.deepCopy();
                    copy.withObject("metadata").put("namespace", namespace);
                    objects.add(copy);
                }
            }
        }
        return objects;
    }

    /** Applies {@link #objects} with the administrator's client. */
    public static void apply(KubeRest admin, Layout layout, String gatewayNamespace, List<String> watched) {
        objects(layout, gatewayNamespace, watched).forEach(admin::apply);
    }

    private static void retargetSubjects(ObjectNode object, String gatewayNamespace) {
        for (JsonNode subject : object.path("subjects")) {
            if (MANIFEST_NAMESPACE.equals(subject.path("namespace").asString())) {
                ((ObjectNode) subject).put("namespace", gatewayNamespace);
            }
        }
    }

    private static void suffixClusterScoped(ObjectNode object, String gatewayNamespace) {
        ObjectNode metadata = object.withObject("metadata");
        metadata.put("name", metadata.path("name").asString() + "-" + gatewayNamespace);
        JsonNode roleRef = object.path("roleRef");
        if (roleRef.isObject() && "ClusterRole".equals(roleRef.path("kind").asString())
                && !roleRef.path("name").asString().startsWith("system:")) {
            ((ObjectNode) roleRef).put("name", roleRef.path("name").asString() + "-" + gatewayNamespace);
        }
    }

}
