package io.discoverygateway.kubernetes;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Opt-in pod metadata: a pod informer enriches endpoints, with label and annotation
 * allow-lists.
 */
@GatewayTest(properties = { "gateway.namespaces=pods", "gateway.pod-metadata.enabled=true",
        "gateway.pod-metadata.label-keys=version,track", "gateway.pod-metadata.annotation-keys=team" })
class PodMetadataTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Autowired
    private EmbeddedKubernetesApi api;

    @Autowired
    private io.micrometer.core.instrument.MeterRegistry registry;

    @LocalServerPort
    private int port;

    private GatewayClient gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port);
    }

    @Test
    void endpointsCarryThePodWithOnlyTheAllowedLabelsAndAnnotations() {
        deploy("enriched", "10.50.0.1", "v1");

        JsonNode pod = awaitService("enriched", s -> s.path("endpoints").get(0).has("pod")).path("endpoints")
            .get(0)
            .path("pod");

        assertThat(pod.path("name").asString()).isEqualTo(KubeObjects.podName("enriched", "10.50.0.1"));
        assertThat(pod.path("uid").asString()).isNotEmpty();
        assertThat(pod.path("labels").properties()).extracting(Map.Entry::getKey).containsExactly("version");
        assertThat(pod.path("annotations").properties()).extracting(Map.Entry::getKey).containsExactly("team");
        assertThat(pod.path("phase").asString()).isEqualTo("Running");
        assertThat(pod.path("startTime").asString()).as("RFC 3339, zero seconds included")
            .isEqualTo("2026-11-30T05:00:00Z");
        assertThat(pod.path("nodeName").asString()).isEqualTo("node-1");
        assertThat(pod.path("restarts").asInt()).isEqualTo(2);
        assertThat(pod.path("readySince").asString()).isEqualTo("2026-11-30T05:00:10Z");
    }

    @Test
    void aLabelFlipReachesRestAndTheStreamWithANewEtag() throws Exception {
        deploy("flipping", "10.51.0.1", "v1");
        HttpResponse<String> before = await().atMost(TIMEOUT)
            .until(() -> gateway.get("/api/v1/namespaces/pods/services/flipping"),
                    r -> r.body().contains("\"version\":\"v1\""));
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?service=pods/flipping")) {
            stream.awaitNamed("SYNCED", TIMEOUT);

            api.replace(ApiResource.PODS, "pods", pod("flipping", "10.51.0.1", "v2", 2));

            stream.awaitEvent(e -> "MODIFIED".equals(e.type()) && e.data().contains("\"version\":\"v2\""), TIMEOUT);
            HttpResponse<String> after = gateway.get("/api/v1/namespaces/pods/services/flipping");
            assertThat(after.body()).contains("\"version\":\"v2\"");
            assertThat(after.headers().firstValue("ETag")).isNotEqualTo(before.headers().firstValue("ETag"));
        }
    }

    @Test
    void changesToFieldsNotKeptMakeNoRevision() {
        deploy("steady-pod", "10.52.0.1", "v1");
        long revision = awaitService("steady-pod", s -> s.path("endpoints").get(0).has("pod")).path("revision")
            .asLong();

        api.replace(ApiResource.PODS, "pods", KubeObjects.pod("pods", KubeObjects.podName("steady-pod", "10.52.0.1"),
                Map.of("version", "v1", "unrelated", "changed"), Map.of("team", "core", "other", "changed"), 2));
        deploy("steady-marker", "10.52.0.2", "v1");
        awaitService("steady-marker", s -> s.path("endpoints").get(0).has("pod"));

        assertThat(gateway.json("/api/v1/namespaces/pods/services/steady-pod").path("revision").asLong())
            .isEqualTo(revision);
    }

    @Test
    void aPodDeletedBeforeItsEndpointLeavesNoPodData() {
        deploy("orphaned", "10.53.0.1", "v1");
        awaitService("orphaned", s -> s.path("endpoints").get(0).has("pod"));

        api.delete(ApiResource.PODS, "pods", KubeObjects.podName("orphaned", "10.53.0.1"));

        JsonNode service = awaitService("orphaned", s -> !s.path("endpoints").get(0).has("pod"));
        assertThat(service.path("endpoints")).hasSize(1);
    }

    @Test
    void podLabelSelectorKeepsEndpointsWhosePodMatches() {
        deployCanary("canaried", "10.54.0.1", "10.54.0.2");

        JsonNode v2 = gateway.json("/api/v1/namespaces/pods/services/canaried?podLabelSelector=version%3Dv2");

        assertThat(v2.path("endpoints")).hasSize(1);
        assertThat(v2.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("10.54.0.2");
        assertThat(
                gateway.get("/api/v1/namespaces/pods/services/canaried?podLabelSelector=version%20in%20(").statusCode())
            .isEqualTo(400);
    }

    @Test
    void aLongPollAppliesThePodLabelSelectorAndAnswersWhenAPodChanges() throws Exception {
        deployCanary("polled-pods", "10.57.0.1", "10.57.0.2");
        String path = "/api/v1/namespaces/pods/services/polled-pods?podLabelSelector=version%3Dv2";
        String etag = gateway.get(path).headers().firstValue("ETag").orElseThrow();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> held = java.util.concurrent.CompletableFuture
            .supplyAsync(() -> gateway.get(path + "&wait=30s", "If-None-Match", etag));

        api.replace(ApiResource.PODS, "pods", pod("polled-pods", "10.57.0.1", "v2", 0));

        HttpResponse<String> response = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode endpoints = GatewayClient.parse(response.body()).path("endpoints");
        assertThat(endpoints).extracting(e -> e.path("pod").path("labels").path("version").asString())
            .containsOnly("v2");
        assertThat(endpoints).hasSize(2);
        assertThat(response.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    }

    @Test
    void selectorsWhoseTextsShareAHashCodeGetDifferentEntityTags() {
        deploy("tagged", "10.58.0.1", "v1");
        awaitService("tagged", s -> s.path("endpoints").get(0).has("pod"));
        assertThat("v=Aa".hashCode()).isEqualTo("v=BB".hashCode());

        String aa = gateway.get("/api/v1/namespaces/pods/services/tagged?podLabelSelector=v%3DAa")
            .headers()
            .firstValue("ETag")
            .orElseThrow();
        HttpResponse<String> bb = gateway.get("/api/v1/namespaces/pods/services/tagged?podLabelSelector=v%3DBB",
                "If-None-Match", aa);

        assertThat(bb.statusCode()).isEqualTo(200);
        assertThat(bb.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(aa);
    }

    @Test
    void theStreamAppliesThePodLabelSelectorToEndpoints() throws Exception {
        deployCanary("streamed", "10.55.0.1", "10.55.0.2");

        try (SseClient stream = SseClient.connect(port,
                "/api/v1/stream?service=pods/streamed&podLabelSelector=version%3Dv2")) {
            SseClient.Event added = stream.awaitNamed("ADDED", TIMEOUT);

            JsonNode endpoints = GatewayClient.parse(added.data()).path("endpoints");
            assertThat(endpoints).hasSize(1);
            assertThat(endpoints.get(0).path("pod").path("labels").path("version").asString()).isEqualTo("v2");
        }
    }

    @Test
    void subscribersWithTheSamePodSelectorShareOneEncodingOfEachChange() throws Exception {
        deploy("shared-frames", "10.59.0.1", "v2");
        awaitService("shared-frames", s -> s.path("endpoints").get(0).has("pod"));
        java.util.List<SseClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                clients.add(SseClient.connect(port,
                        "/api/v1/stream?service=pods/shared-frames&podLabelSelector=version%3Dv2"));
            }
            for (SseClient client : clients) {
                client.awaitNamed("SYNCED", TIMEOUT);
            }
            double before = registry.get("gateway.stream.frames.encoded").counter().count();

            api.replace(ApiResource.PODS, "pods", pod("shared-frames", "10.59.0.1", "v2", 5));

            for (SseClient client : clients) {
                client.awaitNamed("MODIFIED", TIMEOUT);
            }
            assertThat(registry.get("gateway.stream.frames.encoded").counter().count() - before)
                .as("one encoding for 20 subscribers (two threads may race on the first)")
                .isBetween(1.0, 2.0);
        }
        finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void theDiscoveryServerApiFillsPodMetadata() {
        deploy("compat-pod", "10.56.0.1", "v1");
        awaitService("compat-pod", s -> s.path("endpoints").get(0).has("pod"));

        JsonNode instance = gateway.json("/apps/compat-pod").get(0);

        assertThat(instance.path("podMetadata").path("labels").path("version").asString()).isEqualTo("v1");
        assertThat(instance.path("podMetadata").path("annotations").path("team").asString()).isEqualTo("core");
    }

    /**
     * A service with two endpoints: the pod of the first has version v1, the pod of the
     * second v2.
     */
    private void deployCanary(String service, String v1Address, String v2Address) {
        api.create(ApiResource.SERVICES, "pods", KubeObjects.service("pods", service));
        api.create(ApiResource.PODS, "pods", pod(service, v1Address, "v1", 0));
        api.create(ApiResource.PODS, "pods", pod(service, v2Address, "v2", 0));
        api.create(ApiResource.ENDPOINT_SLICES, "pods", KubeObjects.slice("pods", service + "-1", service,
                List.of(EndpointSpec.ready(v1Address), EndpointSpec.ready(v2Address))));
        awaitService(service, s -> s.path("endpoints").size() == 2 && s.path("endpoints").get(1).has("pod"));
    }

    private void deploy(String service, String address, String version) {
        api.create(ApiResource.SERVICES, "pods", KubeObjects.service("pods", service));
        api.create(ApiResource.PODS, "pods", pod(service, address, version, 2));
        api.create(ApiResource.ENDPOINT_SLICES, "pods",
                KubeObjects.slice("pods", service + "-1", service, List.of(EndpointSpec.ready(address))));
    }

    private static String pod(String service, String address, String version, int restarts) {
        return KubeObjects.pod("pods", KubeObjects.podName(service, address),
                Map.of("version", version, "pod-template-hash", "abc123"),
                Map.of("team", "core", "secret-ish", "do-not-serve"), restarts);
    }

    private JsonNode awaitService(String name, Predicate<JsonNode> condition) {
        return await().atMost(TIMEOUT).until(() -> {
            HttpResponse<String> response = gateway.get("/api/v1/namespaces/pods/services/" + name);
            return response.statusCode() == 200 ? GatewayClient.parse(response.body()) : null;
        }, service -> service != null && service.path("endpoints").size() > 0 && condition.test(service));
    }

}
