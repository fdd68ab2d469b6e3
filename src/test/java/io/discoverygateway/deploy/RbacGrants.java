package io.discoverygateway.deploy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.discoverygateway.kubeapi.RecordedRequest;

/**
 * The RBAC objects bound to the gateway's ServiceAccount ({@code discovery-gateway} in
 * its namespace), as (namespace, group, resource, verb) grants, "*" for cluster-wide
 * ones; and the requests they allow, refuse or leave unused. Given the bindings and every
 * role they may refer to (a cluster's built-in ClusterRoles too).
 */
record RbacGrants(Set<List<String>> grants) {

    @SuppressWarnings("unchecked")
    static RbacGrants of(List<Map<String, Object>> objects, String serviceAccountNamespace) {
        Set<List<String>> grants = new HashSet<>();
        for (Map<String, Object> binding : objects) {
            String kind = String.valueOf(binding.get("kind"));
            if (!kind.equals("RoleBinding") && !kind.equals("ClusterRoleBinding")) {
                continue;
            }
            boolean boundToGateway = ((List<Map<String, Object>>) binding.get("subjects")).stream()
                .anyMatch(s -> "ServiceAccount".equals(s.get("kind")) && "discovery-gateway".equals(s.get("name"))
                        && serviceAccountNamespace.equals(s.get("namespace")));
            if (!boundToGateway) {
                continue;
            }
            Map<String, Object> roleRef = (Map<String, Object>) binding.get("roleRef");
            String scope = kind.equals("ClusterRoleBinding") ? "*" : namespaceOr(binding, serviceAccountNamespace);
            for (Map<String, Object> role : objects) {
                boolean sameRole = role.get("kind").equals(roleRef.get("kind"))
                        && ((Map<String, Object>) role.get("metadata")).get("name").equals(roleRef.get("name"))
                        && (role.get("kind").equals("ClusterRole") || namespaceOr(role, serviceAccountNamespace)
                            .equals(namespaceOr(binding, serviceAccountNamespace)));
                if (!sameRole) {
                    continue;
                }
                for (Map<String, Object> rule : (List<Map<String, Object>>) role.get("rules")) {
                    for (String group : (List<String>) rule.get("apiGroups")) {
                        for (String resource : (List<String>) rule.get("resources")) {
                            for (String verb : (List<String>) rule.get("verbs")) {
                                grants.add(List.of(scope, group, resource, verb));
                            }
                        }
                    }
                }
            }
        }
        return new RbacGrants(grants);
    }

    /**
     * Objects without a namespace land in the one they are applied to: the gateway's, as
     * the kustomization says.
     */
    private static String namespaceOr(Map<String, Object> object, String applied) {
        String namespace = Manifests.namespaceOf(object);
        return namespace.isEmpty() ? applied : namespace;
    }

    boolean allows(RecordedRequest request) {
        return grants.contains(List.of("*", request.group(), request.resource(), request.verb()))
                || (!request.namespace().isEmpty() && grants
                    .contains(List.of(request.namespace(), request.group(), request.resource(), request.verb())));
    }

    List<RecordedRequest> forbidden(List<RecordedRequest> requests) {
        return requests.stream().filter(request -> !allows(request)).distinct().toList();
    }

    List<List<String>> unused(List<RecordedRequest> requests) {
        return grants.stream()
            .filter(grant -> requests.stream()
                .noneMatch(request -> grant.get(1).equals(request.group()) && grant.get(2).equals(request.resource())
                        && grant.get(3).equals(request.verb())
                        && (grant.get(0).equals("*") || grant.get(0).equals(request.namespace()))))
            .toList();
    }
}
