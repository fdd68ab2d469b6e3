package io.discoverygateway.kubeapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' RBAC authorizer over the Roles, ClusterRoles, RoleBindings and
 * ClusterRoleBindings stored in the embedded API, with its semantics: a
 * ClusterRoleBinding grants its ClusterRole's rules everywhere, a RoleBinding grants its
 * Role's or ClusterRole's rules in its own namespace only; a rule allows a request when
 * its verbs, API groups, resources (with {@code resource/subresource} and
 * {@code *}{@code /subresource}) and resource names match, {@code *} matching anything;
 * subjects are users, groups, and ServiceAccounts (as the user
 * {@code system:serviceaccount:<namespace>:<name>}); members of {@code system:masters}
 * may do anything. Not modelled: ClusterRole aggregation and non-resource URLs.
 */
public final class RbacAuthorizer {

    private final ObjectStore store;

    RbacAuthorizer(ObjectStore store) {
        this.store = store;
    }

    /**
     * Who asks, and what for: the attributes of a SubjectAccessReview (namespace and name
     * empty when none).
     */
    public record Request(String user, List<String> groups, String verb, String group, String resource,
            String subresource, String namespace, String name) {
    }

    /** The decision, with the reason Kubernetes would give. */
    public record Decision(boolean allowed, String reason) {
    }

    public Decision authorize(Request request) {
        if (request.groups().contains("system:masters")) {
            return new Decision(true, "");
        }
        for (ObjectNode binding : store.list(ApiResource.CLUSTER_ROLE_BINDINGS, "", o -> true).items()) {
            Optional<String> reason = grants(binding, "", request);
            if (reason.isPresent()) {
                return new Decision(true, reason.get());
            }
        }
        if (!request.namespace().isEmpty()) {
            for (ObjectNode binding : store.list(ApiResource.ROLE_BINDINGS, request.namespace(), o -> true).items()) {
                Optional<String> reason = grants(binding, request.namespace(), request);
                if (reason.isPresent()) {
                    return new Decision(true, reason.get());
                }
            }
        }
        return new Decision(false, "");
    }

    /**
     * The reason when this binding grants the request (bindingNamespace empty for a
     * ClusterRoleBinding).
     */
    private Optional<String> grants(ObjectNode binding, String bindingNamespace, Request request) {
        Optional<String> subject = matchingSubject(binding.path("subjects"), request);
        if (subject.isEmpty()) {
            return Optional.empty();
        }
        JsonNode roleRef = binding.path("roleRef");
        String roleKind = roleRef.path("kind").asString("");
        String roleName = roleRef.path("name").asString("");
        Optional<ObjectNode> role = switch (roleKind) {
            case "ClusterRole" -> store.get(ApiResource.CLUSTER_ROLES, "", roleName);
            case "Role" -> bindingNamespace.isEmpty() ? Optional.empty()
                    : store.get(ApiResource.ROLES, bindingNamespace, roleName);
            default -> Optional.empty();
        };
        if (role.isEmpty()) {
            return Optional.empty();
        }
        for (JsonNode rule : role.get().path("rules")) {
            if (allows(rule, request)) {
                String bindingName = binding.path("metadata").path("name").asString();
                return Optional.of("RBAC: allowed by "
                        + (bindingNamespace.isEmpty() ? "ClusterRoleBinding \"" + bindingName + "\""
                                : "RoleBinding \"" + bindingName + "/" + bindingNamespace + "\"")
                        + " of " + roleKind + " \"" + roleName + "\" to " + subject.get());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> matchingSubject(JsonNode subjects, Request request) {
        for (JsonNode subject : subjects) {
            String kind = subject.path("kind").asString("");
            String name = subject.path("name").asString("");
            String namespace = subject.path("namespace").asString("");
            boolean matches = switch (kind) {
                case "User" -> name.equals(request.user());
                case "Group" -> request.groups().contains(name);
                case "ServiceAccount" -> ("system:serviceaccount:" + namespace + ":" + name).equals(request.user());
                default -> false;
            };
            if (matches) {
                return Optional
                    .of(kind + " \"" + (kind.equals("ServiceAccount") ? name + "/" + namespace : name) + "\"");
            }
        }
        return Optional.empty();
    }

    private static boolean allows(JsonNode rule, Request request) {
        return contains(rule.path("verbs"), request.verb()) && contains(rule.path("apiGroups"), request.group())
                && resourceMatches(rule.path("resources"), request) && (rule.path("resourceNames").isEmpty()
                        || strings(rule.path("resourceNames")).contains(request.name()));
    }

    private static boolean resourceMatches(JsonNode resources, Request request) {
        String combined = request.subresource().isEmpty() ? request.resource()
                : request.resource() + "/" + request.subresource();
        for (String resource : strings(resources)) {
            if (resource.equals("*") || resource.equals(combined)
                    || (!request.subresource().isEmpty() && resource.equals("*/" + request.subresource()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(JsonNode values, String value) {
        List<String> list = strings(values);
        return list.contains("*") || list.contains(value);
    }

    private static List<String> strings(JsonNode values) {
        List<String> list = new ArrayList<>();
        values.forEach(node -> list.add(node.asString()));
        return list;
    }

}
