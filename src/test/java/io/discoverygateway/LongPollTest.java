package io.discoverygateway;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApiConfiguration;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Long-polling reads: held until the service changes or the wait elapses. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "gateway.namespaces=alpha,beta")
@Import(EmbeddedKubernetesApiConfiguration.class)
class LongPollTest {

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
    void aHeldReadReturnsAsSoonAsTheServiceChanges() throws Exception {
        String etag = create("polled");

        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(
                () -> gateway.get("/api/v1/namespaces/alpha/services/polled?wait=60s", "If-None-Match", etag));
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        assertThat(held).isNotDone();
        api.replace(ApiResource.ENDPOINT_SLICES, "alpha", KubeObjects.slice("alpha", "polled-1", "polled",
                List.of(EndpointSpec.ready("10.20.0.1"), EndpointSpec.ready("10.20.0.2"))));

        HttpResponse<String> response = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("10.20.0.2");
        assertThat(response.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    }

    @Test
    void aHeldReadAnswers304WhenTheWaitElapses() {
        String etag = create("quiet");
        long started = System.nanoTime();

        HttpResponse<String> response = gateway.get("/api/v1/namespaces/alpha/services/quiet?wait=1s",
                "If-None-Match", etag);

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(response.headers().firstValue("ETag")).contains(etag);
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
    }

    @Test
    void anIndexBehindTheServicesRevisionAnswersAtOnce() {
        create("behind");

        HttpResponse<String> response = gateway.get("/api/v1/namespaces/alpha/services/behind?wait=60s&index=0");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void aMalformedWaitIsABadRequest() {
        create("malformed");

        HttpResponse<String> response = gateway.get("/api/v1/namespaces/alpha/services/malformed?wait=soon");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("'soon' is not a duration");
    }

    @Test
    void aServiceDeletedDuringTheWaitIsNotFound() throws Exception {
        String etag = create("vanishing");
        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(
                () -> gateway.get("/api/v1/namespaces/alpha/services/vanishing?wait=60s", "If-None-Match", etag));
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);

        api.delete(ApiResource.SERVICES, "alpha", "vanishing");

        HttpResponse<String> response = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    private String create(String name) {
        api.create(ApiResource.SERVICES, "alpha", KubeObjects.service("alpha", name, Map.of()));
        api.create(ApiResource.ENDPOINT_SLICES, "alpha",
                KubeObjects.slice("alpha", name + "-1", name, List.of(EndpointSpec.ready("10.20.0.1"))));
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<String> response = gateway.get("/api/v1/namespaces/alpha/services/" + name);
            return response.statusCode() == 200 && response.body().contains("10.20.0.1")
                    ? response.headers().firstValue("ETag").orElse(null) : null;
        }, etag -> etag != null);
    }
}
