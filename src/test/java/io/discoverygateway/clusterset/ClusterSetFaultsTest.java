package io.discoverygateway.clusterset;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.FaultProxy;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A remote cluster that cannot be reached, or answers errors, through the fault proxy in
 * front of its API: its endpoints are served marked stale, then withdrawn after
 * {@code withdraw-after}, and come back when it answers again; this cluster's data, its
 * changes and the gateway's readiness never wait for it.
 */
@GatewayTest(properties = { "gateway.namespaces=shop", "gateway.clusterset.enabled=true",
        "gateway.clusterset.name=east", "gateway.clusterset.withdraw-after=2s" })
@DirtiesContext
class ClusterSetFaultsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final RemoteCluster WEST = RemoteCluster.start("west", "west-token-1");

    @Autowired
    Environment environment;

    @Autowired
    EmbeddedKubernetesApi east;

    @DynamicPropertySource
    static void remote(DynamicPropertyRegistry registry) {
        WEST.register(registry, 0);
    }

    @AfterEach
    void heal() {
        WEST.proxy().mode(FaultProxy.Mode.PASS);
        WEST.proxy().delay(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopRemote() {
        WEST.close();
    }

    @Test
    void anUnreachableRemoteIsStaleThenWithdrawnWhileThisClusterGoesOnAndComesBackWhenReachable() {
        exportFromWest("web", "10.2.0.1");
        awaitService("web", service -> service.path("endpoints").size() == 1);

        WEST.proxy().mode(FaultProxy.Mode.REFUSE);
        WEST.proxy().dropConnections();
        JsonNode stale = awaitService("web", service -> state(service).equals("stale"));
        east.create(ApiResource.SERVICES, "shop", exported(KubeObjects.service("shop", "local-during-outage")));
        JsonNode local = awaitService("local-during-outage", service -> true);
        JsonNode withdrawn = awaitService("web", service -> state(service).equals("withdrawn"));
        boolean readyDuringOutage = client().get("/actuator/health/readiness").statusCode() == 200;
        WEST.proxy().mode(FaultProxy.Mode.PASS);

        assertThat(stale.path("endpoints")).as("stale data is still served").hasSize(1);
        assertThat(stale.path("clusters").get(0).path("staleSince").isString()).isTrue();
        assertThat(stale.path("clusters").get(0).path("reason").asString()).contains("of cluster west");
        assertThat(local.path("clusters").get(0).path("cluster").asString()).isEqualTo("east");
        assertThat(withdrawn.path("endpoints")).isEmpty();
        assertThat(withdrawn.path("clusters").get(0).path("endpoints").asInt()).isEqualTo(1);
        assertThat(readyDuringOutage).isTrue();
        awaitService("web", service -> state(service).equals("current") && service.path("endpoints").size() == 1);
    }

    @Test
    void aRemoteAnsweringErrorsIsStaleWithTheReasonInItsClusterEntryAndItsMetrics() {
        exportFromWest("api", "10.2.0.9");
        awaitService("api", service -> service.path("endpoints").size() == 1);

        WEST.proxy().mode(FaultProxy.Mode.ERROR_500);
        WEST.proxy().dropConnections();

        JsonNode stale = awaitService("api",
                service -> service.path("clusters").get(0).path("reason").asString("").contains("500"));
        assertThat(state(stale)).isIn("stale", "withdrawn");
        assertThat(client().get("/actuator/metrics/gateway.clusterset.cluster.stale?tag=cluster:west").body())
            .contains("\"statistic\":\"VALUE\"");
        assertThat(client().get("/actuator/metrics/gateway.clusterset.cluster.failures?tag=cluster:west").body())
            .doesNotContain("\"value\":0.0");
    }

    @Test
    void aSlowRemoteNeverDelaysThisClustersChanges() {
        exportFromWest("slow-side", "10.2.0.30");
        awaitService("slow-side", service -> service.path("endpoints").size() == 1);
        WEST.proxy().delay(Duration.ofSeconds(10));
        WEST.proxy().mode(FaultProxy.Mode.SLOW);
        WEST.proxy().dropConnections();

        east.create(ApiResource.SERVICES, "shop", exported(KubeObjects.service("shop", "fast-side")));

        // The remote answers each request 10 s late: this cluster's change is served well
        // before any of them.
        await().atMost(Duration.ofSeconds(5))
            .until(() -> client().get("/api/v1/clusterset/namespaces/shop/services/fast-side").statusCode() == 200);
        assertThat(client().get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void aRotatedRemoteTokenIsReadAgainFromTheKubeconfigAndTheRemoteStaysCurrent() {
        exportFromWest("before-rotation", "10.2.0.20");
        awaitService("before-rotation", service -> service.path("endpoints").size() == 1);

        WEST.rotateToken("west-token-2");
        WEST.api().dropWatches();
        exportFromWest("after-rotation", "10.2.0.21");

        JsonNode after = awaitService("after-rotation", service -> service.path("endpoints").size() == 1);
        assertThat(state(after)).isEqualTo("current");
    }

    private void exportFromWest(String name, String address) {
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", name));
        WEST.api()
            .create(ApiResource.ENDPOINT_SLICES, "shop",
                    KubeObjects.slice("shop", name + "-1", name, List.of(EndpointSpec.ready(address))));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", name));
    }

    private static String state(JsonNode service) {
        return service.path("clusters").get(0).path("state").asString();
    }

    private JsonNode awaitService(String name, Predicate<JsonNode> condition) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> answer = client().get("/api/v1/clusterset/namespaces/shop/services/" + name);
            if (answer.statusCode() != 200) {
                return false;
            }
            found[0] = JSON.readTree(answer.body());
            return condition.test(found[0]);
        });
        return found[0];
    }

    private GatewayClient client() {
        return GatewayClient.of(environment);
    }

    private static String exported(String service) {
        tools.jackson.databind.node.ObjectNode node = (tools.jackson.databind.node.ObjectNode) JSON.readTree(service);
        node.withObject("metadata").withObject("annotations").put("discovery-gateway.io/export", "true");
        return node.toString();
    }

}
