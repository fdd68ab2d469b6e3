package io.discoverygateway;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * README's local run with consumer authentication, as written: the demo data's consumer gets a token from
 * {@code kubectl create token} and reads its namespace with it.
 */
@GatewayTest(properties = { "gateway.namespaces=demo", "gateway.auth.mode=kubernetes" })
class ReadmeAuthExampleTest {

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @TempDir
    Path home;

    @Test
    void aTokenFromKubectlCreateTokenReadsTheDemoNamespace() throws Exception {
        assumeTrue(kubectl("version", "--client").exitCode() == 0, "kubectl is not installed here: skipping");
        LocalGatewayApplication.seed(api);

        Result token = kubectl("--server", api.url().toString(), "-n", "demo", "create", "token", "demo-client",
                "--audience", "discovery-gateway");
        GatewayClient gateway = new GatewayClient(port);

        assertThat(token.exitCode()).as(token.output()).isZero();
        assertThat(gateway.get("/api/v1/namespaces/demo/services/payments").statusCode()).isEqualTo(401);
        assertThat(gateway.get("/api/v1/namespaces/demo/services/payments", "Authorization",
                "Bearer " + token.output().strip()).statusCode()).isEqualTo(200);
    }

    private record Result(int exitCode, String output) {
    }

    private Result kubectl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("kubectl"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("KUBECONFIG");
        Process process;
        try {
            process = builder.start();
        }
        catch (java.io.IOException ex) {
            return new Result(-1, ex.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output);
        }
        return new Result(process.exitValue(), output);
    }
}
