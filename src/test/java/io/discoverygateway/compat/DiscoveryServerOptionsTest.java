package io.discoverygateway.compat;

import java.time.Duration;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The discovery client's opt-ins, served by {@code /apps} as the discovery server serves
 * them when it has them on.
 */
@GatewayTest(properties = { "gateway.namespaces=options", "gateway.discovery-server.include-not-ready-addresses=true",
        "gateway.discovery-server.include-external-name-services=true" })
class DiscoveryServerOptionsTest {

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @Test
    void notReadyAddressesAreListedWhenAskedFor() {
        api.create(ApiResource.SERVICES, "options", KubeObjects.service("options", "warming"));
        api.create(ApiResource.ENDPOINT_SLICES, "options", KubeObjects.slice("options", "warming-1", "warming",
                List.of(EndpointSpec.ready("10.7.0.1"), EndpointSpec.notReady("10.7.0.2"))));
        GatewayClient gateway = new GatewayClient(port);

        JsonNode instances = await().atMost(Duration.ofSeconds(10))
            .until(() -> gateway.json("/apps/warming"), found -> found.size() == 2);

        assertThat(instances.valueStream().map(i -> i.path("host").asString()).toList())
            .containsExactlyInAnyOrder("10.7.0.1", "10.7.0.2");
    }

    @Test
    void externalNameServicesAreListedWithTheirNameAsHost() {
        api.create(ApiResource.SERVICES, "options",
                KubeObjects.externalNameService("options", "legacy", "db.legacy.example.com"));
        GatewayClient gateway = new GatewayClient(port);

        JsonNode instances = await().atMost(Duration.ofSeconds(10))
            .until(() -> gateway.json("/apps/legacy"), found -> found.size() == 1);

        assertThat(instances.get(0).path("host").asString()).isEqualTo("db.legacy.example.com");
        assertThat(instances.get(0).path("metadata").path("type").asString()).isEqualTo("ExternalName");
        assertThat(gateway.json("/apps").valueStream().map(app -> app.path("name").asString()).toList())
            .contains("legacy");
    }

}
