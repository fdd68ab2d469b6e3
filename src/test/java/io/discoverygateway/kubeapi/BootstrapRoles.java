package io.discoverygateway.kubeapi;

import java.util.List;

import io.discoverygateway.kubeapi.KubeObjects.Rule;

/**
 * The default ClusterRoles every Kubernetes cluster starts with that manifests and tests
 * refer to, with the rules kube-apiserver's RBAC bootstrap policy gives them:
 * {@code cluster-admin}, {@code system:auth-delegator}, and the user-facing {@code view}
 * and {@code edit} with the rules of theirs that concern discovery (reading Services,
 * Endpoints, EndpointSlices and Pods). In a real cluster {@code view} and {@code edit}
 * are aggregated from {@code system:aggregate-to-*} roles by the clusterrole-aggregation
 * controller; here they are stored aggregated. The others are not modelled.
 */
final class BootstrapRoles {

    private BootstrapRoles() {
    }

    static void install(EmbeddedKubernetesApi api) {
        api.create(ApiResource.CLUSTER_ROLES, "",
                KubeObjects.role("", "cluster-admin", List.of(new Rule(List.of("*"), List.of("*"), List.of("*")))));
        api.create(ApiResource.CLUSTER_ROLES, "", KubeObjects.role("", "system:auth-delegator", List.of(
                new Rule(List.of("authentication.k8s.io"), List.of("tokenreviews"), List.of("create")),
                new Rule(List.of("authorization.k8s.io"), List.of("subjectaccessreviews"), List.of("create")))));
        List<String> read = List.of("get", "list", "watch");
        for (String name : List.of("view", "edit")) {
            api.create(ApiResource.CLUSTER_ROLES, "",
                    KubeObjects.role("", name,
                            List.of(new Rule(List.of(""), List.of("pods", "services", "endpoints"), read),
                                    new Rule(List.of("discovery.k8s.io"), List.of("endpointslices"), read))));
        }
    }

}
