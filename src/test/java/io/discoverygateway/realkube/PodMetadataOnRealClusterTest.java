package io.discoverygateway.realkube;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pod metadata on a real cluster, with the pod-metadata component's RBAC: the pods a
 * Deployment's ReplicaSet made, as the simulated nodes report them, on the endpoints the
 * EndpointSlice controller published for them; a label changed with kubectl makes a new
 * revision with the new label.
 */
@RealClusterGatewayTest(properties = { "gateway.namespaces=pods", "gateway.pod-metadata.enabled=true" })
class PodMetadataOnRealClusterTest {

    @Autowired
    private RealTestCluster cluster;

    @LocalServerPort
    private int port;

    @Test
    void everyEndpointCarriesItsRunningPodAndALabelChangedWithKubectlIsServed() {
        String namespace = cluster.namespace("pods");
        Workloads.deployed(cluster.admin(), namespace, "shop", 2);
        GatewayClient gateway = new GatewayClient(port);
        String path = "/api/v1/namespaces/" + namespace + "/services/shop";

        JsonNode service = awaitService(gateway, path, s -> s.path("endpoints").size() == 2 && allHavePods(s));

        for (JsonNode endpoint : service.path("endpoints")) {
            JsonNode pod = endpoint.path("pod");
            assertThat(pod.path("name").asString()).isEqualTo(endpoint.path("targetRef").path("name").asString());
            assertThat(pod.path("labels").path("app").asString()).isEqualTo("shop");
            assertThat(pod.path("phase").asString()).isEqualTo("Running");
            assertThat(pod.path("nodeName").asString()).isEqualTo(endpoint.path("nodeName").asString())
                .startsWith("realkube-node-");
        }
        String pod = service.path("endpoints").get(0).path("pod").path("name").asString();
        long revision = service.path("revision").asLong();
        Commands.Result labelled = cluster.cluster().kubectl("label", "pod", pod, "track=canary", "-n", namespace);
        assertThat(labelled.exitCode()).as(labelled.output()).isZero();

        JsonNode changed = awaitService(gateway, path, s -> {
            for (JsonNode endpoint : s.path("endpoints")) {
                if (endpoint.path("pod").path("name").asString().equals(pod)) {
                    return "canary".equals(endpoint.path("pod").path("labels").path("track").asString(null));
                }
            }
            return false;
        });
        assertThat(changed.path("revision").asLong()).isGreaterThan(revision);
    }

    private static boolean allHavePods(JsonNode service) {
        for (JsonNode endpoint : service.path("endpoints")) {
            if (!endpoint.path("pod").isObject()) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode awaitService(GatewayClient gateway, String path,
            java.util.function.Predicate<JsonNode> condition) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<String> response = gateway.get(path);
            return response.statusCode() == 200 ? GatewayClient.parse(response.body()) : null;
        }, service -> service != null && condition.test(service));
    }

}
