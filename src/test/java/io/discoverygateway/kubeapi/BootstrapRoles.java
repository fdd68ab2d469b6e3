package io.discoverygateway.kubeapi;

import java.util.List;

import io.discoverygateway.kubeapi.KubeObjects.Rule;

/**
 * The default ClusterRoles every Kubernetes cluster starts with that manifests and tests refer to, with the rules
 * kube-apiserver's RBAC bootstrap policy gives them ({@code cluster-admin} and {@code system:auth-delegator}; the
 * others are not modelled).
 */
final class BootstrapRoles {

    private BootstrapRoles() {
    }

    static void install(EmbeddedKubernetesApi api) {
        api.create(ApiResource.CLUSTER_ROLES, "", KubeObjects.role("", "cluster-admin",
                List.of(new Rule(List.of("*"), List.of("*"), List.of("*")))));
        api.create(ApiResource.CLUSTER_ROLES, "", KubeObjects.role("", "system:auth-delegator", List.of(
                new Rule(List.of("authentication.k8s.io"), List.of("tokenreviews"), List.of("create")),
                new Rule(List.of("authorization.k8s.io"), List.of("subjectaccessreviews"), List.of("create")))));
    }
}
