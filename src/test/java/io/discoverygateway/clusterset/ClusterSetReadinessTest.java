package io.discoverygateway.clusterset;

import java.time.Duration;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.FaultProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code gateway.clusterset.remotes-in-readiness}, a remote cluster unreachable for
 * longer than {@code withdraw-after} takes the gateway out of readiness, and it is ready
 * again once the remote answers; its health says which cluster.
 */
@GatewayTest(
        properties = { "gateway.namespaces=shop", "gateway.clusterset.enabled=true", "gateway.clusterset.name=east",
                "gateway.clusterset.withdraw-after=1s", "gateway.clusterset.remotes-in-readiness=true" })
@DirtiesContext
class ClusterSetReadinessTest {

    private static final RemoteCluster WEST = RemoteCluster.start("west");

    @Autowired
    Environment environment;

    @DynamicPropertySource
    static void remote(DynamicPropertyRegistry registry) {
        WEST.register(registry, 0);
    }

    @AfterAll
    static void stopRemote() {
        WEST.close();
    }

    @Test
    void aWithdrawnRemoteClusterTakesTheGatewayOutOfReadinessUntilItAnswersAgain() {
        GatewayClient client = GatewayClient.of(environment);

        WEST.proxy().mode(FaultProxy.Mode.REFUSE);
        WEST.proxy().dropConnections();
        await().atMost(Duration.ofSeconds(20))
            .until(() -> client.get("/actuator/health/readiness").statusCode() == 503);
        String health = client.get("/actuator/health/readiness").body();
        WEST.proxy().mode(FaultProxy.Mode.PASS);

        assertThat(health).contains("\"clusterset\":{\"status\":\"OUT_OF_SERVICE\"}",
                "\"catalog\":{\"status\":\"UP\"}");
        assertThat(client.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> client.get("/actuator/health/readiness").statusCode() == 200);
    }

}
