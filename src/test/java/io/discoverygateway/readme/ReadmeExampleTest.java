package io.discoverygateway.readme;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.Kubectl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * README's kubectl steps, as written, with the example file it names: the service shows
 * in the gateway.
 */
@GatewayTest(properties = "gateway.namespaces=demo")
class ReadmeExampleTest {

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @TempDir
    Path home;

    @Test
    void theExampleFileAppliedWithKubectlIsServed() throws Exception {
        assumeTrue(kubectl("version", "--client") == 0, "kubectl is not installed here: skipping");

        assertThat(kubectl("--server", api.url().toString(), "-n", "demo", "apply", "--validate=false", "-f",
                "docs/examples/my-service.yaml"))
            .isZero();

        GatewayClient gateway = new GatewayClient(port);
        JsonNode service = await().atMost(Duration.ofSeconds(10))
            .ignoreExceptions()
            .until(() -> gateway.json("/api/v1/namespaces/demo/services/my-service"),
                    found -> found.path("endpoints").size() == 2);
        assertThat(service.path("endpoints").valueStream().filter(e -> e.path("ready").asBoolean()).count())
            .isEqualTo(1);
        assertThat(kubectl("--server", api.url().toString(), "-n", "demo", "delete", "service", "my-service")).isZero();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> gateway.get("/api/v1/namespaces/demo/services/my-service").statusCode() == 404);
    }

    private int kubectl(String... arguments) throws Exception {
        ProcessBuilder builder = new ProcessBuilder()
            .command(new java.util.ArrayList<>(java.util.List.of(Kubectl.executable())))
            .redirectErrorStream(true);
        builder.command().addAll(java.util.List.of(arguments));
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("KUBECONFIG");
        Process process;
        try {
            process = builder.start();
        }
        catch (java.io.IOException ex) {
            return -1;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        if (process.exitValue() != 0) {
            System.out.println("kubectl " + String.join(" ", arguments) + ": " + output);
        }
        return process.exitValue();
    }

}
