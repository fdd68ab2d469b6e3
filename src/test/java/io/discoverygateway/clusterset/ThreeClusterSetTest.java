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
 * A cluster set of three: this cluster and two remote ones. One service exported by all
 * three is one cluster-set service with the endpoints of each; a remote cluster that
 * cannot be reached is stale on its own, and the other remote stays current.
 */
@GatewayTest(
        properties = { "gateway.namespaces=shop", "gateway.clusterset.enabled=true", "gateway.clusterset.name=east" })
@DirtiesContext
class ThreeClusterSetTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final RemoteCluster WEST = RemoteCluster.start("west");

    private static final RemoteCluster NORTH = RemoteCluster.start("north");

    @Autowired
    EmbeddedKubernetesApi east;

    @Autowired
    Environment environment;

    @DynamicPropertySource
    static void remotes(DynamicPropertyRegistry registry) {
        WEST.register(registry, 0);
        NORTH.register(registry, 1);
    }

    @AfterAll
    static void stopRemotes() {
        WEST.close();
        NORTH.close();
    }

    @Test
    void aServiceExportedByThreeClustersHasTheEndpointsOfEachAndOneUnreachableRemoteLeavesTheOtherCurrent() {
        east.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "api"));
        east.create(ApiResource.ENDPOINT_SLICES, "shop",
                KubeObjects.slice("shop", "api-1", "api", List.of(EndpointSpec.ready("10.1.0.1"))));
        east.create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "api"));
        for (RemoteCluster remote : List.of(WEST, NORTH)) {
            String address = remote == WEST ? "10.2.0.1" : "10.3.0.1";
            remote.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "api"));
            remote.api()
                .create(ApiResource.ENDPOINT_SLICES, "shop",
                        KubeObjects.slice("shop", "api-1", "api", List.of(EndpointSpec.ready(address))));
            remote.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "api"));
        }
        JsonNode all = awaitApi(service -> service.path("endpoints").size() == 3);

        NORTH.proxy().mode(FaultProxy.Mode.REFUSE);
        NORTH.proxy().dropConnections();
        JsonNode northCut = awaitApi(service -> state(service, "north").equals("stale"));
        WEST.api()
            .replace(ApiResource.ENDPOINT_SLICES, "shop", KubeObjects.slice("shop", "api-1", "api",
                    List.of(EndpointSpec.ready("10.2.0.1"), EndpointSpec.ready("10.2.0.2"))));
        JsonNode westChanged = awaitApi(service -> service.path("endpoints").size() == 4);
        NORTH.proxy().mode(FaultProxy.Mode.PASS);

        assertThat(all.path("clusters").findValuesAsString("cluster")).containsExactly("east", "north", "west");
        assertThat(all.path("endpoints").findValuesAsString("cluster")).containsExactlyInAnyOrder("east", "west",
                "north");
        assertThat(state(northCut, "west")).isEqualTo("current");
        assertThat(state(westChanged, "west")).as("the other remote's changes go on").isEqualTo("current");
        assertThat(state(westChanged, "north")).isEqualTo("stale");
    }

    private static String state(JsonNode service, String cluster) {
        for (JsonNode entry : service.path("clusters")) {
            if (entry.path("cluster").asString().equals(cluster)) {
                return entry.path("state").asString();
            }
        }
        return "absent";
    }

    private JsonNode awaitApi(Predicate<JsonNode> condition) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> answer = GatewayClient.of(environment)
                .get("/api/v1/clusterset/namespaces/shop/services/api");
            if (answer.statusCode() != 200) {
                return false;
            }
            found[0] = JSON.readTree(answer.body());
            return condition.test(found[0]);
        });
        return found[0];
    }

}
