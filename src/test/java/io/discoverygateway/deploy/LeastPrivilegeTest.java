package io.discoverygateway.deploy;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.RecordedRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RBAC least privilege, both ways, for each way of deploying: the gateway runs with a
 * manifest's configuration against the embedded API, through start-up, changes, dropped
 * watches and an expired watch; every request it makes must be allowed by the RBAC
 * objects bound to its ServiceAccount, and every rule of those must have been used. A new
 * API call without a Role change fails here, and so does a Role that grants more than is
 * used.
 */
class LeastPrivilegeTest {

    private static final String GATEWAY_NAMESPACE = "discovery-gateway";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theBaseRoleGrantsExactlyWhatTheGatewayUsesInItsOwnNamespace() {
        Manifests base = Manifests.files(Manifests.ROOT.resolve("base"));
        List<RecordedRequest> requests = exercise(base, List.of(GATEWAY_NAMESPACE));
        RbacGrants rbac = RbacGrants.of(withBootstrapRoles(base.all()), GATEWAY_NAMESPACE);

        assertThat(rbac.forbidden(requests)).isEmpty();
        assertThat(rbac.unused(requests)).isEmpty();
    }

    @Test
    void theMultiNamespaceOverlayGrantsExactlyWhatTheGatewayUsesInEachWatchedNamespace() {
        assumeTrue(Manifests.kubectlAvailable(), "kubectl is not installed here: overlays are not rendered");
        Manifests overlay = Manifests.rendered("overlays/multi-namespace");
        List<RecordedRequest> requests = exercise(overlay, List.of("team-a", "team-b"));
        RbacGrants rbac = RbacGrants.of(withBootstrapRoles(overlay.all()), GATEWAY_NAMESPACE);

        assertThat(overlay.ofKind("ClusterRole")).isEmpty();
        assertThat(requests).extracting(RecordedRequest::namespace).containsOnly("team-a", "team-b");
        assertThat(rbac.forbidden(requests)).isEmpty();
        assertThat(rbac.unused(requests)).isEmpty();
    }

    /**
     * With consumer authentication (the consumer-auth component): the reviews too, by
     * system:auth-delegator.
     */
    @Test
    void theClusterWideOverlayGrantsExactlyWhatTheGatewayUsesAcrossTheCluster() {
        assumeTrue(Manifests.kubectlAvailable(), "kubectl is not installed here: overlays are not rendered");
        Manifests overlay = Manifests.rendered("overlays/cluster-wide");
        List<RecordedRequest> requests = exercise(overlay, List.of("team-a", "team-b"));
        RbacGrants rbac = RbacGrants.of(withBootstrapRoles(overlay.all()), GATEWAY_NAMESPACE);

        assertThat(overlay.ofKind("Role")).isEmpty();
        assertThat(overlay.environment("").get("GATEWAY_AUTH_MODE")).isEqualTo("kubernetes");
        assertThat(requests).extracting(RecordedRequest::namespace).containsOnly("");
        assertThat(requests).extracting(RecordedRequest::resource).contains("tokenreviews", "subjectaccessreviews");
        assertThat(rbac.forbidden(requests)).isEmpty();
        assertThat(rbac.unused(requests)).isEmpty();
    }

    @Test
    void thePodMetadataOverlayAddsExactlyTheListAndWatchOfPodsTheFeatureUses() {
        assumeTrue(Manifests.kubectlAvailable(), "kubectl is not installed here: overlays are not rendered");
        Manifests overlay = Manifests.rendered("overlays/pod-metadata");
        List<RecordedRequest> requests = exercise(overlay, List.of(GATEWAY_NAMESPACE));
        RbacGrants rbac = RbacGrants.of(withBootstrapRoles(overlay.all()), GATEWAY_NAMESPACE);

        assertThat(requests).extracting(RecordedRequest::resource).contains("pods");
        assertThat(rbac.forbidden(requests)).isEmpty();
        assertThat(rbac.unused(requests)).isEmpty();
    }

