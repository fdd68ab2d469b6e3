package io.discoverygateway.xds;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.xds.XdsObjects.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A proxyless gRPC client across a restart of the gateway: it keeps calling meanwhile,
 * then follows again.
 */
class XdsRestartTest {

    private static final String NAMESPACE = "restart";

    private final EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();

    private final GrpcBackends backends = GrpcBackends.start(3);

    private final int xdsPort = GrpcBackends.freePort("127.0.0.1");

    private ConfigurableApplicationContext gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        backends.close();
        api.close();
    }

    @Test
    void aClientKeepsCallingWhileTheGatewayRestartsAndFollowsChangesAfterwards() {
        api.create(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, "survivor", Map.of()));
        api.create(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(null));
        gateway = gateway();
        try (ProxylessClient client = new ProxylessClient(xdsPort, "survivor.restart:50051")) {
            awaitAnswersFrom(client, backends.addresses());

            gateway.close();
            gateway = null;
            assertThat(IntStream.range(0, 30).mapToObj(i -> client.call())).containsAll(backends.addresses());

            String leaving = backends.addresses().get(0);
            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(leaving));
            gateway = gateway();

            await().atMost(Duration.ofSeconds(30))
                .until(() -> IntStream.range(0, 6).mapToObj(i -> client.call()).noneMatch(leaving::equals));
            assertThat(IntStream.range(0, 30).mapToObj(i -> client.call())).doesNotContain(leaving);
        }
    }

    @Test
    void aGrpcGoClientKeepsCallingWhileTheGatewayRestartsAndFollowsChangesAfterwards() {
        org.assertj.core.api.Assumptions.assumeThat(GoXdsClient.available()).as("Go is installed").isTrue();
        api.create(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, "survivor", Map.of()));
        api.create(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(null));
        gateway = gateway();
        try (GoXdsClient client = new GoXdsClient(xdsPort, "survivor.restart:50051", null)) {
            Set<String> seen = new HashSet<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                seen.addAll(client.calls(3).backends().keySet());
                return seen.containsAll(backends.addresses());
            });

            gateway.close();
            gateway = null;
            GoXdsClient.Calls whileDown = client.calls(30);
            assertThat(whileDown.failures()).isEmpty();
            assertThat(whileDown.backends()).containsOnlyKeys(backends.addresses());

            String leaving = backends.addresses().get(0);
            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(leaving));
            gateway = gateway();

            await().atMost(Duration.ofSeconds(30)).until(() -> !client.calls(6).backends().containsKey(leaving));
            assertThat(client.calls(30).backends()).doesNotContainKey(leaving);
        }
    }

    private String slice(String notReady) {
        return XdsObjects.slice(NAMESPACE, "survivor", backends.port(),
                backends.addresses()
                    .stream()
                    .map(address -> address.equals(notReady) ? Backend.notReady(address) : Backend.ready(address))
                    .toList());
    }

    private ConfigurableApplicationContext gateway() {
        return SpringApplication.run(DiscoveryGatewayApplication.class, "--server.port=0", "--management.server.port=0",
                "--gateway.namespaces=" + NAMESPACE, "--gateway.kubernetes.api-url=" + api.url(),
                "--gateway.xds.enabled=true", "--gateway.xds.port=" + xdsPort, "--spring.main.banner-mode=off");
    }

    private static void awaitAnswersFrom(ProxylessClient client, List<String> expected) {
        Set<String> seen = new HashSet<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            seen.add(client.call());
            return seen.containsAll(expected);
        });
    }

}
