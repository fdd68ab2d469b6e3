package io.discoverygateway.kubeapi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded Kubernetes API behaves like kube-apiserver where the gateway depends on
 * it.
 */
class EmbeddedKubernetesApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start(0, 5);

    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void listReturnsItemsWithTheCurrentResourceVersionAndHonoursLabelSelectors() throws Exception {
        api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "a", java.util.Map.of("tier", "web")));
        api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "b", java.util.Map.of("tier", "db")));

        JsonNode all = getJson("/api/v1/namespaces/ns/services");
        JsonNode web = getJson("/api/v1/namespaces/ns/services?labelSelector=tier%3Dweb");

        assertThat(all.path("kind").asString()).isEqualTo("ServiceList");
        assertThat(all.path("metadata").path("resourceVersion").asString())
            .isEqualTo(Long.toString(api.resourceVersion()));
        assertThat(names(all)).containsExactly("a", "b");
        assertThat(names(web)).containsExactly("a");
    }

    @Test
    void listPagesWithLimitAndContinue() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", name));
        }
        JsonNode first = getJson("/api/v1/services?limit=2");
        JsonNode second = getJson(
                "/api/v1/services?limit=2&continue=" + first.path("metadata").path("continue").asString());

        assertThat(names(first)).containsExactly("a", "b");
        assertThat(names(second)).containsExactly("c");
        assertThat(second.path("metadata").has("continue")).isFalse();
    }

    @Test
    void everyWriteRaisesTheResourceVersion() throws Exception {
        long before = api.resourceVersion();
        HttpResponse<String> created = send("POST", "/api/v1/namespaces/ns/services", "application/json",
                KubeObjects.service("ns", "web"));
        long afterCreate = version(JSON.readTree(created.body()));
        HttpResponse<String> patched = send("PATCH", "/api/v1/namespaces/ns/services/web",
                "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"version\":\"v2\"}}}");
        long afterPatch = version(JSON.readTree(patched.body()));
        JsonNode current = JSON.readTree(patched.body());
        HttpResponse<String> updated = send("PUT", "/api/v1/namespaces/ns/services/web", "application/json",
                current.toString());
        long afterUpdate = version(JSON.readTree(updated.body()));
        HttpResponse<String> deleted = send("DELETE", "/api/v1/namespaces/ns/services/web", null, null);

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(patched.body()).path("metadata").path("labels").path("version").asString())
            .isEqualTo("v2");
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(List.of(before, afterCreate, afterPatch, afterUpdate, api.resourceVersion())).isSorted()
            .doesNotHaveDuplicates();
    }

    @Test
    void updateWithAStaleResourceVersionIsAConflict() throws Exception {
        String stale = api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "web")).toString();
        api.replace(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "web"));

        HttpResponse<String> response = send("PUT", "/api/v1/namespaces/ns/services/web", "application/json", stale);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(response.body()).path("reason").asString()).isEqualTo("Conflict");
    }

    @Test
    void createWithoutKindIsRejectedAndDuplicatesAreConflicts() throws Exception {
        HttpResponse<String> noKind = send("POST", "/api/v1/namespaces/ns/services", "application/json",
                "{\"metadata\":{\"name\":\"x\"}}");
        api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "web"));
        HttpResponse<String> duplicate = send("POST", "/api/v1/namespaces/ns/services", "application/json",
                KubeObjects.service("ns", "web"));

        assertThat(noKind.statusCode()).isEqualTo(400);
        assertThat(duplicate.statusCode()).isEqualTo(409);
    }

    @Test
    void watchFromAResourceVersionReplaysExactlyTheLaterEventsIncludingDeletions() throws Exception {
        api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "before"));
        long from = api.resourceVersion();
        api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "web"));
        api.replace(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "web", java.util.Map.of("v", "2")));
        api.delete(ApiResource.SERVICES, "ns", "web");

        List<JsonNode> events = watch(
                "/api/v1/namespaces/ns/services?watch=true&resourceVersion=" + from + "&timeoutSeconds=1");

        assertThat(events).extracting(e -> e.path("type").asString()).containsExactly("ADDED", "MODIFIED", "DELETED");
        assertThat(events).extracting(e -> e.path("object").path("metadata").path("name").asString())
            .containsOnly("web");
        assertThat(events).extracting(e -> version(e.path("object"))).isSorted().doesNotHaveDuplicates();
        assertThat(version(events.get(2).path("object"))).isEqualTo(api.resourceVersion());
    }

    @Test
    void watchFromBeforeTheHistoryGetsAnExpiredError() throws Exception {
        long from = api.resourceVersion();
        for (int i = 0; i < 10; i++) {
            api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "s" + i));
        }

        List<JsonNode> events = watch("/api/v1/namespaces/ns/services?watch=true&resourceVersion=" + from);

        assertThat(events).hasSize(1);
        assertThat(events.get(0).path("type").asString()).isEqualTo("ERROR");
        assertThat(events.get(0).path("object").path("code").asInt()).isEqualTo(410);
        assertThat(events.get(0).path("object").path("reason").asString()).isEqualTo("Expired");
    }

    @Test
    void watchSendsBookmarksWhenAskedAndEndsAfterItsTimeout() throws Exception {
        api.setBookmarkInterval(Duration.ofMillis(200));
        long from = api.resourceVersion();

        long started = System.nanoTime();
        List<JsonNode> events = watch("/api/v1/namespaces/ns/services?watch=true&allowWatchBookmarks=true"
                + "&timeoutSeconds=1&resourceVersion=" + from);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(900),
                Duration.ofSeconds(5));
        assertThat(events).isNotEmpty().allSatisfy(event -> {
            assertThat(event.path("type").asString()).isEqualTo("BOOKMARK");
            assertThat(version(event.path("object"))).isEqualTo(from);
        });
    }

    @Test
    void watchWithALabelSelectorSeesObjectsLeaveAndEnterTheSelection() throws Exception {
        api.create(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "web", java.util.Map.of("tier", "web")));
        long from = api.resourceVersion();
        api.replace(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "web", java.util.Map.of("tier", "db")));
        api.replace(ApiResource.SERVICES, "ns", KubeObjects.service("ns", "web", java.util.Map.of("tier", "web")));

        List<JsonNode> events = watch("/api/v1/namespaces/ns/services?watch=true&labelSelector=tier%3Dweb"
                + "&timeoutSeconds=1&resourceVersion=" + from);

        assertThat(events).extracting(e -> e.path("type").asString()).containsExactly("DELETED", "ADDED");
    }

    @Test
    void sliceWithNullEndpointsIsStoredAndListedAsNull() throws Exception {
        api.create(ApiResource.ENDPOINT_SLICES, "ns", KubeObjects.emptySlice("ns", "web-1", "web"));

        JsonNode list = getJson("/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices");

        assertThat(list.path("items").get(0).get("endpoints").isNull()).isTrue();
    }

    @Test
    void droppedWatchesEndTheirStreams() throws Exception {
        Thread dropper = new Thread(() -> {
            while (api.openWatchCount() == 0) {
                Thread.onSpinWait();
            }
            api.dropWatches();
        });
        dropper.start();
        long started = System.nanoTime();

        watch("/api/v1/namespaces/ns/services?watch=true&timeoutSeconds=60&resourceVersion=" + api.resourceVersion());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void refusedConnectionsComeBackOnTheSamePort() throws Exception {
        api.refuseConnections();
        assertThatThrownBy(() -> getJson("/api/v1/services")).isInstanceOf(ConnectException.class);

        api.acceptConnections();

        assertThat(getJson("/api/v1/services").path("kind").asString()).isEqualTo("ServiceList");
    }

    @Test
    void injectedFailuresAnswerWithStatusAndRetryAfterThenRecover() throws Exception {
        api.failNextRequests(1, 429, Duration.ofSeconds(3));

        HttpResponse<String> throttled = send("GET", "/api/v1/services", null, null);
        HttpResponse<String> next = send("GET", "/api/v1/services", null, null);

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).contains("3");
        assertThat(next.statusCode()).isEqualTo(200);
    }

    @Test
    void requestsAreRecordedInRbacTerms() throws Exception {
        getJson("/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices");
        watch("/api/v1/services?watch=true&timeoutSeconds=1&resourceVersion=" + api.resourceVersion());

        assertThat(api.requests()).containsExactly(
                new RecordedRequest("list", "discovery.k8s.io", "endpointslices", "ns"),
                new RecordedRequest("watch", "", "services", ""));
    }

    @Test
    void aRequiredTokenIsChecked() throws Exception {
        api.requireToken(() -> "secret");

        HttpResponse<String> anonymous = send("GET", "/api/v1/services", null, null);

        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void discoveryDocumentsListTheServedResources() throws Exception {
        JsonNode core = getJson("/api/v1");
        JsonNode discovery = getJson("/apis/discovery.k8s.io/v1");

        assertThat(core.path("resources").findValuesAsString("name")).contains("services");
        assertThat(discovery.path("resources").findValuesAsString("name")).contains("endpointslices");
    }

    private JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
            .method(method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<JsonNode> watch(String path) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<JsonNode> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                events.add(JSON.readTree(line));
            }
        }
        catch (IOException ex) {
            // A dropped watch ends with a broken stream.
        }
        return events;
    }

    private URI uri(String path) {
        return api.url().resolve(path);
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.path("items").forEach(item -> names.add(item.path("metadata").path("name").asString()));
        return names;
    }

    private static long version(JsonNode object) {
        return Long.parseLong(object.path("metadata").path("resourceVersion").asString());
    }

}