    @Test
    void theClusterSetComponentAddsExactlyTheListAndWatchOfServiceExportsTheViewUses() {
        assumeTrue(Manifests.kubectlAvailable(), "kubectl is not installed here: components are not rendered");
        Manifests layout = Manifests.layout("base", "clusterset");
        List<RecordedRequest> requests = exercise(layout, List.of(GATEWAY_NAMESPACE));
        RbacGrants rbac = RbacGrants.of(withBootstrapRoles(layout.all()), GATEWAY_NAMESPACE);

        assertThat(requests).extracting(RecordedRequest::resource).contains("serviceexports");
        assertThat(rbac.forbidden(requests)).isEmpty();
        assertThat(rbac.unused(requests)).isEmpty();
    }

    /**
     * Runs the gateway as configured by the manifests through its life, and returns every
     * API request it made.
     */
    private static List<RecordedRequest> exercise(Manifests manifests, List<String> namespaces) {
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();
                DeployedGateway gateway = DeployedGateway.start(manifests, GATEWAY_NAMESPACE, api,
                        Map.of("management.server.port", "0"))) {
            GatewayClient gatewayClient = GatewayClient.of(gateway.context().getEnvironment());
            String[] credentials = "kubernetes"
                .equals(manifests.environment(GATEWAY_NAMESPACE).get("GATEWAY_AUTH_MODE"))
                        ? consumerCredentials(api, namespaces) : new String[0];
            Reader client = path -> gatewayClient.get(path, credentials);
            for (String namespace : namespaces) {
                api.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "web"));
                api.create(ApiResource.ENDPOINT_SLICES, namespace,
                        KubeObjects.slice(namespace, "web-1", "web", List.of(EndpointSpec.ready("10.0.0.1"))));
            }
            String watched = namespaces.get(0);
            List<String> served = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                served.clear();
                served.add(client.get("/api/v1/namespaces/" + watched + "/services/web").body());
                return served.get(0).contains("10.0.0.1");
            });
            api.dropWatches();
            api.compactHistory();
            api.create(ApiResource.SERVICES, watched, KubeObjects.service(watched, "after-expiry"));
            await().atMost(Duration.ofSeconds(30))
                .until(() -> client.get("/api/v1/namespaces/" + watched + "/services/after-expiry")
                    .statusCode() == 200);
            client.get("/api/v1/services");
            client.get("/apps");
            gatewayClient.get("/actuator/health");
            return api.requests();
        }
    }

    private interface Reader {

        HttpResponse<String> get(String path);

    }

    /**
     * A consumer allowed to read every namespace, and its bearer token: an Authorization
     * header pair.
     */
    private static String[] consumerCredentials(EmbeddedKubernetesApi api, List<String> namespaces) {
        api.create(ApiResource.SERVICE_ACCOUNTS, "shop", KubeObjects.serviceAccount("shop", "consumer"));
        for (String namespace : namespaces) {
            api.create(ApiResource.ROLES, namespace,
                    KubeObjects.role(namespace, "reader", List.of(KubeObjects.Rule.listEndpointSlices())));
            api.create(ApiResource.ROLE_BINDINGS, namespace,
                    KubeObjects.binding(namespace, "consumer", "Role", "reader", "shop", "consumer"));
        }
        return new String[] { "Authorization",
                "Bearer " + api.issueToken("shop", "consumer", List.of("discovery-gateway"), Duration.ofMinutes(10)) };
    }

    /**
     * The manifests and the ClusterRoles every cluster has, as the embedded API
     * bootstraps them.
     */
    private static List<Map<String, Object>> withBootstrapRoles(List<Map<String, Object>> objects) {
        List<Map<String, Object>> all = new ArrayList<>(objects);
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start()) {
            for (ObjectNode role : api.list(ApiResource.CLUSTER_ROLES, "")) {
                all.add(JSON.convertValue(role, Map.class));
            }
        }
        return all;
    }

}
