package io.discoverygateway.api;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.discoverygateway.AlphaBetaContract;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The native REST API, driven by changes made through a Kubernetes API and observed
 * through the gateway: a contract that {@link ServiceApiTest} runs on the embedded API
 * and {@code ServiceApiOnRealClusterTest} on a real kube-apiserver, with the same
 * assertions. Each test uses its own service names, so the tests share one gateway
 * watching the namespaces alpha and beta.
 */
public abstract class ServiceApiContract extends AlphaBetaContract {

    @Test
    void aNewServiceAppearsWithItsEndpointsAndTheirConditions() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "orders", Map.of("app", "orders")));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "orders-1", "orders", List.of(EndpointSpec.ready("10.0.0.1"),
                        EndpointSpec.notReady("10.0.0.2"), EndpointSpec.terminating("10.0.0.3"))));

        JsonNode service = awaitService(alpha, "orders", s -> s.path("endpoints").size() == 3);

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
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "defaults"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha, """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"defaults-1","labels":{"kubernetes.io/service-name":"defaults"}},
                 "addressType":"IPv4","endpoints":[{"addresses":["10.0.9.1"]}],"ports":[{"port":8080}]}""");

        JsonNode endpoint = awaitService(alpha, "defaults", s -> s.path("endpoints").size() == 1).path("endpoints")
            .get(0);

        assertThat(endpoint.path("ready").asBoolean()).isTrue();
        assertThat(endpoint.path("serving").asBoolean()).isTrue();
        assertThat(endpoint.path("terminating").asBoolean()).isFalse();
        assertThat(endpoint.path("ports").get(0).path("protocol").asString()).isEqualTo("TCP");
    }

    @Test
    void scalingUpAndDownChangesTheEndpoints() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "scaler"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "scaler-1", "scaler", List.of(EndpointSpec.ready("10.0.1.1"))));
        awaitService(alpha, "scaler", s -> s.path("endpoints").size() == 1);

        cluster.replace(ApiResource.ENDPOINT_SLICES, alpha, KubeObjects.slice(alpha, "scaler-1", "scaler", List
            .of(EndpointSpec.ready("10.0.1.1"), EndpointSpec.ready("10.0.1.2"), EndpointSpec.ready("10.0.1.3"))));
        awaitService(alpha, "scaler", s -> s.path("endpoints").size() == 3);

        cluster.replace(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "scaler-1", "scaler", List.of(EndpointSpec.ready("10.0.1.3"))));
        JsonNode service = awaitService(alpha, "scaler", s -> s.path("endpoints").size() == 1);

        assertThat(service.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("10.0.1.3");
    }

    @Test
    void readinessFlipsAreVisibleAndReadyTrueKeepsOnlyReadyEndpoints() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "flipper"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha, KubeObjects.slice(alpha, "flipper-1", "flipper",
                List.of(EndpointSpec.ready("10.0.2.1"), EndpointSpec.ready("10.0.2.2"))));
        awaitService(alpha, "flipper", s -> s.path("endpoints").size() == 2);

        cluster.replace(ApiResource.ENDPOINT_SLICES, alpha, KubeObjects.slice(alpha, "flipper-1", "flipper",
                List.of(EndpointSpec.ready("10.0.2.1"), EndpointSpec.notReady("10.0.2.2"))));
        awaitService(alpha, "flipper", s -> !s.path("endpoints").get(1).path("ready").asBoolean());
        JsonNode readyOnly = gateway.json("/api/v1/namespaces/" + alpha + "/services/flipper?ready=true");

        assertThat(readyOnly.path("endpoints")).hasSize(1);
        assertThat(readyOnly.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("10.0.2.1");
    }

    @Test
    void endpointsOfAllSlicesAreMergedAndDeduplicated() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "merged"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha, KubeObjects.slice(alpha, "merged-a", "merged",
                List.of(EndpointSpec.ready("10.0.3.1"), EndpointSpec.ready("10.0.3.2"))));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha, KubeObjects.slice(alpha, "merged-b", "merged",
                List.of(EndpointSpec.ready("10.0.3.2"), EndpointSpec.ready("10.0.3.3"))));

        JsonNode service = awaitService(alpha, "merged", s -> s.path("endpoints").size() == 3);

        assertThat(field(service.path("endpoints"), e -> e.path("addressType").asString())).containsOnly("IPv4");
        assertThat(addresses(service)).containsExactly("10.0.3.1", "10.0.3.2", "10.0.3.3");
    }

    @Test
    void dualStackServicesListBothAddressFamilies() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "dual"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "dual-v4", "dual", "IPv4", List.of(EndpointSpec.ready("10.0.4.1"))));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "dual-v6", "dual", "IPv6", List.of(EndpointSpec.ready("fd00::4:1"))));

        JsonNode service = awaitService(alpha, "dual", s -> s.path("endpoints").size() == 2);

        assertThat(field(service.path("endpoints"), e -> e.path("addressType").asString())).containsExactly("IPv4",
                "IPv6");
        assertThat(addresses(service)).containsExactly("10.0.4.1", "fd00::4:1");
    }

    @Test
    void deletingASliceRemovesItsEndpoints() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "sliced"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "sliced-a", "sliced", List.of(EndpointSpec.ready("10.0.5.1"))));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "sliced-b", "sliced", List.of(EndpointSpec.ready("10.0.5.2"))));
        awaitService(alpha, "sliced", s -> s.path("endpoints").size() == 2);

        cluster.delete(ApiResource.ENDPOINT_SLICES, alpha, "sliced-a");

        JsonNode service = awaitService(alpha, "sliced", s -> s.path("endpoints").size() == 1);
        assertThat(addresses(service)).containsExactly("10.0.5.2");
    }

    @Test
    void deletingTheServiceRemovesItFromTheApi() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "doomed"));
        awaitService(alpha, "doomed", s -> true);

        cluster.delete(ApiResource.SERVICES, alpha, "doomed");

        await().atMost(Duration.ofSeconds(10))
            .until(() -> gateway.get("/api/v1/namespaces/" + alpha + "/services/doomed").statusCode() == 404);
    }

    @Test
    void aServiceScaledToZeroHasNoEndpointsAndTheCacheStaysInSync() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "idle"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "idle-1", "idle", List.of(EndpointSpec.ready("10.0.6.1"))));
        awaitService(alpha, "idle", s -> s.path("endpoints").size() == 1);

        cluster.replace(ApiResource.ENDPOINT_SLICES, alpha, KubeObjects.emptySlice(alpha, "idle-1", "idle"));
        awaitService(alpha, "idle", s -> s.path("endpoints").isEmpty());
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "after-idle"));

        awaitService(alpha, "after-idle", s -> true);
        assertThat(gateway.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void slicesWithoutAServiceAreNotExposed() {
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "orphan-1", "orphan", List.of(EndpointSpec.ready("10.0.7.1"))));
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "after-orphan"));
        awaitService(alpha, "after-orphan", s -> true);

        assertThat(gateway.get("/api/v1/namespaces/" + alpha + "/services/orphan").statusCode()).isEqualTo(404);

        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "orphan"));
        awaitService(alpha, "orphan", s -> s.path("endpoints").size() == 1);
    }

    @Test
    void externalNameServicesAreListedWithTheirExternalName() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.externalNameService(alpha, "mail", "smtp.example.com"));

        JsonNode service = awaitService(alpha, "mail", s -> true);

        assertThat(service.path("type").asString()).isEqualTo("ExternalName");
        assertThat(service.path("externalName").asString()).isEqualTo("smtp.example.com");
        assertThat(service.path("endpoints")).isEmpty();
    }

    @Test
    void kubectlsLastAppliedConfigurationIsNotServed() {
        cluster.create(ApiResource.SERVICES, alpha, """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"annotated","annotations":{
                  "team":"payments","kubectl.kubernetes.io/last-applied-configuration":"{\\"big\\":\\"blob\\"}"}},
                 "spec":{"ports":[{"port":80}]}}""");

        JsonNode service = awaitService(alpha, "annotated", s -> true);

        assertThat(service.path("annotations").properties()).extracting(Map.Entry::getKey).containsExactly("team");
    }

    @Test
    void aChangeRaisesTheRevisionAndAnIdenticalRewriteDoesNot() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "steady"));
        long first = awaitService(alpha, "steady", s -> true).path("revision").asLong();

        cluster.replace(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "steady"));
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "steady-marker"));
        awaitService(alpha, "steady-marker", s -> true);
        long unchanged = gateway.json("/api/v1/namespaces/" + alpha + "/services/steady").path("revision").asLong();
        cluster.replace(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "steady", Map.of("version", "2")));
        long changed = awaitService(alpha, "steady", s -> s.path("labels").has("version")).path("revision").asLong();

        assertThat(unchanged).isEqualTo(first);
        assertThat(changed).isGreaterThan(first);
    }

    @Test
    void readsCarryAnEtagAndAnswer304WhileNothingChanged() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "tagged"));
        awaitService(alpha, "tagged", s -> true);
        HttpResponse<String> first = gateway.get("/api/v1/namespaces/" + alpha + "/services/tagged");
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> revalidated = gateway.get("/api/v1/namespaces/" + alpha + "/services/tagged",
                "If-None-Match", etag);
        cluster.replace(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "tagged", Map.of("v", "2")));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> gateway.get("/api/v1/namespaces/" + alpha + "/services/tagged", "If-None-Match", etag)
                .statusCode() == 200);
        HttpResponse<String> changed = gateway.get("/api/v1/namespaces/" + alpha + "/services/tagged", "If-None-Match",
                etag);

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
        cluster.create(ApiResource.SERVICES, beta, KubeObjects.service(beta, "web-b", Map.of("tier", "web")));
        cluster.create(ApiResource.SERVICES, beta, KubeObjects.service(beta, "db-b", Map.of("tier", "db")));
        awaitService(beta, "db-b", s -> true);
        awaitService(beta, "web-b", s -> true);

        JsonNode web = gateway.json("/api/v1/services?namespace=" + beta + "&labelSelector=tier%20in%20(web)");
        JsonNode betaList = gateway.json("/api/v1/namespaces/" + beta + "/services?labelSelector=tier");

        assertThat(field(web.path("items"), item -> item.path("name").asString())).containsExactly("web-b");
        assertThat(field(betaList.path("items"), item -> item.path("name").asString())).contains("db-b", "web-b");
        assertThat(field(betaList.path("items"), item -> item.path("namespace").asString())).containsOnly(beta);
        JsonNode summary = web.path("items").get(0);
        assertThat(summary.has("endpoints")).isTrue();
        assertThat(summary.has("readyEndpoints")).isTrue();
        assertThat(summary.has("revision")).isTrue();
        assertThat(web.path("epoch").asString()).isNotEmpty();
    }

    protected JsonNode awaitService(String namespace, String name, java.util.function.Predicate<JsonNode> condition) {
        String path = "/api/v1/namespaces/" + namespace + "/services/" + name;
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<String> response = gateway.get(path);
            return response.statusCode() == 200 ? GatewayClient.parse(response.body()) : null;
        }, service -> service != null && condition.test(service));
    }

    protected static List<String> addresses(JsonNode service) {
        return field(service.path("endpoints"), endpoint -> endpoint.path("addresses").get(0).asString());
    }

    private static List<String> field(JsonNode array, java.util.function.Function<JsonNode, String> field) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(element -> values.add(field.apply(element)));
        return values;
    }

}
