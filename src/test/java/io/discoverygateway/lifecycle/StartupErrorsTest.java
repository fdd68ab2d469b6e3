package io.discoverygateway.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.process.GatewayProcess;
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

            String output;
            try (GatewayProcess process = GatewayProcess
                .spawn(launch(Map.of("HOME", home.toString(), "KUBECONFIG", kubeconfig.toString())))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> process.output().contains("Cache in sync"));
                process.stop();
                output = process.output();
            }

            assertThat(output)
                .containsPattern("Watching Services, EndpointSlices in team-a at "
                        + "https?://127.0.0.1:\\d+ \\(found through kubeconfig .*, context team-a\\) as ")
                .doesNotContain("localhost:8080")
                .doesNotContain("Read timeout retry");
        }
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(Map<String, String> environment, String... arguments) {
        try (GatewayProcess process = GatewayProcess.spawn(launch(environment, arguments))) {
            OptionalInt exit = process.waitForExit(Duration.ofSeconds(60));
            return new Result(exit.orElse(-1), process.output());
        }
    }

    /**
     * The gateway as its own process, with this environment (no cluster, no kubeconfig
     * unless given).
     */
    private GatewayProcess.Launch launch(Map<String, String> environment, String... arguments) {
        return GatewayProcess.Launch
            .onClasspath(System.getProperty("java.class.path"), DiscoveryGatewayApplication.class.getName(),
                    home.resolve("gateway-" + System.nanoTime() + ".log"))
            .withArguments("--spring.main.banner-mode=off")
            .withArguments(arguments)
            .withEnvironment(environment, List.of("KUBECONFIG", "KUBERNETES_SERVICE_HOST"));
    }

}
