package io.discoverygateway.lifecycle;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.longpoll.ChangeWaiters;
import io.discoverygateway.stream.StreamHub;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutting down with open streams: readiness goes down first, then the streams are ended
 * at once so that clients reconnect elsewhere, and the application stops promptly.
 */
@ExtendWith(OutputCaptureExtension.class)
class GracefulShutdownTest {

    @Test
    void closingTheApplicationEndsOpenStreamsWithinSeconds(CapturedOutput output) throws Exception {
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start()) {
            ConfigurableApplicationContext context = SpringApplication.run(DiscoveryGatewayApplication.class,
                    "--server.port=0", "--management.server.port=0", "--gateway.namespaces=alpha",
                    "--gateway.kubernetes.api-url=" + api.url(), "--spring.main.banner-mode=off");
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            List<SseClient> clients = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                clients.add(SseClient.connect(port, "/api/v1/stream"));
            }
            clients.forEach(client -> client.awaitNamed("SYNCED", Duration.ofSeconds(10)));
            AtomicLong refusingTrafficAt = new AtomicLong();
            context.addApplicationListener((AvailabilityChangeEvent<?> event) -> {
                if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
                    refusingTrafficAt.compareAndSet(0, System.nanoTime());
                }
            });
            long started = System.nanoTime();
            context.close();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            await().atMost(Duration.ofSeconds(5)).until(() -> clients.stream().allMatch(SseClient::ended));

            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(refusingTrafficAt.get()).as("readiness went down").isPositive();
            assertThat(refusingTrafficAt.get()).as("readiness down before the streams were closed")
                .isLessThan(clients.stream().mapToLong(SseClient::endedAtNanos).min().orElseThrow());
            clients.forEach(SseClient::close);
            assertThat(output.getAll()).as("no error rendered into an open stream")
                .doesNotContain("No converter for")
                .doesNotContain("ProblemDetail");
        }
    }

    @Test
    void whileTheGatewayStopsANewStreamOrLongPollIsToldSoWithRetryAfter() {
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start()) {
            api.create(ApiResource.SERVICES, "alpha", KubeObjects.service("alpha", "quiet"));
            ConfigurableApplicationContext context = SpringApplication.run(DiscoveryGatewayApplication.class,
                    "--server.port=0", "--management.server.port=0", "--gateway.namespaces=alpha",
                    "--gateway.kubernetes.api-url=" + api.url(), "--spring.main.banner-mode=off");
            try {
                GatewayClient gateway = GatewayClient.of(context.getEnvironment());
                String etag = gateway.get("/api/v1/namespaces/alpha/services/quiet")
                    .headers()
                    .firstValue("ETag")
                    .orElseThrow();
                // What Spring does first when the context closes: the stream hub and the
                // long-poll waiters stop
                // taking what they would hold open, while the web server still answers.
                context.getBean(StreamHub.class).stop();
                context.getBean(ChangeWaiters.class).stop();

                for (HttpResponse<String> refused : List.of(gateway.get("/api/v1/stream"),
                        gateway.get("/api/v1/namespaces/alpha/services/quiet?wait=30s", "If-None-Match", etag))) {
                    assertThat(refused.statusCode()).isEqualTo(503);
                    assertThat(refused.headers().firstValue("Retry-After")).contains("1");
                    assertThat(GatewayClient.parse(refused.body()).path("title").asString())
                        .isEqualTo("The gateway is stopping");
                }
                assertThat(context.getBean(MeterRegistry.class).get("gateway.longpoll.waiting").gauge().value())
                    .as("a refused wait holds no place")
                    .isZero();
            }
            finally {
                context.close();
            }
        }
    }

}
