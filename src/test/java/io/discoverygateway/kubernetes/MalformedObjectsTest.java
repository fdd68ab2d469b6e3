package io.discoverygateway.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Objects the gateway does not expect, from the API: no exception escapes into an
 * informer, the cache stays consistent, and what is skipped is logged once and counted.
 */
@GatewayTest(properties = "gateway.namespaces=alpha,beta")
@ExtendWith(OutputCaptureExtension.class)
class MalformedObjectsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Autowired
    private EmbeddedKubernetesApi api;

    @Autowired
    private MeterRegistry registry;

    @LocalServerPort
    private int port;

    private GatewayClient gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port);
    }

    @Test
    void aSliceOfAnUnknownAddressTypeIsSkippedLoggedOnceAndCounted(CapturedOutput output) {
        double before = skipped();
        api.create(ApiResource.SERVICES, "beta", KubeObjects.service("beta", "odd-type"));
        api.create(ApiResource.ENDPOINT_SLICES, "beta",
                KubeObjects.slice("beta", "odd-type-good", "odd-type", List.of(EndpointSpec.ready("10.40.0.1"))));
        api.create(ApiResource.ENDPOINT_SLICES, "beta", KubeObjects.slice("beta", "odd-type-bad", "odd-type", "Banana",
                List.of(EndpointSpec.ready("10.40.0.2"))));
        api.replace(ApiResource.ENDPOINT_SLICES, "beta", KubeObjects.slice("beta", "odd-type-bad", "odd-type", "Banana",
                List.of(EndpointSpec.ready("10.40.0.3"))));

        await().atMost(TIMEOUT).until(() -> skipped() >= before + 2);
        JsonNode service = awaitService("odd-type", s -> s.path("endpoints").size() == 1);
        assertThat(service.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("10.40.0.1");
        assertThat(output.getAll().split("Skipping EndpointSlice beta/odd-type-bad", -1)).hasSize(2);
    }

    @Test
    void aSliceThatBecomesUnusableNoLongerContributesEndpoints() {
        api.create(ApiResource.SERVICES, "beta", KubeObjects.service("beta", "turned-bad"));
        api.create(ApiResource.ENDPOINT_SLICES, "beta",
                KubeObjects.slice("beta", "turned-bad-1", "turned-bad", List.of(EndpointSpec.ready("10.41.0.1"))));
        awaitService("turned-bad", s -> s.path("endpoints").size() == 1);

        api.replace(ApiResource.ENDPOINT_SLICES, "beta", KubeObjects.slice("beta", "turned-bad-1", "turned-bad",
                "Banana", List.of(EndpointSpec.ready("10.41.0.1"))));

        awaitService("turned-bad", s -> s.path("endpoints").isEmpty());
    }

    @Test
    void objectsWithMissingOptionalFieldsAndUnknownFieldsAreServedWithDefaults() {
        api.create(ApiResource.SERVICES, "beta", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"bare"},"futureField":{"x":1}}""");
        api.create(ApiResource.ENDPOINT_SLICES, "beta",
                """
                        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                         "metadata":{"name":"bare-1","labels":{"kubernetes.io/service-name":"bare"}},
                         "addressType":"IPv4","endpoints":[{"addresses":[]},{"addresses":["10.42.0.1"],"futureField":true}]}""");

        JsonNode service = awaitService("bare", s -> s.path("endpoints").size() == 1);

        assertThat(service.path("type").asString()).isEqualTo("ClusterIP");
        assertThat(service.path("ports")).isEmpty();
        assertThat(service.path("endpoints").get(0).path("ports")).isEmpty();
    }

    @Test
    void fqdnSlicesAreServedWithTheirAddressType() {
        api.create(ApiResource.SERVICES, "beta", KubeObjects.service("beta", "fqdn"));
        api.create(ApiResource.ENDPOINT_SLICES, "beta",
                KubeObjects.slice("beta", "fqdn-1", "fqdn", "FQDN", List.of(EndpointSpec.ready("db.example.com"))));

        JsonNode endpoint = awaitService("fqdn", s -> s.path("endpoints").size() == 1).path("endpoints").get(0);

        assertThat(endpoint.path("addressType").asString()).isEqualTo("FQDN");
        assertThat(endpoint.path("addresses").get(0).asString()).isEqualTo("db.example.com");
    }

    @Test
    void aSliceOfAThousandEndpointsIsServedWhole() {
        api.create(ApiResource.SERVICES, "beta", KubeObjects.service("beta", "big-slice"));
        api.create(ApiResource.ENDPOINT_SLICES, "beta",
                KubeObjects.slice("beta", "big-slice-1", "big-slice",
                        IntStream.range(0, 1000)
                            .mapToObj(i -> EndpointSpec.ready("10.43." + i / 250 + "." + i % 250))
                            .toList()));

        awaitService("big-slice", s -> s.path("endpoints").size() == 1000);
    }

    @Test
    void aServiceWithFiveThousandEndpointsInFiftySlicesIsServedAndShrinksWithItsSlices() {
        api.create(ApiResource.SERVICES, "beta", KubeObjects.service("beta", "huge"));
        for (int slice = 0; slice < 50; slice++) {
            int base = slice * 100;
            api.create(ApiResource.ENDPOINT_SLICES, "beta",
                    KubeObjects.slice("beta", "huge-" + slice, "huge",
                            IntStream.range(base, base + 100)
                                .mapToObj(i -> EndpointSpec.ready("10.44." + i / 250 + "." + i % 250))
                                .toList()));
        }
        awaitService("huge", s -> s.path("endpoints").size() == 5000);

        api.delete(ApiResource.ENDPOINT_SLICES, "beta", "huge-7");

        awaitService("huge", s -> s.path("endpoints").size() == 4900);
        assertThat(gateway.json("/api/v1/namespaces/beta/services")
            .path("items")
            .findValues("name")
            .stream()
            .map(JsonNode::asString)).contains("huge");
    }

    private double skipped() {
        var counter = registry.find("gateway.kubernetes.objects.skipped").tag("kind", "EndpointSlice").counter();
        return counter == null ? 0 : counter.count();
    }

    private JsonNode awaitService(String name, java.util.function.Predicate<JsonNode> condition) {
        return await().atMost(TIMEOUT).until(() -> {
            var response = gateway.get("/api/v1/namespaces/beta/services/" + name);
            return response.statusCode() == 200 ? GatewayClient.parse(response.body()) : null;
        }, service -> service != null && condition.test(service));
    }

}
