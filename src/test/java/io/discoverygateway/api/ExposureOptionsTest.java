package io.discoverygateway.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What is exposed, and to which browser origins: annotation patterns and CORS. */
@GatewayTest(properties = { "gateway.namespaces=demo", "gateway.annotations.include=team,example.com/*",
        "gateway.annotations.exclude=example.com/secret-*",
        "gateway.cors.allowed-origins=https://console.example.com" })
class ExposureOptionsTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi api;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void onlyTheIncludedAndNotExcludedAnnotationsAreServed() {
        ObjectNode service = (ObjectNode) JsonMapper.builder().build().readTree(KubeObjects.service("demo", "noted"));
        service.withObject("metadata")
            .putObject("annotations")
            .put("team", "payments")
            .put("example.com/owner", "ann")
            .put("example.com/secret-token", "s3cr3t")
            .put("vault.io/role", "x")
            .put("kubectl.kubernetes.io/last-applied-configuration", "{}");
        api.create(ApiResource.SERVICES, "demo", service.toString());
        GatewayClient client = new GatewayClient(port);

        await().atMost(Duration.ofSeconds(10))
            .until(() -> client.get("/api/v1/namespaces/demo/services/noted").statusCode() == 200);
        String body = client.get("/api/v1/namespaces/demo/services/noted").body();

        assertThat(body).contains("\"annotations\":{", "\"team\":\"payments\"", "\"example.com/owner\":\"ann\"")
            .doesNotContain("s3cr3t", "vault.io", "last-applied");
    }

    @Test
    void aConfiguredOriginMayCallTheApiFromABrowser() throws Exception {
        HttpResponse<Void> preflight = send(HttpRequest.newBuilder(uri("/api/v1/stream"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://console.example.com")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization,last-event-id"));
        HttpResponse<Void> get = send(
                HttpRequest.newBuilder(uri("/api/v1/services")).header("Origin", "https://console.example.com"));

        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
            .hasValue("https://console.example.com");
        assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
        assertThat(get.headers().allValues("Access-Control-Expose-Headers").toString()).contains("ETag");
    }

    @Test
    void anotherOriginGetsNoCorsHeaders() throws Exception {
        HttpResponse<Void> preflight = send(HttpRequest.newBuilder(uri("/api/v1/services"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://evil.example")
            .header("Access-Control-Request-Method", "GET"));
        HttpResponse<Void> get = send(
                HttpRequest.newBuilder(uri("/api/v1/services")).header("Origin", "https://evil.example"));

        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void everyAnswerForbidsContentSniffing() throws Exception {
        for (String path : List.of("/api/v1/services", "/api/v1/namespaces/demo/services/none", "/nothing-here",
                "/apps")) {
            assertThat(send(HttpRequest.newBuilder(uri(path))).headers().firstValue("X-Content-Type-Options")).as(path)
                .hasValue("nosniff");
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<Void> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }

}
