package io.discoverygateway;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The native REST API, driven by changes made through the embedded Kubernetes API. Each test uses its own
 * service names, so the tests share one gateway.
 */
@GatewayTest(properties = "gateway.namespaces=alpha,beta")
class ServiceApiTest {

    private static final String ALPHA = "alpha";

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    private GatewayClient gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port);
    }

    @Test
    void aNewServiceAppearsWithItsEndpointsAndTheirConditions() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "orders", Map.of("app", "orders")));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA, KubeObjects.slice(ALPHA, "orders-1", "orders",
                List.of(EndpointSpec.ready("10.0.0.1"), EndpointSpec.notReady("10.0.0.2"),
                        EndpointSpec.terminating("10.0.0.3"))));

        JsonNode service = awaitService(ALPHA, "orders", s -> s.path("endpoints").size() == 3);

        assertThat(service.path("type").asString()).isEqualTo("ClusterIP");
        assertThat(service.path("labels").path("app").asString()).isEqualTo("orders");
        assertThat(service.path("ports").get(0).path("targetPort").asString()).isEqualTo("8080");
        JsonNode first = service.path("endpoints").get(0);
        assertThat(first.path("addresses").get(0).asString()).isEqualTo("10.0.0.1");
        assertThat(first.path("ready").asBoolean()).isTrue();
        assertThat(first.path("zone").asString()).isEqualTo("zone-a");
        assertThat(first.path("nodeName").asString()).isEqualTo("node-1");
        assertThat(first.path("targetRef").path("kind").asString()).isEqualTo("Pod");
        assertThat(first.path("ports").get(0).path("port").asInt()).isEqualTo(8080);
        JsonNode terminating = service.path("endpoints").get(2);
        assertThat(terminating.path("ready").asBoolean()).isFalse();
        assertThat(terminating.path("serving").asBoolean()).isTrue();
        assertThat(terminating.path("terminating").asBoolean()).isTrue();
    }

    @Test
    void missingConditionsTakeTheApiDefaults() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "defaults"));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA, """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"defaults-1","labels":{"kubernetes.io/service-name":"defaults"}},
                 "addressType":"IPv4","endpoints":[{"addresses":["10.0.9.1"]}],"ports":[{"port":8080}]}""");

        JsonNode endpoint = awaitService(ALPHA, "defaults", s -> s.path("endpoints").size() == 1)
                .path("endpoints").get(0);

        assertThat(endpoint.path("ready").asBoolean()).isTrue();
        assertThat(endpoint.path("serving").asBoolean()).isTrue();
        assertThat(endpoint.path("terminating").asBoolean()).isFalse();
        assertThat(endpoint.path("ports").get(0).path("protocol").asString()).isEqualTo("TCP");
    }

    @Test
    void scalingUpAndDownChangesTheEndpoints() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "scaler"));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "scaler-1", "scaler", List.of(EndpointSpec.ready("10.0.1.1"))));
        awaitService(ALPHA, "scaler", s -> s.path("endpoints").size() == 1);

        api.replace(ApiResource.ENDPOINT_SLICES, ALPHA, KubeObjects.slice(ALPHA, "scaler-1", "scaler",
                List.of(EndpointSpec.ready("10.0.1.1"), EndpointSpec.ready("10.0.1.2"), EndpointSpec.ready("10.0.1.3"))));
        awaitService(ALPHA, "scaler", s -> s.path("endpoints").size() == 3);

        api.replace(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "scaler-1", "scaler", List.of(EndpointSpec.ready("10.0.1.3"))));
        JsonNode service = awaitService(ALPHA, "scaler", s -> s.path("endpoints").size() == 1);

        assertThat(service.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("10.0.1.3");
    }

    @Test
    void readinessFlipsAreVisibleAndReadyTrueKeepsOnlyReadyEndpoints() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "flipper"));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA, KubeObjects.slice(ALPHA, "flipper-1", "flipper",
                List.of(EndpointSpec.ready("10.0.2.1"), EndpointSpec.ready("10.0.2.2"))));
        awaitService(ALPHA, "flipper", s -> s.path("endpoints").size() == 2);

        api.replace(ApiResource.ENDPOINT_SLICES, ALPHA, KubeObjects.slice(ALPHA, "flipper-1", "flipper",
                List.of(EndpointSpec.ready("10.0.2.1"), EndpointSpec.notReady("10.0.2.2"))));
        awaitService(ALPHA, "flipper", s -> !s.path("endpoints").get(1).path("ready").asBoolean());
        JsonNode readyOnly = gateway.json("/api/v1/namespaces/alpha/services/flipper?ready=true");

        assertThat(readyOnly.path("endpoints")).hasSize(1);
        assertThat(readyOnly.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("10.0.2.1");
    }

    @Test
    void endpointsOfAllSlicesAreMergedAndDeduplicated() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "merged"));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA, KubeObjects.slice(ALPHA, "merged-a", "merged",
                List.of(EndpointSpec.ready("10.0.3.1"), EndpointSpec.ready("10.0.3.2"))));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA, KubeObjects.slice(ALPHA, "merged-b", "merged",
                List.of(EndpointSpec.ready("10.0.3.2"), EndpointSpec.ready("10.0.3.3"))));

        JsonNode service = awaitService(ALPHA, "merged", s -> s.path("endpoints").size() == 3);

        assertThat(field(service.path("endpoints"), e -> e.path("addressType").asString())).containsOnly("IPv4");
        assertThat(addresses(service)).containsExactly("10.0.3.1", "10.0.3.2", "10.0.3.3");
    }

    @Test
    void dualStackServicesListBothAddressFamilies() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "dual"));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "dual-v4", "dual", "IPv4", List.of(EndpointSpec.ready("10.0.4.1"))));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "dual-v6", "dual", "IPv6", List.of(EndpointSpec.ready("fd00::4:1"))));

        JsonNode service = awaitService(ALPHA, "dual", s -> s.path("endpoints").size() == 2);

        assertThat(field(service.path("endpoints"), e -> e.path("addressType").asString()))
                .containsExactly("IPv4", "IPv6");
        assertThat(addresses(service)).containsExactly("10.0.4.1", "fd00::4:1");
    }

    @Test
    void deletingASliceRemovesItsEndpoints() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "sliced"));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "sliced-a", "sliced", List.of(EndpointSpec.ready("10.0.5.1"))));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "sliced-b", "sliced", List.of(EndpointSpec.ready("10.0.5.2"))));
        awaitService(ALPHA, "sliced", s -> s.path("endpoints").size() == 2);

        api.delete(ApiResource.ENDPOINT_SLICES, ALPHA, "sliced-a");

        JsonNode service = awaitService(ALPHA, "sliced", s -> s.path("endpoints").size() == 1);
        assertThat(addresses(service)).containsExactly("10.0.5.2");
    }

    @Test
    void deletingTheServiceRemovesItFromTheApi() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "doomed"));
        awaitService(ALPHA, "doomed", s -> true);

        api.delete(ApiResource.SERVICES, ALPHA, "doomed");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> gateway.get("/api/v1/namespaces/alpha/services/doomed").statusCode() == 404);
    }

    @Test
    void aServiceScaledToZeroHasNoEndpointsAndTheCacheStaysInSync() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "idle"));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "idle-1", "idle", List.of(EndpointSpec.ready("10.0.6.1"))));
        awaitService(ALPHA, "idle", s -> s.path("endpoints").size() == 1);

        api.replace(ApiResource.ENDPOINT_SLICES, ALPHA, KubeObjects.emptySlice(ALPHA, "idle-1", "idle"));
        awaitService(ALPHA, "idle", s -> s.path("endpoints").isEmpty());
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "after-idle"));

        awaitService(ALPHA, "after-idle", s -> true);
        assertThat(gateway.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void slicesWithoutAServiceAreNotExposed() {
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "orphan-1", "orphan", List.of(EndpointSpec.ready("10.0.7.1"))));
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "after-orphan"));
        awaitService(ALPHA, "after-orphan", s -> true);

        assertThat(gateway.get("/api/v1/namespaces/alpha/services/orphan").statusCode()).isEqualTo(404);

        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "orphan"));
        awaitService(ALPHA, "orphan", s -> s.path("endpoints").size() == 1);
    }

    @Test
    void externalNameServicesAreListedWithTheirExternalName() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.externalNameService(ALPHA, "mail", "smtp.example.com"));

        JsonNode service = awaitService(ALPHA, "mail", s -> true);

        assertThat(service.path("type").asString()).isEqualTo("ExternalName");
        assertThat(service.path("externalName").asString()).isEqualTo("smtp.example.com");
        assertThat(service.path("endpoints")).isEmpty();
    }

    @Test
    void kubectlsLastAppliedConfigurationIsNotServed() {
        api.create(ApiResource.SERVICES, ALPHA, """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"annotated","annotations":{
                  "team":"payments","kubectl.kubernetes.io/last-applied-configuration":"{\\"big\\":\\"blob\\"}"}},
                 "spec":{"ports":[{"port":80}]}}""");

        JsonNode service = awaitService(ALPHA, "annotated", s -> true);

        assertThat(service.path("annotations").properties()).extracting(Map.Entry::getKey).containsExactly("team");
    }

    @Test
    void aChangeRaisesTheRevisionAndAnIdenticalRewriteDoesNot() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "steady"));
        long first = awaitService(ALPHA, "steady", s -> true).path("revision").asLong();

        api.replace(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "steady"));
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "steady-marker"));
        awaitService(ALPHA, "steady-marker", s -> true);
        long unchanged = gateway.json("/api/v1/namespaces/alpha/services/steady").path("revision").asLong();
        api.replace(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "steady", Map.of("version", "2")));
        long changed = awaitService(ALPHA, "steady", s -> s.path("labels").has("version")).path("revision").asLong();

        assertThat(unchanged).isEqualTo(first);
        assertThat(changed).isGreaterThan(first);
    }

    @Test
    void readsCarryAnEtagAndAnswer304WhileNothingChanged() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "tagged"));
        awaitService(ALPHA, "tagged", s -> true);
        HttpResponse<String> first = gateway.get("/api/v1/namespaces/alpha/services/tagged");
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> revalidated = gateway.get("/api/v1/namespaces/alpha/services/tagged",
                "If-None-Match", etag);
        api.replace(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "tagged", Map.of("v", "2")));
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway
                .get("/api/v1/namespaces/alpha/services/tagged", "If-None-Match", etag).statusCode() == 200);
        HttpResponse<String> changed = gateway.get("/api/v1/namespaces/alpha/services/tagged", "If-None-Match", etag);

        assertThat(etag).matches("\"[0-9a-f]+-\\d+\"");
        assertThat(revalidated.statusCode()).isEqualTo(304);
        assertThat(revalidated.body()).isEmpty();
        assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    }

    @Test
    void listsCarryAnEtagAndAnswer304() {
        HttpResponse<String> list = gateway.get("/api/v1/services");
        String etag = list.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> revalidated = gateway.get("/api/v1/services", "If-None-Match", etag);

        assertThat(revalidated.statusCode()).isIn(200, 304);
        if (revalidated.statusCode() == 200) {
            assertThat(revalidated.headers().firstValue("ETag")).isNotEqualTo(etag);
        }
    }

    @Test
    void listsFilterByNamespaceAndLabelSelector() {
        api.create(ApiResource.SERVICES, "beta", KubeObjects.service("beta", "web-b", Map.of("tier", "web")));
        api.create(ApiResource.SERVICES, "beta", KubeObjects.service("beta", "db-b", Map.of("tier", "db")));
        awaitService("beta", "db-b", s -> true);
        awaitService("beta", "web-b", s -> true);

        JsonNode web = gateway.json("/api/v1/services?namespace=beta&labelSelector=tier%20in%20(web)");
        JsonNode beta = gateway.json("/api/v1/namespaces/beta/services?labelSelector=tier");

        assertThat(field(web.path("items"), item -> item.path("name").asString())).containsExactly("web-b");
        assertThat(field(beta.path("items"), item -> item.path("name").asString())).contains("db-b", "web-b");
        assertThat(field(beta.path("items"), item -> item.path("namespace").asString())).containsOnly("beta");
        JsonNode summary = web.path("items").get(0);
        assertThat(summary.has("endpoints")).isTrue();
        assertThat(summary.has("readyEndpoints")).isTrue();
        assertThat(summary.has("revision")).isTrue();
        assertThat(web.path("epoch").asString()).isNotEmpty();
    }

    @Test
    void requestsNeverReachTheKubernetesApiAndThereIsOneWatchPerKindAndNamespace() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "popular"));
        awaitService(ALPHA, "popular", s -> true);
        List<RecordedRequest> before = api.requests();

        for (int i = 0; i < 50; i++) {
            gateway.get("/api/v1/namespaces/alpha/services/popular");
            gateway.get("/api/v1/services");
            gateway.get("/apps/popular");
        }

        assertThat(api.requests()).isEqualTo(before);
        assertThat(api.openWatchCount()).isEqualTo(4);
        assertThat(before).filteredOn(request -> request.verb().equals("watch")).containsOnly(
                new RecordedRequest("watch", "", "services", "alpha"),
                new RecordedRequest("watch", "", "services", "beta"),
                new RecordedRequest("watch", "discovery.k8s.io", "endpointslices", "alpha"),
                new RecordedRequest("watch", "discovery.k8s.io", "endpointslices", "beta"));
    }

    @Test
    void withoutPodMetadataNoPodIsEverRequestedNorShown() {
        api.create(ApiResource.SERVICES, ALPHA, KubeObjects.service(ALPHA, "podless"));
        api.create(ApiResource.ENDPOINT_SLICES, ALPHA,
                KubeObjects.slice(ALPHA, "podless-1", "podless", List.of(EndpointSpec.ready("10.0.8.1"))));

        JsonNode service = awaitService(ALPHA, "podless", s -> s.path("endpoints").size() == 1);

        assertThat(service.path("endpoints").get(0).has("pod")).isFalse();
        assertThat(api.requests()).extracting(RecordedRequest::resource).doesNotContain("pods");
    }

    private JsonNode awaitService(String namespace, String name, java.util.function.Predicate<JsonNode> condition) {
        String path = "/api/v1/namespaces/" + namespace + "/services/" + name;
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<String> response = gateway.get(path);
            return response.statusCode() == 200 ? GatewayClient.parse(response.body()) : null;
        }, service -> service != null && condition.test(service));
    }

    private static List<String> addresses(JsonNode service) {
        return field(service.path("endpoints"), endpoint -> endpoint.path("addresses").get(0).asString());
    }

    private static List<String> field(JsonNode array, java.util.function.Function<JsonNode, String> field) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(element -> values.add(field.apply(element)));
        return values;
    }
}
