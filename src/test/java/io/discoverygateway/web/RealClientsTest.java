package io.discoverygateway.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients as they are out there: slow readers with small receive buffers and large
 * services, HEAD requests, and connections abandoned without a goodbye on every route.
 * Heartbeats are a minute apart here, so nothing in these tests is delivered by a
 * heartbeat's flush.
 */
@GatewayTest(properties = { "gateway.namespaces=clients", "gateway.stream.heartbeat=60s",
        "gateway.stream.max-subscribers=20", "gateway.long-poll.max-waiting=20" })
class RealClientsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    private EmbeddedKubernetesApi api;

    @Autowired
    private MeterRegistry registry;

    @LocalServerPort
    private int port;

    private GatewayClient gateway;

    @BeforeEach
    void ready() {
        gateway = new GatewayClient(port);
    }

    @Test
    void aLargeServiceReachesASlowReaderWithASmallBufferWithoutWaitingForAHeartbeat() throws Exception {
        createLarge("large", 1000, 0);

        try (SseClient slow = SseClient.connectSlowly(port, "/api/v1/stream?service=clients/large", 2048, 1024, 1)) {
            slow.awaitNamed("SYNCED", TIMEOUT);
            assertThat(slow.namedEvents()).filteredOn(e -> "ADDED".equals(e.type()))
                .singleElement()
                .satisfies(e -> assertThat(e.data().length()).isGreaterThan(200_000));

            api.replace(ApiResource.ENDPOINT_SLICES, "clients", largeSlice("large", 999));
            slow.awaitEvent(
                    e -> "MODIFIED".equals(e.type()) && GatewayClient.parse(e.data()).path("endpoints").size() == 999,
                    TIMEOUT);
        }
    }

    @Test
    void thirtyKilobytesOfAnnotationsReachASlowReaderAtOnce() throws Exception {
        createLarge("annotated", 3, 30_000);

        try (SseClient slow = SseClient.connectSlowly(port, "/api/v1/stream?service=clients/annotated", 2048, 512, 1)) {
            slow.awaitNamed("SYNCED", TIMEOUT);

            api.replace(ApiResource.ENDPOINT_SLICES, "clients", largeSlice("annotated", 2));
            slow.awaitEvent(
                    e -> "MODIFIED".equals(e.type()) && GatewayClient.parse(e.data()).path("endpoints").size() == 2,
                    TIMEOUT);
        }
    }

    @Test
    void headRequestsOnEveryRouteTakeNoPlace() throws Exception {
        createLarge("headed", 1, 0);
        String etag = gateway.get("/api/v1/namespaces/clients/services/headed")
            .headers()
            .firstValue("ETag")
            .orElseThrow();
        List<String> paths = List.of("/api/v1/stream", "/api/v1/stream?service=headed",
                "/api/v1/namespaces/clients/services/headed?wait=60s", "/api/v1/namespaces/clients/services?wait=60s",
                "/api/v1/services?wait=60s", "/api/v1/services", "/apps", "/apps/headed");
        double streamsBefore = subscribers();
        double waitingBefore = waiting();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (String path : paths) {
                for (int i = 0; i < 30; i++) {
                    sockets.add(send("HEAD", path, "If-None-Match: " + etag));
                }
            }

            await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(List.of(subscribers(), waiting())).as("streams, long-polls")
                    .satisfies(counts -> {
                        assertThat(counts.get(0)).isEqualTo(streamsBefore);
                        assertThat(counts.get(1)).isLessThanOrEqualTo(20);
                    }));
            try (SseClient stream = SseClient.connect(port, "/api/v1/stream?service=headed")) {
                assertThat(stream.status()).as("a stream still gets a place").isEqualTo(200);
            }
        }
        finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        await().atMost(TIMEOUT).until(() -> waiting() == waitingBefore);
    }

    @Test
    void longPollsAbandonedWithoutAGoodbyeAreReleasedWithinSeconds() throws Exception {
        createLarge("abandoned", 1, 0);
        String etag = gateway.get("/api/v1/namespaces/clients/services/abandoned")
            .headers()
            .firstValue("ETag")
            .orElseThrow();
        await().atMost(TIMEOUT).until(() -> waiting() == 0);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            sockets
                .add(send("GET", "/api/v1/namespaces/clients/services/abandoned?wait=60s", "If-None-Match: " + etag));
        }
        await().atMost(TIMEOUT).until(() -> waiting() == 15);

        for (Socket socket : sockets) {
            socket.close();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> waiting() == 0);
    }

    @Test
    void aHeldLongPollWhoseClientStaysIsNotReleased() throws Exception {
        createLarge("staying", 1, 0);
        String etag = gateway.get("/api/v1/namespaces/clients/services/staying")
            .headers()
            .firstValue("ETag")
            .orElseThrow();
        await().atMost(TIMEOUT).until(() -> waiting() == 0);
        try (Socket socket = send("GET", "/api/v1/namespaces/clients/services/staying?wait=60s",
                "If-None-Match: " + etag)) {
            await().atMost(TIMEOUT).until(() -> waiting() == 1);
            api.replace(ApiResource.ENDPOINT_SLICES, "clients", largeSlice("staying", 2));

            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer).as("still held until the change, then answered").isEqualTo("HTTP/1.1 200");
        }
    }

    private Socket send(String method, String path, String header) throws IOException {
        Socket socket = new Socket("localhost", port);
        socket.setReceiveBufferSize(1024);
        OutputStream out = socket.getOutputStream();
        out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n"
                + (header.isEmpty() ? "" : header + "\r\n") + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private double subscribers() {
        return registry.get("gateway.stream.subscribers").gauge().value();
    }

    private double waiting() {
        return registry.get("gateway.longpoll.waiting").gauge().value();
    }

    /**
     * A service with this many endpoints and this many characters of annotations; waits
     * until it is served.
     */
    private void createLarge(String name, int endpoints, int annotationChars) {
        ObjectNode service = (ObjectNode) JSON.readTree(KubeObjects.service("clients", name, Map.of()));
        Map<String, String> annotations = new HashMap<>();
        for (int i = 0; i * 1000 < annotationChars; i++) {
            annotations.put("example.com/blob-" + i, "x".repeat(1000));
        }
        ObjectNode annotationNode = service.withObjectProperty("metadata").putObject("annotations");
        annotations.forEach(annotationNode::put);
        api.create(ApiResource.SERVICES, "clients", service.toString());
        api.create(ApiResource.ENDPOINT_SLICES, "clients", largeSlice(name, endpoints));
        await().atMost(TIMEOUT)
            .until(() -> GatewayClient.parse(gateway.get("/api/v1/namespaces/clients/services/" + name).body())
                .path("endpoints")
                .size() == endpoints);
    }

    private static String largeSlice(String name, int endpoints) {
        return KubeObjects.slice("clients", name + "-1", name,
                IntStream.range(0, endpoints)
                    .mapToObj(i -> EndpointSpec.ready("10.60." + (i / 250) + "." + (i % 250 + 1)))
                    .toList());
    }

}
