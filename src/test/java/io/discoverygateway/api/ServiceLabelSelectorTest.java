package io.discoverygateway.api;

import java.util.List;
import java.util.Map;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code gateway.service-label-selector}: only the Services it selects are cached, the
 * selection is made by the API server (the selector is sent with the list and the watch),
 * and a Service that gains or loses the label comes and goes.
 */
@GatewayTest(properties = { "gateway.namespaces=selected", "gateway.service-label-selector=discovery in (public)" })
class ServiceLabelSelectorTest {

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @Test
    void onlySelectedServicesAreServedAndTheyComeAndGoWithTheirLabel() {
        GatewayClient gateway = new GatewayClient(port);
        create("public-one", Map.of("discovery", "public"));
        create("internal-one", Map.of("discovery", "internal"));
        create("unlabelled", Map.of());
        await().untilAsserted(() -> assertThat(names(gateway)).containsExactly("public-one"));

        api.replace(ApiResource.SERVICES, "selected",
                KubeObjects.service("selected", "internal-one", Map.of("discovery", "public")));
        api.replace(ApiResource.SERVICES, "selected",
                KubeObjects.service("selected", "public-one", Map.of("discovery", "internal")));

        await().untilAsserted(() -> assertThat(names(gateway)).containsExactly("internal-one"));
        assertThat(gateway.json("/api/v1/namespaces/selected/services/internal-one").path("endpoints")).hasSize(1);
        assertThat(api.requests()).filteredOn(request -> request.resource().equals("services"))
            .extracting(RecordedRequest::verb)
            .containsOnly("list", "watch");
    }

    private List<String> names(GatewayClient gateway) {
        return gateway.json("/api/v1/namespaces/selected/services")
            .path("items")
            .valueStream()
            .map(item -> item.path("name").asString())
            .toList();
    }

    private void create(String name, Map<String, String> labels) {
        api.create(ApiResource.SERVICES, "selected", KubeObjects.service("selected", name, labels));
        api.create(ApiResource.ENDPOINT_SLICES, "selected", KubeObjects.slice("selected", name + "-1", name,
                List.of(EndpointSpec.ready("10.80.0." + (name.length() + 1)))));
    }

}
