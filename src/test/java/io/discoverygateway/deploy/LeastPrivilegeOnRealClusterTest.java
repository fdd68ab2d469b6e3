package io.discoverygateway.deploy;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.RecordedRequest;
import io.discoverygateway.realkube.KubeRest;
import io.discoverygateway.realkube.RealCluster;
import io.discoverygateway.realkube.RealClusterGatewayTest;
import io.discoverygateway.realkube.RealTestCluster;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Least privilege judged by a real API server: for each layout of {@code k8s/}, the
 * gateway runs with the environment of its Deployment, its own ServiceAccount's token and
 * exactly the layout's RBAC objects; kube-apiserver's RBAC authorizer refuses anything
 * more (the gateway would not sync), and its audit log shows that no request was refused
 * and that every rule granted was used.
 */
@ExtendWith(RealClusterGatewayTest.RealClusterAvailable.class)
class LeastPrivilegeOnRealClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RealCluster cluster = RealCluster.shared();

    private final KubeRest admin = cluster.admin();

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/multi-namespace", "overlays/cluster-wide", "overlays/pod-metadata" })
    void theLayoutGrantsExactlyWhatTheGatewayUsesOnARealApiServer(String layout) throws Exception {
        Manifests manifests = layout.equals("base") ? Manifests.layout("base") : Manifests.rendered(layout);
        String gatewayNamespace = cluster.createNamespace("discovery-gateway");
        Map<String, Object> environment = manifests.environment(gatewayNamespace);
        boolean clusterWide = "true".equals(environment.get("GATEWAY_ALLNAMESPACES"));
        Map<String, String> renamed = new LinkedHashMap<>();
        List<String> watched = new ArrayList<>();
        if (environment.containsKey("GATEWAY_NAMESPACES")) {
            for (String name : environment.get("GATEWAY_NAMESPACES").toString().split(",")) {
                renamed.put(name, cluster.createNamespace(name));
                watched.add(renamed.get(name));
            }
        }
        else {
            watched.add(clusterWide ? cluster.createNamespace("team-a") : gatewayNamespace);
        }
        List<ObjectNode> rbac = GatewayRbac.objects(manifests, gatewayNamespace, watched, renamed);
        rbac.forEach(admin::apply);
        Map<String, Object> overrides = new LinkedHashMap<>(
                Map.of("gateway.kubernetes.api-url", cluster.url().toString(), "gateway.kubernetes.ca-file",
                        cluster.caCertificate().toString(), "gateway.kubernetes.token-file",
                        tokenFile(gatewayNamespace).toString(), "management.server.port", "0"));
        if (!renamed.isEmpty()) {
            overrides.put("gateway.namespaces", String.join(",", watched));
        }
        String[] credentials = "kubernetes".equals(environment.get("GATEWAY_AUTH_MODE")) ? consumer(watched)
                : new String[0];

        try (DeployedGateway gateway = DeployedGateway.start(manifests, gatewayNamespace, overrides)) {
            GatewayClient client = new GatewayClient(gateway.port());
            for (String namespace : watched) {
                new RealTestCluster(cluster).replace(ApiResource.SERVICES, namespace,
                        KubeObjects.service(namespace, "web"));
                admin.apply(KubeObjects.slice(namespace, "web-1", "web", List.of(EndpointSpec.ready("10.1.0.1"))));
            }
            for (String namespace : watched) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    HttpResponse<String> response = client.get("/api/v1/namespaces/" + namespace + "/services/web",
                            credentials);
                    return response.statusCode() == 200 && response.body().contains("10.1.0.1");
                });
            }
            client.get("/api/v1/services", credentials);
            client.get("/apps", credentials);
        }

        String user = "system:serviceaccount:" + gatewayNamespace + ":discovery-gateway";
        List<RealCluster.AuditedRequest> audited = cluster.requestsOf(user);
        List<RecordedRequest> requests = audited.stream()
            .map(r -> new RecordedRequest(r.verb(), r.group(), r.resource(), r.namespace()))
            .toList();
        RbacGrants grants = RbacGrants.of(withClusterRoles(rbac), gatewayNamespace);
        assertThat(grants.grants()).isNotEmpty();
        assertThat(audited).as("refused requests").filteredOn(r -> r.status() >= 400).isEmpty();
        assertThat(grants.forbidden(requests)).isEmpty();
        assertThat(grants.unused(requests)).isEmpty();
    }

    /**
     * A consumer that may list EndpointSlices in the watched namespaces, and its token's
     * header.
     */
    private String[] consumer(List<String> watched) {
        String home = cluster.createNamespace("shop");
        admin.apply(KubeObjects.serviceAccount(home, "consumer"));
        for (String namespace : watched) {
            admin.apply(KubeObjects.role(namespace, "reader", List.of(KubeObjects.Rule.listEndpointSlices())));
            admin.apply(KubeObjects.binding(namespace, "consumer", "Role", "reader", home, "consumer"));
        }
        return new String[] { "Authorization",
                "Bearer " + cluster.token(home, "consumer", List.of("discovery-gateway"), Duration.ofMinutes(10)) };
    }

    private Path tokenFile(String gatewayNamespace) throws Exception {
        Path file = cluster.logs().resolveSibling("tokens").resolve(gatewayNamespace);
        Files.createDirectories(file.getParent());
        Files.writeString(file, cluster.token(gatewayNamespace, "discovery-gateway", List.of(), Duration.ofHours(1)));
        return file;
    }

    /**
     * The applied objects and the cluster's ClusterRoles that their bindings name
     * (system:auth-delegator).
     */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> withClusterRoles(List<ObjectNode> applied) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (ObjectNode object : applied) {
            objects.add(JSON.convertValue(object, Map.class));
            String roleRef = object.path("roleRef").path("name").asString("");
            if (roleRef.startsWith("system:")) {
                objects.add(JSON.convertValue(admin.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/" + roleRef),
                        Map.class));
            }
        }
        return objects;
    }

}
