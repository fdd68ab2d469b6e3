package io.discoverygateway.web;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Beyond the configured number of held connections the gateway answers 503 with
 * Retry-After.
 */
@GatewayTest(properties = { "gateway.namespaces=alpha", "gateway.stream.max-subscribers=2",
        "gateway.long-poll.max-waiting=1" })
class ConnectionLimitsTest {

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @Test
    void streamsBeyondTheLimitAreRefusedWithRetryAfter() throws Exception {
        try (SseClient first = SseClient.connect(port, "/api/v1/stream");
                SseClient second = SseClient.connect(port, "/api/v1/stream");
                SseClient third = SseClient.connect(port, "/api/v1/stream")) {
            first.awaitNamed("SYNCED", Duration.ofSeconds(10));
            second.awaitNamed("SYNCED", Duration.ofSeconds(10));

            assertThat(third.status()).isEqualTo(503);
            assertThat(third.header("Retry-After")).isEqualTo("5");
            assertThat(third.header("Content-Type")).isEqualTo("application/problem+json");
        }
    }

    @Test
    void longPollsBeyondTheLimitAreRefusedWithRetryAfter() {
        GatewayClient gateway = new GatewayClient(port);
        api.create(ApiResource.SERVICES, "alpha", KubeObjects.service("alpha", "limited"));
        String etag = await().atMost(Duration.ofSeconds(10))
            .until(() -> gateway.get("/api/v1/namespaces/alpha/services/limited")
                .headers()
                .firstValue("ETag")
                .orElse(null), tag -> tag != null);
        String path = "/api/v1/namespaces/alpha/services/limited?wait=5s";
        CompletableFuture<HttpResponse<String>> held = CompletableFuture
            .supplyAsync(() -> gateway.get(path, "If-None-Match", etag));
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);

        HttpResponse<String> refused = gateway.get(path, "If-None-Match", etag);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).contains("5");
        assertThat(held.join().statusCode()).isEqualTo(304);
    }

}
