package io.discoverygateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Start-up mistakes an operator makes, tried as they would: the gateway runs as its own
 * process, with its own environment, and must stop at once with a message that says what
 * to do, not a stack trace or a retry loop.
 */
class StartupErrorsTest {

    @TempDir
    Path home;

    @Test
    void withoutAnyKubernetesConfigurationItStopsAndSaysWhatToSet() throws Exception {
        Result result = run(Map.of("HOME", home.toString()));

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("The gateway found no Kubernetes API to watch")
            .contains("KUBECONFIG")
            .contains("--gateway.kubernetes.api-url")
            .doesNotContain("Exception in thread")
            .doesNotContain("\tat ");
    }

    @Test
    void aMalformedServiceLabelSelectorIsRefusedAtBindingWithItsReason() throws Exception {
        Result result = run(Map.of("HOME", home.toString()), "--gateway.kubernetes.api-url=http://127.0.0.1:9",
                "--gateway.service-label-selector=tier in (web");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("APPLICATION FAILED TO START")
            .contains("gateway.service-label-selector 'tier in (web' is not a Kubernetes label selector");
        assertThat(result.output().lines().count()).as("a short answer, not pages of stack traces").isLessThan(40);
    }

    @Test
    void aNegativeHeartbeatIsRefusedAtBindingNamingTheProperty() throws Exception {
        Result result = run(Map.of("HOME", home.toString()), "--gateway.kubernetes.api-url=http://127.0.0.1:9",
                "--gateway.stream.heartbeat=-1s");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("APPLICATION FAILED TO START")
            .contains("gateway.stream.heartbeat")
            .doesNotContain("Watching Services");
    }

    @Test
    void outsideAClusterItWatchesTheKubeconfigContextsNamespaceAndSaysWhereAndAsWhom() throws Exception {
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start()) {
            Path kubeconfig = home.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: embedded
                      cluster:
                        server: %s
                    contexts:
                    - name: team-a
                      context:
                        cluster: embedded
                        user: someone
                        namespace: team-a
                    current-context: team-a
                    users:
                    - name: someone
                      user: {}
                    """.formatted(api.url()));

            Path log = home.resolve("gateway.log");
            Process process = start(Map.of("HOME", home.toString(), "KUBECONFIG", kubeconfig.toString()), log,
                    "--server.port=0", "--management.server.port=0");
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("Cache in sync"));
            }
            finally {
                process.destroy();
                process.waitFor(20, TimeUnit.SECONDS);
            }

            assertThat(Files.readString(log))
                .containsPattern("Watching Services, EndpointSlices in team-a at "
                        + "https?://127.0.0.1:\\d+ \\(found through kubeconfig .*, context team-a\\) as ")
                .doesNotContain("localhost:8080")
                .doesNotContain("Read timeout retry");
        }
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(Map<String, String> environment, String... arguments) throws Exception {
        Path log = home.resolve("gateway-" + System.nanoTime() + ".log");
        Process process = start(environment, log, arguments);
        boolean ended = process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(ended ? process.exitValue() : -1, Files.readString(log));
    }

    /**
     * The gateway as its own process, with this environment (no cluster, no kubeconfig
     * unless given).
     */
    private static Process start(Map<String, String> environment, Path log, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                        System.getProperty("java.class.path"), DiscoveryGatewayApplication.class.getName(),
                        "--spring.main.banner-mode=off"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("KUBECONFIG");
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        builder.environment().putAll(environment);
        return builder.redirectOutput(log.toFile()).start();
    }

}
