package io.discoverygateway.realkube;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real cluster fixture behaves as a cluster does: its nodes are Ready in their zones,
 * a Deployment's pods run and the EndpointSlice controller publishes them with the zones
 * of their nodes, a pod that turns not ready is published so, and a deleted pod is
 * terminating (and serving) for its grace period before it goes.
 */
@ExtendWith(RealClusterGatewayTest.RealClusterAvailable.class)
class RealClusterTest {

    private final RealCluster cluster = RealCluster.shared();

    private final KubeRest admin = cluster.admin();

    @Test
    void theNodesAreReadyInTheirZones() {
        Commands.Result nodes = cluster.kubectl("get", "nodes", "-L", "topology.kubernetes.io/zone");

        assertThat(nodes.exitCode()).as(nodes.output()).isZero();
        assertThat(nodes.output()).contains("realkube-node-a", "realkube-node-b", "realkube-node-c", "zone-a", "zone-c")
            .doesNotContain("NotReady");
    }

    @Test
    void aDeploymentsPodsRunAndTheControllerPublishesThemByZone() {
        String namespace = cluster.createNamespace("fixture");
        Workloads.deployed(admin, namespace, "web", 3);

        List<JsonNode> endpoints = await().atMost(Duration.ofSeconds(60))
            .until(() -> Workloads.endpoints(admin, namespace, "web"), list -> list.size() == 3
                    && list.stream().allMatch(e -> e.path("conditions").path("ready").asBoolean()));

        assertThat(endpoints).extracting(e -> e.path("zone").asString())
            .containsExactlyInAnyOrder("zone-a", "zone-b", "zone-c");
        assertThat(endpoints).extracting(e -> e.path("addresses").get(0).asString())
            .allMatch(a -> a.startsWith("10.244."));
        assertThat(endpoints).extracting(e -> e.path("targetRef").path("kind").asString()).containsOnly("Pod");
    }

    @Test
    void aPodAnnotatedNotReadyIsPublishedNotReady() {
        String namespace = cluster.createNamespace("fixture");
        Workloads.deployed(admin, namespace, "flip", 1);
        await().atMost(Duration.ofSeconds(60))
            .until(() -> Workloads.endpoints(admin, namespace, "flip"),
                    list -> list.size() == 1 && list.get(0).path("conditions").path("ready").asBoolean());
        String pod = Workloads.podNames(admin, namespace, "flip").get(0);

        Workloads.setReady(admin, namespace, pod, false);

        await().atMost(Duration.ofSeconds(30))
            .until(() -> Workloads.endpoints(admin, namespace, "flip"),
                    list -> list.size() == 1 && !list.get(0).path("conditions").path("ready").asBoolean());
    }

    @Test
    void aDeletedPodIsTerminatingAndServingForItsGracePeriod() {
        String namespace = cluster.createNamespace("fixture");
        Workloads.deployed(admin, namespace, "drain", 1);
        await().atMost(Duration.ofSeconds(60))
            .until(() -> Workloads.endpoints(admin, namespace, "drain"),
                    list -> list.size() == 1 && list.get(0).path("conditions").path("ready").asBoolean());
        String pod = Workloads.podNames(admin, namespace, "drain").get(0);

        admin.delete("/api/v1/namespaces/" + namespace + "/pods/" + pod);

        List<JsonNode> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode endpoint : Workloads.endpoints(admin, namespace, "drain")) {
                if (endpoint.path("targetRef").path("name").asString().equals(pod)) {
                    seen.add(endpoint);
                }
            }
            return seen.stream().anyMatch(e -> e.path("conditions").path("terminating").asBoolean());
        });
        JsonNode terminating = seen.stream()
            .filter(e -> e.path("conditions").path("terminating").asBoolean())
            .findFirst()
            .orElseThrow();
        assertThat(terminating.path("conditions").path("serving").asBoolean()).isTrue();
        assertThat(terminating.path("conditions").path("ready").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> admin.find("/api/v1/namespaces/" + namespace + "/pods/" + pod).isEmpty());
    }

    @Test
    void kubectlsEverydayCommandsWork() {
        String namespace = cluster.createNamespace("kubectl");

        for (List<String> command : List.of(List.of("create", "serviceaccount", "app"),
                List.of("create", "role", "reader", "--verb=list", "--resource=endpointslices.discovery.k8s.io"),
                List.of("create", "rolebinding", "app-reader", "--role=reader",
                        "--serviceaccount=" + namespace + ":app"),
                List.of("create", "configmap", "settings", "--from-literal=a=b"),
                List.of("create", "deployment", "shop", "--image=example/shop:1", "--replicas=2"))) {
            List<String> arguments = new ArrayList<>(command);
            arguments.add("-n");
            arguments.add(namespace);
            Commands.Result result = cluster.kubectl(arguments.toArray(String[]::new));
            assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.output()).isZero();
        }
        ObjectNode deployment = admin.get("/apis/apps/v1/namespaces/" + namespace + "/deployments/shop");
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
    }

}
