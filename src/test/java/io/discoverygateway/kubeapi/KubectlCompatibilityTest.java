package io.discoverygateway.kubeapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.process.Commands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * kubectl can get, create, apply and delete Services and EndpointSlices on the embedded
 * API (when installed).
 */
class KubectlCompatibilityTest {

    private final EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();

    @TempDir
    Path home;

    @BeforeAll
    static void kubectlInstalled() {
        assumeTrue(Kubectl.installed(), "kubectl is not installed here: skipping");
    }

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void applyCreatesThenUpdatesAndDeleteRemoves() throws Exception {
        Path manifest = home.resolve("service.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  labels: {version: v1}
                spec:
                  ports:
                  - {name: http, port: 80, targetPort: 8080}
                """);

        Commands.Result created = kubectl("apply", "--validate=false", "-f", manifest.toString());
        Files.writeString(manifest, Files.readString(manifest).replace("v1}", "v2}"));
        Commands.Result configured = kubectl("apply", "--validate=false", "-f", manifest.toString());
        String labels = api.get(ApiResource.SERVICES, "demo", "web")
            .orElseThrow()
            .path("metadata")
            .path("labels")
            .toString();
        Commands.Result listed = kubectl("get", "services");
        Commands.Result deleted = kubectl("delete", "service", "web");

        assertThat(created.output()).contains("service/web created");
        assertThat(configured.output()).contains("service/web configured");
        assertThat(labels).contains("v2");
        assertThat(listed.output()).contains("web");
        assertThat(deleted.exitCode()).isZero();
        assertThat(api.get(ApiResource.SERVICES, "demo", "web")).isEmpty();
    }

    @Test
    void createAndGetEndpointSlices() throws Exception {
        Path manifest = home.resolve("slice.json");
        Files.writeString(manifest,
                KubeObjects.slice("demo", "web-1", "web", List.of(KubeObjects.EndpointSpec.ready("10.0.0.1"))));

        Commands.Result created = kubectl("create", "--validate=false", "-f", manifest.toString());
        Commands.Result listed = kubectl("get", "endpointslices");

        assertThat(created.exitCode()).as(created.output()).isZero();
        assertThat(listed.output()).contains("web-1");
    }

    @Test
    void createTokenIssuesABoundTokenThatTokenReviewAccepts() throws Exception {
        // kubectl create serviceaccount would send protobuf, which this API does not
        // read; apply sends JSON.
        Path manifest = home.resolve("account.json");
        Files.writeString(manifest, KubeObjects.serviceAccount("demo", "app"));
        Commands.Result account = kubectl("apply", "--validate=false", "-f", manifest.toString());
        Commands.Result token = kubectl("create", "token", "app", "--audience", "discovery-gateway", "--duration",
                "15m");
        Commands.Result tooShort = kubectl("create", "token", "app", "--duration", "1m");

        assertThat(account.exitCode()).as(account.output()).isZero();
        assertThat(token.exitCode()).as(token.output()).isZero();
        String review = AuthApi.tokenReview(api, token.output().strip(), "discovery-gateway");
        assertThat(review).contains("\"authenticated\":true", "system:serviceaccount:demo:app");
        assertThat(tooShort.exitCode()).isNotZero();
        assertThat(tooShort.output()).contains("may not specify a duration less than 10 minutes");
    }

    private Commands.Result kubectl(String... args) {
        List<String> command = new ArrayList<>(
                List.of(Kubectl.executable(), "--server", api.url().toString(), "-n", "demo"));
        command.addAll(List.of(args));
        return Kubectl.run(command, home);
    }

}
