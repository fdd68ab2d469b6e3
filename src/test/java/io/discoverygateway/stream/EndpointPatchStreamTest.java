package io.discoverygateway.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.ServicePatches;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code patches=true}: a live change of a large service's endpoints reaches the
 * subscribers that asked for it as the endpoints that changed, which applied to what they
 * hold gives exactly the gateway's document. Services of 1,000 endpoints and 30 KB of
 * annotations, changed in the embedded API, read through the stream.
 */
@GatewayTest(properties = { "gateway.namespaces=alpha", "gateway.stream.heartbeat=300ms" })
class EndpointPatchStreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    private EmbeddedKubernetesApi api;

    @Autowired
    private MeterRegistry registry;

    @LocalServerPort
    private int port;

    @Test
    void aReadinessFlipInALargeServiceIsAPatchOfThatOneEndpoint() throws Exception {
        createLargeService("flip");
        try (SseClient client = SseClient.connect(port, "/api/v1/stream?service=alpha/flip&patches=true")) {
            client.awaitNamed("SYNCED", TIMEOUT);

            writeSlice("flip", 1000, 7);
            Event patch = client.awaitNamed("PATCHED", TIMEOUT);

            JsonNode data = GatewayClient.parse(patch.data());
            assertThat(patch.id()).as("a live event, a resume point").isNotNull();
            assertThat(patch.data().length()).as("one endpoint, not 1,000 and 30 KB of annotations").isLessThan(1000);
            assertThat(data.path("endpoints")).hasSize(1);
            assertThat(data.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo(address(7));
            assertThat(data.path("endpoints").get(0).path("ready").asBoolean()).isFalse();
            assertThat(data.path("removed")).isEmpty();
            assertThat(heldByClient(client, "flip")).isEqualTo(servedByGateway("flip"));
        }
    }

    @Test
    void subscribersWithoutPatchesStillGetTheWholeService() throws Exception {
        createLargeService("whole");
        try (SseClient plain = SseClient.connect(port, "/api/v1/stream?service=alpha/whole")) {
            plain.awaitNamed("SYNCED", TIMEOUT);

            writeSlice("whole", 1000, 3);
            Event modified = plain.awaitNamed("MODIFIED", TIMEOUT);

            assertThat(GatewayClient.parse(modified.data()).path("endpoints")).hasSize(1000);
            assertThat(plain.namedEvents()).extracting(Event::type).doesNotContain("PATCHED");
        }
    }

    @Test
    void aChangeToTheServiceItselfIsSentWhole() throws Exception {
        createLargeService("relabel");
        try (SseClient client = SseClient.connect(port, "/api/v1/stream?service=alpha/relabel&patches=true")) {
            client.awaitNamed("SYNCED", TIMEOUT);

            ObjectNode service = api.get(ApiResource.SERVICES, "alpha", "relabel").orElseThrow();
            service.withObjectProperty("metadata").withObjectProperty("labels").put("tier", "gold");
            api.replace(ApiResource.SERVICES, "alpha", service.toString());
            Event modified = client.awaitNamed("MODIFIED", TIMEOUT);

            assertThat(GatewayClient.parse(modified.data()).path("labels").path("tier").asString()).isEqualTo("gold");
            assertThat(GatewayClient.parse(modified.data()).path("endpoints")).hasSize(1000);
        }
    }

    @Test
    void subscribersThatKeepUpShareOneEncodingOfEachPatch() throws Exception {
        createLargeService("shared");
        List<SseClient> clients = IntStream.range(0, 20)
            .mapToObj(i -> connect("/api/v1/stream?service=alpha/shared" + "&patches=true"))
            .toList();
        try {
            clients.forEach(client -> client.awaitNamed("SYNCED", TIMEOUT));
            double encodedBefore = counter("gateway.stream.frames.encoded");
            double patchedBefore = counter("gateway.stream.events.patched");

            writeSlice("shared", 1000, 11);
            clients.forEach(client -> client.awaitNamed("PATCHED", TIMEOUT));

            assertThat(counter("gateway.stream.events.patched") - patchedBefore).isEqualTo(20);
            assertThat(counter("gateway.stream.frames.encoded") - encodedBefore).isEqualTo(1);
        }
        finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void aSlowReaderThatFallsBehindGetsPatchesFromWhatItHolds() throws Exception {
        createLargeService("slow");
        try (SseClient slow = SseClient.connectSlowly(port, "/api/v1/stream?service=alpha/slow&patches=true", 2048, 512,
                2)) {
            slow.awaitNamed("SYNCED", Duration.ofSeconds(60));

            for (int notReady = 0; notReady < 30; notReady++) {
                writeSlice("slow", 1000 - notReady, notReady);
            }
            GatewayClient gateway = new GatewayClient(port);
            await().atMost(TIMEOUT)
                .until(() -> gateway.json("/api/v1/namespaces/alpha/services/slow").path("endpoints").size() == 971);
            String served = servedByGateway("slow");
            await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(heldByClient(slow, "slow")).isEqualTo(served));

            assertThat(slow.namedEvents()).extracting(Event::type).contains("PATCHED");
        }
    }

    @Test
    void aClientResumingAfterACutGetsTheWholeServiceThenPatchesAgain() throws Exception {
        createLargeService("resume");
        String lastId;
        try (SseClient first = SseClient.connect(port, "/api/v1/stream?service=alpha/resume&patches=true")) {
            lastId = first.awaitNamed("SYNCED", TIMEOUT).id();
        }
        String before = servedByGateway("resume");
        writeSlice("resume", 1000, 1);
        await().atMost(TIMEOUT).until(() -> !servedByGateway("resume").equals(before));
        try (SseClient resumed = SseClient.connect(port, "/api/v1/stream?service=alpha/resume&patches=true",
                "Last-Event-ID", lastId)) {
            resumed.awaitNamed("SYNCED", TIMEOUT);
            assertThat(resumed.namedEvents()).extracting(Event::type).containsExactly("MODIFIED", "SYNCED");

            writeSlice("resume", 1000, 2);
            resumed.awaitNamed("PATCHED", TIMEOUT);

            // The resume's whole service, then the patch: together exactly the gateway's
            // document.
            assertThat(heldByClient(resumed, "resume")).isEqualTo(servedByGateway("resume"));
        }
    }

    @Test
    void aMalformedPatchesParameterIsRejectedBeforeTheStreamStarts() throws Exception {
        try (SseClient client = SseClient.connect(port, "/api/v1/stream?patches=sometimes")) {
            await().atMost(TIMEOUT).until(client::ended);

            assertThat(client.status()).isEqualTo(400);
            assertThat(client.header("Content-Type")).isEqualTo("application/problem+json");
        }
    }

    /**
     * A Service with 30 KB of annotations and a slice of 1,000 ready endpoints, served by
     * the gateway.
     */
    private void createLargeService(String name) {
        ObjectNode service = (ObjectNode) JSON.readTree(KubeObjects.service("alpha", name, Map.of("app", name)));
        ObjectNode annotations = service.withObjectProperty("metadata").putObject("annotations");
        IntStream.range(0, 30).forEach(i -> annotations.put("example.com/note-" + i, "x".repeat(1000)));
        api.create(ApiResource.SERVICES, "alpha", service.toString());
        writeSlice(name, 1000, -1);
        GatewayClient gateway = new GatewayClient(port);
        await().atMost(TIMEOUT)
            .until(() -> gateway.json("/api/v1/namespaces/alpha/services/" + name).path("endpoints").size() == 1000);
    }

    /**
     * The service's slice with {@code count} endpoints, the one at {@code notReady} not
     * ready.
     */
    private void writeSlice(String name, int count, int notReady) {
        api.replace(ApiResource.ENDPOINT_SLICES, "alpha",
                KubeObjects.slice("alpha", name + "-1", name, IntStream.range(0, count)
                    .mapToObj(i -> i == notReady ? EndpointSpec.notReady(address(i)) : EndpointSpec.ready(address(i)))
                    .toList()));
    }

    private String heldByClient(SseClient client, String name) {
        JsonNode held = ServicePatches.view(client.namedEvents()).get("alpha/" + name);
        return held == null ? null : ServicePatches.canonical(held);
    }

    private String servedByGateway(String name) {
        return ServicePatches.canonical(new GatewayClient(port).json("/api/v1/namespaces/alpha/services/" + name));
    }

    private SseClient connect(String path) {
        try {
            return SseClient.connect(port, path);
        }
        catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private double counter(String name) {
        return registry.get(name).counter().count();
    }

    private static String address(int i) {
        return "10.60." + i / 250 + "." + (i % 250 + 1);
    }

}
