package io.discoverygateway.readme;

import java.nio.file.Path;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.LocalGatewayApplication;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * README's local run with consumer authentication, as written: the demo data's consumer
 * gets a token from {@code kubectl create token} and reads its namespace with it.
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
        assumeTrue(Kubectl.installed(), "kubectl is not installed here: skipping");
        LocalGatewayApplication.seed(api);

        Commands.Result token = Kubectl.run(List.of(Kubectl.executable(), "--server", api.url().toString(), "-n",
                "demo", "create", "token", "demo-client", "--audience", "discovery-gateway"), home);
        GatewayClient gateway = new GatewayClient(port);

        assertThat(token.exitCode()).as(token.output()).isZero();
        assertThat(gateway.get("/api/v1/namespaces/demo/services/payments").statusCode()).isEqualTo(401);
        assertThat(gateway
            .get("/api/v1/namespaces/demo/services/payments", "Authorization", "Bearer " + token.output().strip())
            .statusCode()).isEqualTo(200);
    }

}
