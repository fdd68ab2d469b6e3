package io.discoverygateway.compat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.discoverygateway.AlphaBetaContract;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cloud.kubernetes.commons.discovery.DefaultKubernetesServiceInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Spring Cloud Kubernetes discovery server API ({@code /apps}), in the shapes its
 * HTTP discovery client reads: instances are bound to Spring Cloud Kubernetes' own
 * {@link DefaultKubernetesServiceInstance}, and their JSON has exactly that record's
 * fields plus the {@code uri} and {@code scheme} it serializes. A contract that
 * {@link DiscoveryServerApiTest} runs on the embedded API and
 * {@code DiscoveryServerApiOnRealClusterTest} on a real kube-apiserver, with the gateway
 * watching the namespaces alpha and beta.
 */
public abstract class DiscoveryServerApiContract extends AlphaBetaContract {

    /** Spring Cloud Kubernetes' own instance type. */
    private static final Class<DefaultKubernetesServiceInstance> INSTANCE = DefaultKubernetesServiceInstance.class;

    /**
     * As the HTTP discovery client reads: unknown fields (uri, scheme) ignored, missing
     * primitives refused.
     */
    private static final JsonMapper STRICT = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .build();

    public record App(String name, List<DefaultKubernetesServiceInstance> serviceInstances) {
    }

