package io.discoverygateway.lifecycle;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.LocalGatewayApplication;
import io.discoverygateway.SseClient;
import io.discoverygateway.process.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to a gateway process under load: streams are closed at once, REST requests in
 * flight complete, and the process exits well within the termination grace period of the
 * Deployment in k8s/ (30 s).
 */
class SigtermTest {

    @TempDir
    Path logs;

    @Test
    void sigtermUnderLoadClosesStreamsCompletesRequestsAndExitsInTime() throws Exception {
        GatewayProcess process = GatewayProcess.spawn(GatewayProcess.Launch
            .onClasspath(System.getProperty("java.class.path"), LocalGatewayApplication.class.getName(),
                    logs.resolve("gateway.log"))
            .withArguments("--demo.activity=false", "--spring.main.banner-mode=off"));
        int port = process.port();
        try {
            GatewayClient gateway = new GatewayClient(port, process.managementPort());
            await().atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> gateway.get("/actuator/health/readiness").statusCode() == 200);
            List<SseClient> streams = List.of(SseClient.connect(port, "/api/v1/stream"),
                    SseClient.connect(port, "/api/v1/stream?namespace=demo"));
            streams.forEach(stream -> stream.awaitNamed("SYNCED", Duration.ofSeconds(10)));
            List<Integer> statuses = new CopyOnWriteArrayList<>();
            List<String> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread load = new Thread(() -> {
                while (loading.get()) {
                    try {
                        HttpResponse<String> response = gateway.get("/api/v1/namespaces/demo/services/checkout");
                        statuses.add(response.statusCode());
                        if (response.statusCode() != 200) {
                            failures.add(response.statusCode() + " " + response.body());
                        }
                        if (response.statusCode() == 200 && !response.body().endsWith("}")) {
                            failures.add("truncated body");
                        }
                    }
                    catch (UncheckedIOException ex) {
                        // Refused once the server stopped listening: expected during
                        // shutdown.
                    }
                }
            });
            load.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> statuses.size() > 50);

            long started = System.nanoTime();
            process.terminate();
            boolean exited = process.waitForExit(Duration.ofSeconds(30)).isPresent();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            loading.set(false);
            load.join(10_000);

            assertThat(exited).as("exited within the 30 s grace period").isTrue();
            assertThat(took).isLessThan(Duration.ofSeconds(15));
            assertThat(streams).allSatisfy(stream -> assertThat(stream.ended()).isTrue());
            assertThat(failures).as("answers other than a complete 200").isEmpty();
            assertThat(statuses).isNotEmpty().allSatisfy(status -> assertThat(status).isEqualTo(200));
            assertThat(process.output()).contains("Commencing graceful shutdown").doesNotContain("Exception");
            streams.forEach(SseClient::close);
        }
        finally {
            process.close();
        }
    }

}
