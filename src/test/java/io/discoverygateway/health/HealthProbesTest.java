package io.discoverygateway.health;

import java.time.Duration;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistrar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway starts while the Kubernetes API is unreachable: it is alive but not ready,
 * and becomes ready by itself once the API answers and every informer has synced.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "gateway.namespaces=alpha")
@Import(HealthProbesTest.UnreachableApi.class)
class HealthProbesTest {

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Test
    void livenessIsUpAndReadinessWaitsForTheApiThenTurnsUp() {
        GatewayClient gateway = new GatewayClient(port, managementPort);

        var readinessWhileDown = gateway.get("/actuator/health/readiness");
        var livenessWhileDown = gateway.get("/actuator/health/liveness");
        api.acceptConnections();

        assertThat(livenessWhileDown.statusCode()).isEqualTo(200);
        assertThat(livenessWhileDown.body()).contains("\"status\":\"UP\"");
        assertThat(readinessWhileDown.statusCode()).isEqualTo(503);
        assertThat(readinessWhileDown.body()).contains("\"status\":\"OUT_OF_SERVICE\"")
            .contains("\"catalog\":{\"status\":\"OUT_OF_SERVICE\"}");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> gateway.get("/actuator/health/readiness").statusCode() == 200);
        assertThat(gateway.get("/actuator/health/readiness").body()).contains("\"catalog\":{\"status\":\"UP\"}");
    }

    /** An embedded API that refuses connections from the start. */
    @TestConfiguration(proxyBeanMethods = false)
    static class UnreachableApi {

        @Bean(destroyMethod = "close")
        EmbeddedKubernetesApi embeddedKubernetesApi() {
            EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();
            api.refuseConnections();
            return api;
        }

        @Bean
        DynamicPropertyRegistrar embeddedKubernetesApiUrl(EmbeddedKubernetesApi api) {
            return registry -> registry.add("gateway.kubernetes.api-url", () -> api.url().toString());
        }

    }

}
