package io.discoverygateway.clusterset;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster set of two: this cluster ("east", the gateway's own embedded API) and a
 * remote one ("west", a second embedded API read through its kubeconfig). Services are
 * exported by a ServiceExport or by the export annotation, and served merged, each
 * endpoint with its cluster.
 */
@GatewayTest(properties = { "gateway.namespaces=shop", "gateway.clusterset.enabled=true",
        "gateway.clusterset.name=east", "gateway.clusterset.merge-apps=true" })
@DirtiesContext
class ClusterSetTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final RemoteCluster WEST = RemoteCluster.start("west");

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi east;

    @DynamicPropertySource
    static void remote(DynamicPropertyRegistry registry) {
        WEST.register(registry, 0);
    }

    @AfterAll
    static void stopRemote() {
        WEST.close();
    }

    @Test
    void aServiceExportedInTheRemoteClusterIsServedWithItsClusterAndWithdrawnWhenUnexported() {
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "cart"));
        WEST.api()
            .create(ApiResource.ENDPOINT_SLICES, "shop",
                    KubeObjects.slice("shop", "cart-1", "cart", List.of(EndpointSpec.ready("10.2.0.1"))));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "cart"));

        JsonNode cart = awaitService("cart", service -> service.path("endpoints").size() == 1);
        WEST.api().delete(ApiResource.SERVICE_EXPORTS, "shop", "cart");

        assertThat(cart.path("type").asString()).isEqualTo("ClusterSetIP");
        assertThat(cart.path("endpoints").get(0).path("cluster").asString()).isEqualTo("west");
        assertThat(cart.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("10.2.0.1");
        assertThat(cart.path("clusters").get(0).path("exportedAt").isString()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/namespaces/shop/services/cart").statusCode() == 404);
    }

    @Test
    void aServiceThatNoClusterExportsIsNeverShown() {
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "internal"));
        east.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "internal"));
        east.create(ApiResource.SERVICES, "shop", annotated(KubeObjects.service("shop", "marker")));
        awaitService("marker", service -> true);

        assertThat(get("/namespaces/shop/services/internal").statusCode()).isEqualTo(404);
        assertThat(get("/services").body()).doesNotContain("\"internal\"");
    }

    @Test
    void theSameServiceInBothClustersIsOneServiceWithTheEndpointsOfEachThisClusterFirst() {
        east.create(ApiResource.SERVICES, "shop", annotated(KubeObjects.service("shop", "api")));
        east.create(ApiResource.ENDPOINT_SLICES, "shop",
                KubeObjects.slice("shop", "api-1", "api", List.of(EndpointSpec.ready("10.1.0.1"))));
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "api"));
        WEST.api()
            .create(ApiResource.ENDPOINT_SLICES, "shop", KubeObjects.slice("shop", "api-1", "api",
                    List.of(EndpointSpec.ready("10.2.0.1"), EndpointSpec.notReady("10.2.0.2"))));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "api"));

        JsonNode api = awaitService("api", service -> service.path("endpoints").size() == 3);
        JsonNode westOnly = JSON.readTree(get("/namespaces/shop/services/api?cluster=west&ready=true").body());

        assertThat(api.path("clusters").findValuesAsString("cluster")).containsExactly("east", "west");
        assertThat(api.path("clusters").get(0).path("local").asBoolean()).isTrue();
        assertThat(api.path("endpoints").findValuesAsString("cluster")).containsExactly("east", "west", "west");
        assertThat(api.path("conflicts").isEmpty()).isTrue();
        assertThat(westOnly.path("endpoints")).hasSize(1);
        assertThat(westOnly.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("10.2.0.1");
    }

    @Test
    void aPortDefinedDifferentlyIsAConflictResolvedForTheOldestExport() {
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "pay"));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "pay"));
        awaitService("pay", service -> true);
        ObjectNode pay = (ObjectNode) JSON.readTree(annotated(KubeObjects.service("shop", "pay")));
        ((ObjectNode) pay.path("spec").path("ports").get(0)).put("port", 8080);
        east.create(ApiResource.SERVICES, "shop", pay.toString());

        JsonNode merged = awaitService("pay", service -> service.path("conflicts").size() == 1);

        JsonNode conflict = merged.path("conflicts").get(0);
        assertThat(conflict.path("field").asString()).isEqualTo("ports");
        assertThat(conflict.path("winner").asString()).as("a ServiceExport is older than any annotation")
            .isEqualTo("west");
        assertThat(conflict.path("clusters").get(0).asString()).isEqualTo("east");
        assertThat(merged.path("ports")).hasSize(1);
        assertThat(merged.path("ports").get(0).path("port").asInt()).isEqualTo(80);
        assertThat(
                new GatewayClient(port, managementPort()).get("/actuator/metrics/gateway.clusterset.conflicts").body())
            .contains("\"value\":1.0");
    }

    @Test
    void aLongPollOnAClusterSetServiceIsAnsweredWhenTheRemoteClusterChangesIt() throws Exception {
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "orders"));
        WEST.api()
            .create(ApiResource.ENDPOINT_SLICES, "shop",
                    KubeObjects.slice("shop", "orders-1", "orders", List.of(EndpointSpec.ready("10.2.1.1"))));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "orders"));
        awaitService("orders", service -> service.path("endpoints").size() == 1);
        String etag = get("/namespaces/shop/services/orders").headers().firstValue("ETag").orElseThrow();

        java.util.concurrent.CompletableFuture<HttpResponse<String>> held = java.net.http.HttpClient.newHttpClient()
            .sendAsync(java.net.http.HttpRequest
                .newBuilder(java.net.URI
                    .create("http://localhost:" + port + "/api/v1/clusterset/namespaces/shop/services/orders?wait=30s"))
                .header("If-None-Match", etag)
                .build(), HttpResponse.BodyHandlers.ofString());
        boolean heldWhileNothingChanged = await().during(Duration.ofMillis(300))
            .atMost(Duration.ofSeconds(2))
            .until(() -> !held.isDone(), done -> done);
        WEST.api()
            .replace(ApiResource.ENDPOINT_SLICES, "shop", KubeObjects.slice("shop", "orders-1", "orders",
                    List.of(EndpointSpec.ready("10.2.1.1"), EndpointSpec.ready("10.2.1.2"))));
        HttpResponse<String> answer = held.get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(heldWhileNothingChanged).isTrue();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("endpoints")).hasSize(2);
        assertThat(answer.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    }

    @Test
    void aLongPollOnTheClusterSetThatSeesNoChangeIsNotModifiedAfterItsWait() {
        String etag = get("/services").headers().firstValue("ETag").orElseThrow();
        long started = System.nanoTime();

        HttpResponse<String> held = new GatewayClient(port).get("/api/v1/clusterset/services?wait=1s", "If-None-Match",
                etag);

        assertThat(held.statusCode()).isEqualTo(304);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(900));
        assertThat(get("/services?index=12345").statusCode()).as("an index without an epoch").isEqualTo(400);
    }

    @Test
    void theClusterSetStreamSendsTheMergedServiceWithEachEndpointsClusterAndItsChanges() throws Exception {
        east.create(ApiResource.SERVICES, "shop", annotated(KubeObjects.service("shop", "feed")));
        east.create(ApiResource.ENDPOINT_SLICES, "shop",
                KubeObjects.slice("shop", "feed-1", "feed", List.of(EndpointSpec.ready("10.1.3.1"))));
        awaitService("feed", service -> service.path("endpoints").size() == 1);

        try (SseClient stream = SseClient.connect(port, "/api/v1/clusterset/stream?service=shop/feed")) {
            SseClient.Event added = stream.awaitNamed("ADDED", Duration.ofSeconds(10));
            stream.awaitNamed("SYNCED", Duration.ofSeconds(10));
            WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "feed"));
            WEST.api()
                .create(ApiResource.ENDPOINT_SLICES, "shop",
                        KubeObjects.slice("shop", "feed-1", "feed", List.of(EndpointSpec.ready("10.2.3.1"))));
            WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "feed"));
            SseClient.Event modified = stream
                .awaitEvent(event -> "MODIFIED".equals(event.type()) && event.data().contains("10.2.3.1"),
                        Duration.ofSeconds(10))
                .stream()
                .filter(event -> "MODIFIED".equals(event.type()) && event.data().contains("10.2.3.1"))
                .findFirst()
                .orElseThrow();

            JsonNode before = JSON.readTree(added.data());
            JsonNode after = JSON.readTree(modified.data());
            assertThat(before.path("type").asString()).isEqualTo("ClusterSetIP");
            assertThat(before.path("endpoints").findValuesAsString("cluster")).containsExactly("east");
            assertThat(after.path("endpoints").findValuesAsString("cluster")).containsExactlyInAnyOrder("east", "west");
            assertThat(modified.id()).startsWith("cs");
        }
    }

    @Test
    void withAppsMergedTheDiscoveryServerListsEveryClustersInstancesWithTheirCluster() {
        east.create(ApiResource.SERVICES, "shop", annotated(KubeObjects.service("shop", "catalog")));
        east.create(ApiResource.ENDPOINT_SLICES, "shop",
                KubeObjects.slice("shop", "catalog-1", "catalog", List.of(EndpointSpec.ready("10.1.4.1"))));
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "catalog"));
        WEST.api()
            .create(ApiResource.ENDPOINT_SLICES, "shop",
                    KubeObjects.slice("shop", "catalog-1", "catalog", List.of(EndpointSpec.ready("10.2.4.1"))));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "catalog"));
        east.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "local-only"));
        east.create(ApiResource.ENDPOINT_SLICES, "shop",
                KubeObjects.slice("shop", "local-only-1", "local-only", List.of(EndpointSpec.ready("10.1.4.9"))));
        GatewayClient client = new GatewayClient(port);

        await().atMost(Duration.ofSeconds(10))
            .until(() -> JSON.readTree(client.get("/apps/catalog").body()).size() == 2);
        JsonNode instances = JSON.readTree(client.get("/apps/catalog").body());
        JsonNode localOnly = JSON.readTree(client.get("/apps/local-only").body());

        assertThat(instances.findValuesAsString("host")).containsExactlyInAnyOrder("10.1.4.1", "10.2.4.1");
        assertThat(instances.findValuesAsString("cluster")).containsExactlyInAnyOrder("east", "west");
        assertThat(localOnly).hasSize(1);
        assertThat(localOnly.get(0).path("cluster").isNull()).isTrue();
        assertThat(client.get("/apps").body()).contains("\"name\":\"catalog\"", "\"name\":\"local-only\"");
    }

    @Test
    void theClusterSetStreamFilteredByAClusterHasOnlyTheServicesItExports() throws Exception {
        east.create(ApiResource.SERVICES, "shop", annotated(KubeObjects.service("shop", "east-only")));
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "west-only"));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "west-only"));
        awaitService("east-only", service -> true);
        awaitService("west-only", service -> true);

        try (SseClient stream = SseClient.connect(port, "/api/v1/clusterset/stream?cluster=west")) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(10));

            assertThat(stream.namedEvents()).extracting(SseClient.Event::data)
                .anyMatch(data -> data != null && data.contains("\"name\":\"west-only\""))
                .noneMatch(data -> data != null && data.contains("\"name\":\"east-only\""));
        }
        assertThat(get("/stream?cluster=north").statusCode()).isEqualTo(400);
    }

    @Test
    void anUnknownClusterFilterIsAProblemThatNamesTheClusters() {
        HttpResponse<String> answer = get("/services?cluster=north");

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.headers().firstValue("Content-Type"))
            .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(answer.body()).contains("east, west");
    }

    @Test
    void theClustersAreListedWithTheirState() {
        await().atMost(Duration.ofSeconds(10))
            .until(() -> get("/clusters").body().contains("\"name\":\"west\",\"local\":false,\"synced\":true"));

        assertThat(get("/clusters").body()).contains("\"name\":\"east\",\"local\":true,\"synced\":true");
    }

    private JsonNode awaitService(String name, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<String> answer = get("/namespaces/shop/services/" + name);
            if (answer.statusCode() != 200) {
                return false;
            }
            found[0] = JSON.readTree(answer.body());
            return condition.test(found[0]);
        });
        return found[0];
    }

    private HttpResponse<String> get(String path) {
        return new GatewayClient(port).get("/api/v1/clusterset" + path);
    }

    @Autowired
    org.springframework.core.env.Environment environment;

    private int managementPort() {
        return Integer.parseInt(environment.getRequiredProperty("local.management.port"));
    }

    /** The Service with the export annotation. */
    private static String annotated(String service) {
        ObjectNode node = (ObjectNode) JSON.readTree(service);
        node.withObject("metadata").withObject("annotations").put("discovery-gateway.io/export", "true");
        return node.toString();
    }

}
