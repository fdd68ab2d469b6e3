package io.discoverygateway;

import java.time.Duration;
import java.util.List;

import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Shutting down with open streams ends them at once, so clients reconnect elsewhere, and exits promptly. */
class GracefulShutdownTest {

    @Test
    void closingTheApplicationEndsOpenStreamsWithinSeconds() throws Exception {
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start()) {
            ConfigurableApplicationContext context = SpringApplication.run(DiscoveryGatewayApplication.class,
                    "--server.port=0", "--gateway.namespaces=alpha", "--gateway.kubernetes.api-url=" + api.url(),
                    "--spring.main.banner-mode=off");
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            List<SseClient> clients = List.of(SseClient.connect(port, "/api/v1/stream"),
                    SseClient.connect(port, "/api/v1/stream"));
            clients.forEach(client -> client.awaitNamed("SYNCED", Duration.ofSeconds(10)));

            long started = System.nanoTime();
            context.close();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(took).isLessThan(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> clients.stream().allMatch(SseClient::ended));
            clients.forEach(SseClient::close);
        }
    }
}
