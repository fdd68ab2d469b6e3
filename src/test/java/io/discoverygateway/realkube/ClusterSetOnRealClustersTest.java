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
 * serves its exported Services, and only those, next to this cluster's: a Deployment
 * exported from both, scaled to zero here and back, leaves only the remote cluster's
 * endpoints ready meanwhile.
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
            // The same Deployment and Service in both clusters, exported from both (here
            // by
            // the annotation: the gateway runs with the base layout's Role, which does
            // not
            // read ServiceExports); the controllers and the simulated nodes make their
            // pods
            // and EndpointSlices.
            Workloads.deployed(east.admin(), "discovery-gateway", "cart", 2);
            east.admin()
                .mergePatch("/api/v1/namespaces/discovery-gateway/services/cart",
                        JSON.readTree("{\"metadata\":{\"annotations\":{\"discovery-gateway.io/export\":\"true\"}}}"));
            Workloads.deployed(west.admin(), "discovery-gateway", "cart", 1);
            west.admin().apply(KubeObjects.serviceExport("discovery-gateway", "cart"));
            westApi.create(ApiResource.SERVICES, "discovery-gateway",
                    KubeObjects.service("discovery-gateway", "not-exported"));

            try (GatewayOnCluster gateway = GatewayOnCluster.startInNamespace(east, "discovery-gateway",
                    Map.of("gateway.clusterset.enabled", "true", "gateway.clusterset.name", "east",
                            "gateway.clusterset.remotes[0].name", "west", "gateway.clusterset.remotes[0].kubeconfig",
                            remoteKubeconfig.toString()))) {
                GatewayClient client = gateway.client();
                JsonNode both = awaitCart(client, cart -> readyIn(cart, "east") == 2 && readyIn(cart, "west") == 1);

                Workloads.scale(east.admin(), "discovery-gateway", "cart", 0);
                JsonNode scaledToZero = awaitCart(client, cart -> readyIn(cart, "east") == 0);
                Workloads.scale(east.admin(), "discovery-gateway", "cart", 2);
                awaitCart(client, cart -> readyIn(cart, "east") == 2);

                assertThat(both.path("clusters").findValuesAsString("cluster")).containsExactly("east", "west");
                assertThat(readyIn(scaledToZero, "west")).as("only the remote cluster's endpoints are ready")
                    .isEqualTo(1);
                assertThat(client.get("/api/v1/clusterset/namespaces/discovery-gateway/services/not-exported")
                    .statusCode()).isEqualTo(404);
            }
            String remoteUser = "system:serviceaccount:discovery-gateway:discovery-gateway-remote";
            List<RealCluster.AuditedRequest> requests = west.requestsOf(remoteUser);
            assertThat(requests).as("the remote identity's requests: its name once, then list and watch")
                .isNotEmpty()
                .allSatisfy(request -> {
                    if (request.resource().equals("clusterproperties")) {
                        // West has no About API: its RBAC allowed the read, the API has
                        // no
                        // such resource.
                        assertThat(request.verb()).isEqualTo("get");
                        assertThat(request.status()).isEqualTo(404);
                    }
                    else {
                        assertThat(request.status()).isLessThan(400);
                        assertThat(request.namespace()).isEqualTo("discovery-gateway");
                        assertThat(request.verb()).isIn("list", "watch");
                    }
                });
            assertThat(requests).filteredOn(request -> request.resource().equals("clusterproperties")).hasSize(1);
        }
    }

    private static JsonNode awaitCart(GatewayClient client, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] cart = new JsonNode[1];
        String[] last = new String[1];
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                HttpResponse<String> answer = client
                    .get("/api/v1/clusterset/namespaces/discovery-gateway/services/cart");
                last[0] = answer.statusCode() + " " + answer.body();
                cart[0] = answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
                return cart[0] != null && condition.test(cart[0]);
            });
        }
        catch (org.awaitility.core.ConditionTimeoutException ex) {
            throw new AssertionError("The cluster-set service never got there; last answer: " + last[0], ex);
        }
        return cart[0];
    }

    /** The ready endpoints of the cluster-set service in one cluster. */
    private static long readyIn(JsonNode service, String cluster) {
        long ready = 0;
        for (JsonNode endpoint : service.path("endpoints")) {
            if (endpoint.path("cluster").asString().equals(cluster) && endpoint.path("ready").asBoolean()) {
                ready++;
            }
        }
        return ready;
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
