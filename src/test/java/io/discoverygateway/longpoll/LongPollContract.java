package io.discoverygateway.longpoll;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.discoverygateway.AlphaBetaContract;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Long-polling reads, held until the service changes or the wait elapses: a contract that
 * {@link LongPollTest} runs on the embedded API and {@code LongPollOnRealClusterTest} on
 * a real kube-apiserver, with the gateway watching the namespaces alpha and beta, a
 * maximum wait of 3 s and a default wait of 1.5 s.
 */
public abstract class LongPollContract extends AlphaBetaContract {

    @Autowired
    private MeterRegistry registry;

    @Test
    void aHeldReadReturnsAsSoonAsTheServiceChanges() throws Exception {
        String etag = create("polled");

        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(
                () -> gateway.get("/api/v1/namespaces/" + alpha + "/services/polled?wait=60s", "If-None-Match", etag));
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        assertThat(held).isNotDone();
        cluster.replace(ApiResource.ENDPOINT_SLICES, alpha, KubeObjects.slice(alpha, "polled-1", "polled",
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

        HttpResponse<String> response = gateway.get("/api/v1/namespaces/" + alpha + "/services/quiet?wait=1s",
                "If-None-Match", etag);

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(response.headers().firstValue("ETag")).contains(etag);
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
    }

    @Test
    void anIndexBehindTheServicesRevisionAnswersAtOnce() {
        String etag = create("behind");
        String epoch = token(etag).substring(0, token(etag).lastIndexOf('-'));

        HttpResponse<String> response = gateway
            .get("/api/v1/namespaces/" + alpha + "/services/behind?wait=60s&index=" + epoch + "-0");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void anIndexWithoutEpochIsABadRequestThatSaysWhatToSend() {
        create("bare-index");

        HttpResponse<String> response = gateway
            .get("/api/v1/namespaces/" + alpha + "/services/bare-index?wait=1s&index=5");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(response.body()).contains("<epoch>-<revision>");
    }

    @Test
    void aWaitLongerThanTheCapIsCutToTheCap() {
        String etag = create("capped");
        long started = System.nanoTime();

        HttpResponse<String> response = gateway.get("/api/v1/namespaces/" + alpha + "/services/capped?wait=1h",
                "If-None-Match", etag);

        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(2900),
                Duration.ofSeconds(6));
    }

    @Test
    void anIndexWithoutWaitWaitsTheDefaultWait() {
        String etag = create("default-wait");
        long started = System.nanoTime();

        HttpResponse<String> response = gateway
            .get("/api/v1/namespaces/" + alpha + "/services/default-wait?index=" + token(etag));

        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1400),
                Duration.ofSeconds(4));
    }

    @Test
    void aNamespaceListIsHeldUntilAServiceOfThatNamespaceChanges() throws Exception {
        create("list-first");
        String etag = gateway.get("/api/v1/namespaces/" + alpha + "/services")
            .headers()
            .firstValue("ETag")
            .orElseThrow();
        int waitingBefore = waiting();
        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(
                () -> gateway.get("/api/v1/namespaces/" + alpha + "/services?wait=60s", "If-None-Match", etag));
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting() > waitingBefore);

        cluster.create(ApiResource.SERVICES, beta, KubeObjects.service(beta, "list-elsewhere", Map.of()));
        awaitServed(beta, "list-elsewhere");
        assertThat(held).as("a change in another namespace does not answer it").isNotDone();
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "list-second", Map.of()));

        HttpResponse<String> response = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("list-second").doesNotContain("list-elsewhere");
        assertThat(response.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    }

    @Test
    void theWholeListIsHeldUntilAnyServiceChanges() throws Exception {
        String etag = gateway.get("/api/v1/services").headers().firstValue("ETag").orElseThrow();
        CompletableFuture<HttpResponse<String>> held = CompletableFuture
            .supplyAsync(() -> gateway.get("/api/v1/services?wait=60s&index=" + token(etag)));

        cluster.create(ApiResource.SERVICES, beta, KubeObjects.service(beta, "whole-list", Map.of()));

        HttpResponse<String> response = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("whole-list");
    }

    @Test
    void aPodLabelSelectorWhilePodsAreNotWatchedIsABadRequestThatSaysSo() throws Exception {
        create("no-pods");

        HttpResponse<String> read = gateway
            .get("/api/v1/namespaces/" + alpha + "/services/no-pods?podLabelSelector=a%3Db");
        HttpResponse<String> poll = gateway
            .get("/api/v1/namespaces/" + alpha + "/services/no-pods?podLabelSelector=a%3Db&wait=1s");
        HttpResponse<String> stream = gateway.get("/api/v1/stream?podLabelSelector=a%3Db");

        assertThat(List.of(read, poll, stream)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(response.body()).contains("gateway.pod-metadata.enabled is false");
        });
    }

    private int waiting() {
        return (int) registry.get("gateway.longpoll.waiting").gauge().value();
    }

    private void awaitServed(String namespace, String name) {
        await().atMost(Duration.ofSeconds(10))
            .until(() -> gateway.get("/api/v1/namespaces/" + namespace + "/services/" + name).statusCode() == 200);
    }

    /** The token in an entity tag: what {@code index} takes. */
    private static String token(String etag) {
        return etag.replace("\"", "");
    }

    private String create(String name) {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, name, Map.of()));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, name + "-1", name, List.of(EndpointSpec.ready("10.20.0.1"))));
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<String> response = gateway.get("/api/v1/namespaces/" + alpha + "/services/" + name);
            return response.statusCode() == 200 && response.body().contains("10.20.0.1")
                    ? response.headers().firstValue("ETag").orElse(null) : null;
        }, etag -> etag != null);
    }

}
