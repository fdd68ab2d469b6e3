package io.discoverygateway.api;

import java.util.List;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.RecordedRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native REST API's contract on the embedded Kubernetes API, and what only the
 * embedded API can show: every request the gateway makes to it.
 */
@GatewayTest(properties = "gateway.namespaces=alpha,beta")
class ServiceApiTest extends ServiceApiContract {

    @Autowired
    private EmbeddedKubernetesApi api;

    @Test
    void requestsNeverReachTheKubernetesApiAndThereIsOneWatchPerKindAndNamespace() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "popular"));
        awaitService(alpha, "popular", s -> true);
        List<RecordedRequest> before = api.requests();

        for (int i = 0; i < 50; i++) {
            gateway.get("/api/v1/namespaces/" + alpha + "/services/popular");
            gateway.get("/api/v1/services");
            gateway.get("/apps/popular");
        }

        assertThat(api.requests()).isEqualTo(before);
        assertThat(api.openWatchCount()).isEqualTo(4);
        assertThat(before).filteredOn(request -> request.verb().equals("watch"))
            .containsOnly(new RecordedRequest("watch", "", "services", "alpha"),
                    new RecordedRequest("watch", "", "services", "beta"),
                    new RecordedRequest("watch", "discovery.k8s.io", "endpointslices", "alpha"),
                    new RecordedRequest("watch", "discovery.k8s.io", "endpointslices", "beta"));
    }

    @Test
    void withoutPodMetadataNoPodIsEverRequestedNorShown() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "podless"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "podless-1", "podless", List.of(EndpointSpec.ready("10.0.8.1"))));

        JsonNode service = awaitService(alpha, "podless", s -> s.path("endpoints").size() == 1);

        assertThat(service.path("endpoints").get(0).has("pod")).isFalse();
        assertThat(api.requests()).extracting(RecordedRequest::resource).doesNotContain("pods");
    }

}