    @Test
    void anInstanceHasExactlyTheFieldsOfSpringCloudKubernetesInstances() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "fields"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "fields-1", "fields", List.of(EndpointSpec.ready("10.1.1.1"))));
        awaitInstances("fields", 1);

        JsonNode instance = gateway.json("/apps/fields").get(0);

        List<String> expected = new java.util.ArrayList<>(java.util.Arrays.stream(INSTANCE.getRecordComponents())
            .map(java.lang.reflect.RecordComponent::getName)
            .toList());
        expected.addAll(List.of("uri", "scheme"));
        assertThat(instance.propertyNames()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void instancesAreTheReadyEndpointsWithTheServersMetadata() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "compat", Map.of("team", "core")));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha, KubeObjects.slice(alpha, "compat-1", "compat",
                List.of(EndpointSpec.ready("10.1.0.1"), EndpointSpec.notReady("10.1.0.2"))));

        List<DefaultKubernetesServiceInstance> instances = awaitInstances("compat", 1);

        DefaultKubernetesServiceInstance instance = instances.get(0);
        assertThat(instance.instanceId()).isEqualTo("uid-compat-10.1.0.1");
        assertThat(instance.serviceId()).isEqualTo("compat");
        assertThat(instance.host()).isEqualTo("10.1.0.1");
        assertThat(instance.port()).isEqualTo(8080);
        assertThat(instance.getUri().toString()).isEqualTo("http://10.1.0.1:8080");
        assertThat(instance.secure()).isFalse();
        assertThat(instance.getScheme()).isEqualTo("http");
        assertThat(instance.namespace()).isEqualTo(alpha);
        assertThat(instance.cluster()).isNull();
        assertThat(instance.podMetadata()).isEmpty();
        assertThat(instance.metadata()).containsEntry("team", "core")
            .containsEntry("port.http", "8080")
            .containsEntry("k8s_namespace", alpha)
            .containsEntry("type", "ClusterIP");
    }

    @Test
    void sameNamedServicesOfAllNamespacesAreMerged() {
        for (String namespace : List.of(alpha, beta)) {
            cluster.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "twin"));
            cluster.create(ApiResource.ENDPOINT_SLICES, namespace, KubeObjects.slice(namespace, "twin-1", "twin",
                    List.of(EndpointSpec.ready(namespace.equals(alpha) ? "10.2.0.1" : "10.2.0.2"))));
        }

        List<DefaultKubernetesServiceInstance> instances = awaitInstances("twin", 2);

        assertThat(instances).extracting(DefaultKubernetesServiceInstance::namespace)
            .containsExactlyInAnyOrder(alpha, beta);
    }

    @Test
    void appsListsEveryServiceByNameWithItsInstances() throws Exception {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "listed"));
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.externalNameService(alpha, "external", "x.example"));
        awaitInstances("listed", 0);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> gateway.get("/api/v1/namespaces/" + alpha + "/services/external").statusCode() == 200);

        List<App> apps = List.of(STRICT.readValue(gateway.get("/apps").body(), App[].class));

        assertThat(apps).extracting(App::name).contains("listed").doesNotContain("external").isSorted();
    }

    @Test
    void oneInstanceIsFoundByItsIdAndAnUnknownOneIsAnEmptyBody() throws Exception {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "single"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "single-1", "single", List.of(EndpointSpec.ready("10.3.0.1"))));
        awaitInstances("single", 1);

        DefaultKubernetesServiceInstance found = STRICT
            .readValue(gateway.get("/apps/single/uid-single-10.3.0.1").body(), INSTANCE);
        var unknown = gateway.get("/apps/single/no-such-instance");

        assertThat(found.host()).isEqualTo("10.3.0.1");
        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(unknown.body()).isEmpty();
    }

    @Test
    void endpointsWithoutAPodGetUniqueIdsThatStayTheSameAndFindTheirInstance() throws Exception {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "external-ips"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha, """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"external-ips-1","labels":{"kubernetes.io/service-name":"external-ips"}},
                 "addressType":"IPv4","endpoints":[{"addresses":["192.0.2.1"]},{"addresses":["192.0.2.2"]}],
                 "ports":[{"name":"http","port":80}]}""");

        List<DefaultKubernetesServiceInstance> first = awaitInstances("external-ips", 2);
        List<DefaultKubernetesServiceInstance> second = List
            .of(STRICT.readValue(gateway.get("/apps/external-ips").body(), DefaultKubernetesServiceInstance[].class));

        assertThat(first).extracting(DefaultKubernetesServiceInstance::instanceId).doesNotHaveDuplicates();
        assertThat(second).extracting(DefaultKubernetesServiceInstance::instanceId)
            .containsExactlyElementsOf(first.stream().map(DefaultKubernetesServiceInstance::instanceId).toList());
        for (DefaultKubernetesServiceInstance instance : first) {
            DefaultKubernetesServiceInstance found = STRICT
                .readValue(gateway.get("/apps/external-ips/" + instance.instanceId()).body(), INSTANCE);
            assertThat(found.host()).isEqualTo(instance.host());
        }
    }

    @Test
    void stateListsEveryEndpointsTargetAsTheCatalogWatcherPollsIt() {
        cluster.create(ApiResource.SERVICES, beta, KubeObjects.service(beta, "stated"));
        cluster.create(ApiResource.ENDPOINT_SLICES, beta, KubeObjects.slice(beta, "stated-1", "stated",
                List.of(EndpointSpec.ready("10.5.0.1"), EndpointSpec.notReady("10.5.0.2"))));
        awaitInstances("stated", 1);

        JsonNode state = gateway.json("/state");

        assertThat(state.valueStream()
            .map(e -> e.path("namespace").asString() + "/" + e.path("endpointName").asString())
            .toList()).contains(beta + "/stated-10-5-0-1", beta + "/stated-10-5-0-2").isSorted();
        assertThat(state.get(0).propertyNames()).containsExactlyInAnyOrder("endpointName", "namespace");
    }

    @Test
    void theEndpointsZoneIsInTheMetadataForZonePreference() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "zoned"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha,
                KubeObjects.slice(alpha, "zoned-1", "zoned", List.of(EndpointSpec.ready("10.6.0.1"))));

        DefaultKubernetesServiceInstance instance = awaitInstances("zoned", 1).get(0);

        assertThat(instance.getMetadata()).containsEntry("zone", "zone-a");
    }

    @Test
    void anUnknownServiceHasNoInstances() {
        JsonNode instances = gateway.json("/apps/never-heard-of-it");

        assertThat(instances.isArray()).isTrue();
        assertThat(instances).isEmpty();
    }

    @Test
    void withSeveralPortsTheHttpsPortIsPrimaryAndMakesTheInstanceSecure() {
        cluster.create(ApiResource.SERVICES, alpha, KubeObjects.service(alpha, "multi"));
        cluster.create(ApiResource.ENDPOINT_SLICES, alpha, """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"multi-1","labels":{"kubernetes.io/service-name":"multi"}},
                 "addressType":"IPv4","endpoints":[{"addresses":["10.4.0.1"],"conditions":{"ready":true}}],
                 "ports":[{"name":"metrics","port":9090},{"name":"https","port":8443},{"name":"http","port":8080}]}""");

        DefaultKubernetesServiceInstance instance = awaitInstances("multi", 1).get(0);

        assertThat(instance.port()).isEqualTo(8443);
        assertThat(instance.secure()).isTrue();
        assertThat(instance.getUri().toString()).isEqualTo("https://10.4.0.1:8443");
        assertThat(instance.metadata()).containsEntry("port.metrics", "9090").containsEntry("port.http", "8080");
    }

    private List<DefaultKubernetesServiceInstance> awaitInstances(String name, int count) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            var response = gateway.get("/apps/" + name);
            return List.of(STRICT.readValue(response.body(), DefaultKubernetesServiceInstance[].class));
        }, instances -> instances.size() == count
                && (count > 0 || gateway.get("/api/v1/services").body().contains("\"name\":\"" + name + "\"")));
    }

}
