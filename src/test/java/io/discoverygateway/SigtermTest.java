package io.discoverygateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
        int port = freePort();
        int managementPort = freePort();
        Path log = logs.resolve("gateway.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LocalGatewayApplication.class.getName(), "--server.port=" + port,
                "--management.server.port=" + managementPort, "--demo.activity=false", "--spring.main.banner-mode=off")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try {
            GatewayClient gateway = new GatewayClient(port, managementPort);
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
            process.destroy();
            boolean exited = process.waitFor(30, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            loading.set(false);
            load.join(10_000);

            assertThat(exited).as("exited within the 30 s grace period").isTrue();
            assertThat(took).isLessThan(Duration.ofSeconds(15));
            assertThat(streams).allSatisfy(stream -> assertThat(stream.ended()).isTrue());
            assertThat(failures).as("answers other than a complete 200").isEmpty();
            assertThat(statuses).isNotEmpty().allSatisfy(status -> assertThat(status).isEqualTo(200));
            assertThat(Files.readString(log)).contains("Commencing graceful shutdown").doesNotContain("Exception");
            streams.forEach(SseClient::close);
        }
        finally {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
