package io.discoverygateway.clusterset;

import java.time.Duration;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer authentication on the cluster-set views: a consumer's token is reviewed by
 * this cluster, and it sees a cluster-set service exactly when it may read that namespace
 * here, whatever cluster exports it.
 */
@GatewayTest(properties = { "gateway.namespaces=shop,billing", "gateway.auth.mode=kubernetes",
        "gateway.clusterset.enabled=true", "gateway.clusterset.name=east" })
@DirtiesContext
class ClusterSetAccessTest {

    private static final RemoteCluster WEST = RemoteCluster.start("west");

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi east;

    @DynamicPropertySource
    static void remote(DynamicPropertyRegistry registry) {
        WEST.register(registry, 0);
    }

    @AfterAll
    static void stopRemote() {
        WEST.close();
    }

    @BeforeEach
    void exports() {
        for (String namespace : List.of("shop", "billing")) {
            if (WEST.api().get(ApiResource.SERVICES, namespace, "web").isEmpty()) {
                WEST.api().create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "web"));
                WEST.api().create(ApiResource.SERVICE_EXPORTS, namespace, KubeObjects.serviceExport(namespace, "web"));
            }
        }
        east.grantListEndpointSlices("shop", "shop", "reader");
        String token = token("reader");
        await().atMost(Duration.ofSeconds(10))
            .until(() -> client().get("/api/v1/clusterset/namespaces/shop/services/web", bearer(token))
                .statusCode() == 200);
    }

    @Test
    void aConsumerSeesTheClusterSetServicesOfTheNamespacesItMayReadHere() {
        String token = token("reader");

        String list = client().get("/api/v1/clusterset/services", bearer(token)).body();

        assertThat(list).contains("\"namespace\":\"shop\"").doesNotContain("billing");
        assertThat(client().get("/api/v1/clusterset/namespaces/billing/services/web", bearer(token)).statusCode())
            .isEqualTo(403);
    }

    @Test
    void withoutATokenTheClusterSetIsRefused() {
        assertThat(client().get("/api/v1/clusterset/services").statusCode()).isEqualTo(401);
        assertThat(client().get("/api/v1/clusterset/clusters").statusCode()).isEqualTo(401);
    }

    @Test
    void aConsumerThatMayReadNoNamespaceHereGetsNothing() {
        String token = token("nobody");

        assertThat(client().get("/api/v1/clusterset/services", bearer(token)).statusCode()).isEqualTo(403);
        assertThat(client().get("/api/v1/clusterset/namespaces/shop/services/web", bearer(token)).statusCode())
            .isEqualTo(403);
    }

    private GatewayClient client() {
        return new GatewayClient(port);
    }

    private String[] bearer(String token) {
        return new String[] { "Authorization", "Bearer " + token };
    }

    private String token(String account) {
        return east.issueToken("shop", east.serviceAccount("shop", account), List.of("discovery-gateway"),
                Duration.ofMinutes(10));
    }

}
