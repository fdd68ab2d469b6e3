package io.discoverygateway.realkube;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster set of two real clusters, each with its own etcd, kube-apiserver and
 * controller-manager, set up as README says: the ServiceExport CRD in both,
 * {@code k8s/components/clusterset/remote} applied in the remote one, and
 * {@code make-kubeconfig.sh} writing the kubeconfig Secret from the token Kubernetes
 * issued there. The gateway then reads the remote cluster with exactly that identity and
 * serves its exported Services, and only those, next to this cluster's.
 */
@ExtendWith(RealClusterGatewayTest.RealClusterAvailable.class)
class ClusterSetOnRealClustersTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Path K8S = Path.of("k8s");

    private final RealCluster east = RealCluster.shared();

    @Test
    void aRemoteClusterSetUpByTheScriptIsReadWithItsOwnLeastPrivilegeIdentity() throws Exception {
        try (RealCluster west = RealCluster
            .start(new RealCluster.Options("clusterset-west", true, Duration.ofMinutes(5)))) {
            Path folder = Files.createTempDirectory("clusterset");
            Path kubeconfigs = folder.resolve("east.yaml");
            Files.writeString(kubeconfigs, renamed(east, "east"));
            Files.writeString(folder.resolve("west.yaml"), renamed(west, "west"));
            Map<String, String> environment = Map.of("KUBECONFIG", kubeconfigs + ":" + folder.resolve("west.yaml"),
                    "HOME", folder.toString(), "PATH",
                    Path.of(Kubectl.executable()).getParent() + ":" + System.getenv("PATH"));
            for (String context : List.of("east", "west")) {
                run(environment, "kubectl", "--context", context, "apply", "-f",
                        K8S.resolve("components/clusterset/serviceexport-crd.yaml").toString());
                run(environment, "kubectl", "--context", context, "create", "namespace", "discovery-gateway");
            }
            run(environment, "kubectl", "--context", "west", "apply", "-k",
                    K8S.resolve("components/clusterset/remote").toString());
            run(environment, "bash", K8S.resolve("components/clusterset/remote/make-kubeconfig.sh").toString(), "west",
                    "west", "east");
            String stored = east.admin()
                .get("/api/v1/namespaces/discovery-gateway/secrets/discovery-gateway-remotes")
                .path("data")
                .path("west")
                .asString();
            Path remoteKubeconfig = folder.resolve("west.kubeconfig");
            Files.write(remoteKubeconfig, Base64.getDecoder().decode(stored));
            RealTestCluster westApi = new RealTestCluster(west);
            westApi.create(ApiResource.SERVICES, "discovery-gateway", KubeObjects.service("discovery-gateway", "cart"));
            west.admin()
                .apply(KubeObjects.slice("discovery-gateway", "cart-1", "cart",
                        List.of(EndpointSpec.ready("10.2.0.1"))));
            westApi.create(ApiResource.SERVICES, "discovery-gateway",
                    KubeObjects.service("discovery-gateway", "not-exported"));
            west.admin().apply(KubeObjects.serviceExport("discovery-gateway", "cart"));

            try (GatewayOnCluster gateway = GatewayOnCluster.startInNamespace(east, "discovery-gateway",
                    Map.of("gateway.clusterset.enabled", "true", "gateway.clusterset.name", "east",
                            "gateway.clusterset.remotes[0].name", "west", "gateway.clusterset.remotes[0].kubeconfig",
                            remoteKubeconfig.toString()))) {
                GatewayClient client = gateway.client();
                JsonNode[] cart = new JsonNode[1];
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    HttpResponse<String> answer = client
                        .get("/api/v1/clusterset/namespaces/discovery-gateway/services/cart");
                    cart[0] = answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
                    return cart[0] != null && cart[0].path("endpoints").size() == 1;
                });

                assertThat(cart[0].path("endpoints").get(0).path("cluster").asString()).isEqualTo("west");
                assertThat(client.get("/api/v1/clusterset/namespaces/discovery-gateway/services/not-exported")
                    .statusCode()).isEqualTo(404);
            }
            String remoteUser = "system:serviceaccount:discovery-gateway:discovery-gateway-remote";
            assertThat(west.requestsOf(remoteUser)).as("the remote identity's requests")
                .isNotEmpty()
                .allSatisfy(request -> {
                    assertThat(request.status()).isLessThan(400);
                    assertThat(request.namespace()).isEqualTo("discovery-gateway");
                    assertThat(request.verb()).isIn("list", "watch");
                });
        }
    }

    /**
     * The cluster's admin kubeconfig with its context, cluster and user named after it.
     */
    private static String renamed(RealCluster cluster, String name) throws Exception {
        return Files.readString(cluster.kubeconfig(), StandardCharsets.UTF_8)
            .replace("name: realkube", "name: " + name)
            .replace("cluster: realkube", "cluster: " + name)
            .replace("current-context: realkube", "current-context: " + name)
            .replace("name: user", "name: " + name + "-admin")
            .replace("user: user", "user: " + name + "-admin");
    }

    private static void run(Map<String, String> environment, String... command) {
        Commands.Result result = Commands.run(List.of(command), null, environment, List.of(), Duration.ofSeconds(60));
        assertThat(result.exitCode()).as(String.join(" ", command) + ":\n" + result.output()).isZero();
    }

}
