package io.discoverygateway.kubeapi;

import java.util.List;

/**
 * A resource the embedded API serves.
 *
 * @param group the API group, empty for the core group
 * @param plural the resource name in paths, for example "services"
 * @param namespaced whether objects live in a namespace (false: cluster-scoped)
 * @param verbs what discovery says can be done with it
 * @param subresources subresources that accept create, such as {@code token} of
 * serviceaccounts
 */
public record ApiResource(String group, String version, String plural, String kind, List<String> shortNames,
        boolean namespaced, List<String> verbs, List<String> subresources) {

    private static final List<String> ALL_VERBS = List.of("create", "delete", "get", "list", "patch", "update",
            "watch");

    public static final ApiResource SERVICES = stored("", "services", "Service", List.of("svc"), true);

    public static final ApiResource ENDPOINT_SLICES = stored("discovery.k8s.io", "endpointslices", "EndpointSlice",
            List.of(), true);

    public static final ApiResource PODS = stored("", "pods", "Pod", List.of("po"), true);

    public static final ApiResource SERVICE_ACCOUNTS = new ApiResource("", "v1", "serviceaccounts", "ServiceAccount",
            List.of("sa"), true, ALL_VERBS, List.of("token"));

    public static final ApiResource ROLES = stored("rbac.authorization.k8s.io", "roles", "Role", List.of(), true);

    public static final ApiResource ROLE_BINDINGS = stored("rbac.authorization.k8s.io", "rolebindings", "RoleBinding",
            List.of(), true);

    public static final ApiResource CLUSTER_ROLES = stored("rbac.authorization.k8s.io", "clusterroles", "ClusterRole",
            List.of(), false);

    public static final ApiResource CLUSTER_ROLE_BINDINGS = stored("rbac.authorization.k8s.io", "clusterrolebindings",
            "ClusterRoleBinding", List.of(), false);

    /** Reviews are answered, not stored: create is their only verb, as in Kubernetes. */
    public static final ApiResource TOKEN_REVIEWS = new ApiResource("authentication.k8s.io", "v1", "tokenreviews",
            "TokenReview", List.of(), false, List.of("create"), List.of());

    public static final ApiResource SUBJECT_ACCESS_REVIEWS = new ApiResource("authorization.k8s.io", "v1",
            "subjectaccessreviews", "SubjectAccessReview", List.of(), false, List.of("create"), List.of());

    /**
     * The Multi-Cluster Services API's ServiceExport, as its CRD
     * (k8s/components/clusterset) serves it.
     */
    public static final ApiResource SERVICE_EXPORTS = new ApiResource("multicluster.x-k8s.io", "v1alpha1",
            "serviceexports", "ServiceExport", List.of(), true, ALL_VERBS, List.of());

    /**
     * The About API's ClusterProperty (KEP-2149), cluster-scoped: a cluster's name in its
     * set.
     */
    public static final ApiResource CLUSTER_PROPERTIES = new ApiResource("about.k8s.io", "v1alpha1",
            "clusterproperties", "ClusterProperty", List.of(), false, ALL_VERBS, List.of());

    public static final List<ApiResource> ALL = List.of(SERVICES, ENDPOINT_SLICES, PODS, SERVICE_ACCOUNTS, ROLES,
            ROLE_BINDINGS, CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, TOKEN_REVIEWS, SUBJECT_ACCESS_REVIEWS, SERVICE_EXPORTS,
            CLUSTER_PROPERTIES);

    private static ApiResource stored(String group, String plural, String kind, List<String> shortNames,
            boolean namespaced) {
        return new ApiResource(group, "v1", plural, kind, shortNames, namespaced, ALL_VERBS, List.of());
    }

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The path prefix of the group version: /api/v1 or /apis/group/version. */
    public String groupVersionPath() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /** Whether objects are kept (reviews are not). */
    public boolean stored() {
        return verbs.contains("get");
    }
}
