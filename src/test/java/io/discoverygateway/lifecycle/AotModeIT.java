package io.discoverygateway.lifecycle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar run as the container image runs it, with Spring AOT's build-time bean
 * definitions ({@code -Dspring.aot.enabled=true}), on the embedded Kubernetes API: it
 * serves, and the features that are switched by the gateway's own settings (consumer
 * authentication, pod metadata, xDS) still switch at run time, because they are decided
 * when the beans are created and not by bean conditions that AOT would have fixed at
 * build time. Run by failsafe after {@code package}, since it needs the jar.
 */
class AotModeIT {

    private static EmbeddedKubernetesApi api;

    @TempDir
    Path logs;

    private GatewayProcess gateway;

    @BeforeAll
    static void startApi() {
        api = EmbeddedKubernetesApi.start();
        api.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "web"));
        api.create(ApiResource.PODS, "shop",
                KubeObjects.pod("shop", KubeObjects.podName("web", "10.70.0.1"), Map.of("version", "v1"), Map.of(), 0));
        api.create(ApiResource.ENDPOINT_SLICES, "shop", KubeObjects.slice("shop", "web-1", "web",
                List.of(EndpointSpec.ready("10.70.0.1"), EndpointSpec.notReady("10.70.0.2"))));
    }

    @AfterAll
    static void stopApi() {
        api.close();
    }

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void theAotProcessedJarServesTheCatalogAndTheStream() throws Exception {
        int port = start();

        GatewayClient client = new GatewayClient(port);
        JsonNode web = client.json("/api/v1/namespaces/shop/services/web");
        assertThat(web.path("endpoints")).hasSize(2);
        assertThat(web.path("endpoints").get(0).has("pod")).as("pod metadata is off by default").isFalse();
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=shop&patches=true")) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(10));
            assertThat(stream.namedEvents()).extracting(SseClient.Event::type).contains("ADDED");
        }
        assertThat(client.get("/api/v1/services").statusCode()).as("no consumer authentication by default")
            .isEqualTo(200);
        assertThat(gateway.output()).contains("Starting AOT-processed DiscoveryGatewayApplication");
    }

    @Test
    void podMetadataAndXdsAreSwitchedOnAtRunTime() throws Exception {
        int xdsPort = GatewayProcess.freePort();
        int port = start("--gateway.pod-metadata.enabled=true", "--gateway.xds.enabled=true",
                "--gateway.xds.port=" + xdsPort);

        GatewayClient client = new GatewayClient(port);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> client.json("/api/v1/namespaces/shop/services/web")
                .path("endpoints")
                .get(0)
                .path("pod")
                .path("labels")
                .path("version")
                .asString("")
                .equals("v1"));
        try (Socket xds = new Socket()) {
            xds.connect(new InetSocketAddress("127.0.0.1", xdsPort), 5000);
            assertThat(xds.isConnected()).as("the xDS server listens").isTrue();
        }
    }

    @Test
    void consumerAuthenticationIsSwitchedOnAtRunTime() throws Exception {
        int port = start("--gateway.auth.mode=kubernetes");

        var response = new GatewayClient(port).get("/api/v1/services");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    /**
     * Starts the jar in AOT mode with these settings and waits until it is ready; returns
     * its port.
     */
    private int start(String... settings) throws IOException {
        gateway = GatewayProcess.startReady(GatewayProcess.Launch.jar(jar(), logs.resolve("gateway.log"))
            .withJvmOptions(List.of("-Dspring.aot.enabled=true"))
            .withArguments("--gateway.kubernetes.api-url=" + api.url(), "--gateway.namespaces=shop",
                    "--spring.main.banner-mode=off")
            .withArguments(settings), Duration.ofSeconds(90));
        return gateway.port();
    }

    /** The executable jar this build packaged. */
    private static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files
                .filter(file -> file.getFileName().toString().matches("discovery-gateway-[0-9.]+(-SNAPSHOT)?\\.jar"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no packaged jar in target/"));
        }
    }

}
