package io.discoverygateway.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server-sent-events stream, read by a socket client that parses the wire format,
 * while objects change in the embedded Kubernetes API. Each test uses its own
 * namespace-local service names and filters on them.
 */
@GatewayTest(properties = { "gateway.namespaces=alpha,beta", "gateway.stream.heartbeat=300ms",
        "gateway.stream.stall-timeout=2s", "gateway.stream.journal-size=50" })
class StreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    private EmbeddedKubernetesApi api;

    @Autowired
    private MeterRegistry registry;

    @LocalServerPort
    private int port;

    @Test
    void aNewStreamGetsTheMatchingServicesThenSynced() throws Exception {
        createService("alpha", "snap-a", Map.of("stream", "snap"), "10.10.0.1");
        createService("alpha", "snap-b", Map.of("stream", "snap"), "10.10.0.2");
        awaitServed("alpha", "snap-b");

        try (SseClient client = SseClient.connect(port, "/api/v1/stream?labelSelector=stream%3Dsnap")) {
            List<Event> events = client.awaitEvent(e -> "SYNCED".equals(e.type()), TIMEOUT);

            assertThat(client.status()).isEqualTo(200);
            assertThat(client.header("Content-Type")).startsWith("text/event-stream");
            assertThat(client.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(client.header("X-Accel-Buffering")).isEqualTo("no");
            assertThat(events).extracting(Event::type).containsExactly("RESET", "ADDED", "ADDED", "SYNCED");
            assertThat(events.get(0).data()).contains("no-event-id");
            assertThat(events.subList(1, 3)).extracting(e -> json(e).path("name").asString())
                .containsExactly("snap-a", "snap-b");
            assertThat(json(events.get(1)).path("endpoints")).hasSize(1);
            assertThat(events.subList(0, 3)).as("snapshot events are no resume points: they carry no id")
                .extracting(Event::id)
                .containsOnlyNulls();
            Event synced = events.get(3);
            assertThat(synced.id()).endsWith("-" + synced.data());
        }
    }

    @Test
    void liveChangesArriveAsAddedModifiedAndDeleted() throws Exception {
        try (SseClient client = SseClient.connect(port, "/api/v1/stream?service=alpha/live")) {
            client.awaitNamed("SYNCED", TIMEOUT);

            createService("alpha", "live", Map.of(), "10.11.0.1");
            client.awaitEvent(e -> "ADDED".equals(e.type()), TIMEOUT);
            client.awaitEvent(e -> e.data() != null && json(e).path("endpoints").size() == 1, TIMEOUT);
            api.replace(ApiResource.ENDPOINT_SLICES, "alpha", KubeObjects.slice("alpha", "live-1", "live",
                    List.of(EndpointSpec.ready("10.11.0.1"), EndpointSpec.ready("10.11.0.2"))));
            client.awaitEvent(e -> "MODIFIED".equals(e.type()) && json(e).path("endpoints").size() == 2, TIMEOUT);
            api.delete(ApiResource.SERVICES, "alpha", "live");
            List<Event> events = client.awaitEvent(e -> "DELETED".equals(e.type()), TIMEOUT);

            Event deleted = events.get(events.size() - 1);
            assertThat(json(deleted).path("endpoints")).as("the last known state").hasSize(2);
            List<Event> live = after(events, "SYNCED");
            assertThat(live).extracting(Event::id).doesNotContainNull();
            List<Long> revisions = live.stream()
                .map(e -> Long.parseLong(e.id().substring(e.id().lastIndexOf('-') + 1)))
                .toList();
            assertThat(revisions).isSorted();
        }
    }

    @Test
    void filtersKeepOtherServicesOut() throws Exception {
        try (SseClient byNamespace = SseClient.connect(port, "/api/v1/stream?namespace=beta&service=filtered");
                SseClient byKey = SseClient.connect(port, "/api/v1/stream?service=alpha/filtered")) {
            byNamespace.awaitNamed("SYNCED", TIMEOUT);
            byKey.awaitNamed("SYNCED", TIMEOUT);

            createService("alpha", "filtered", Map.of(), "10.12.0.1");
            createService("beta", "filtered", Map.of(), "10.12.0.2");
            byNamespace.awaitEvent(e -> "ADDED".equals(e.type()), TIMEOUT);
            byKey.awaitEvent(e -> "ADDED".equals(e.type()), TIMEOUT);
            createService("alpha", "filtered-marker", Map.of(), "10.12.0.3");
            awaitServed("alpha", "filtered-marker");

            assertThat(byNamespace.namedEvents()).filteredOn(e -> e.type().equals("ADDED"))
                .extracting(e -> json(e).path("namespace").asString())
                .containsExactly("beta");
            assertThat(byKey.namedEvents()).filteredOn(e -> e.type().equals("ADDED"))
                .extracting(e -> json(e).path("namespace").asString())
                .containsExactly("alpha");
        }
    }

    @Test
    void aServiceLeavingTheLabelSelectionIsDeletedForTheSubscriber() throws Exception {
        createService("alpha", "leaver", Map.of("track", "stable"), "10.13.0.1");
        awaitServed("alpha", "leaver");
        try (SseClient client = SseClient.connect(port, "/api/v1/stream?labelSelector=track%3Dstable")) {
            client.awaitNamed("SYNCED", TIMEOUT);

            api.replace(ApiResource.SERVICES, "alpha",
                    KubeObjects.service("alpha", "leaver", Map.of("track", "canary")));

            Event deleted = client.awaitNamed("DELETED", TIMEOUT);
            assertThat(json(deleted).path("labels").path("track").asString()).isEqualTo("canary");
        }
    }

    @Test
    void idleStreamsGetHeartbeatComments() throws Exception {
        try (SseClient client = SseClient.connect(port, "/api/v1/stream?service=nothing-here")) {
            client.awaitEvent(e -> "heartbeat".equals(e.comment()), TIMEOUT);
        }
    }

    @Test
    void resumingWithLastEventIdSendsExactlyWhatChangedMeanwhile() throws Exception {
        createService("alpha", "resume-kept", Map.of("group", "resume"), "10.14.0.1");
        createService("alpha", "resume-changed", Map.of("group", "resume"), "10.14.0.2");
        createService("alpha", "resume-deleted", Map.of("group", "resume"), "10.14.0.3");
        awaitServed("alpha", "resume-deleted");
        String path = "/api/v1/stream?labelSelector=group%3Dresume";
        String lastId;
        try (SseClient first = SseClient.connect(port, path)) {
            lastId = first.awaitNamed("SYNCED", TIMEOUT).id();
        }

        api.replace(ApiResource.ENDPOINT_SLICES, "alpha", KubeObjects.slice("alpha", "resume-changed-1",
                "resume-changed", List.of(EndpointSpec.notReady("10.14.0.2"))));
        api.delete(ApiResource.SERVICES, "alpha", "resume-deleted");
        createService("alpha", "resume-added", Map.of("group", "resume"), "10.14.0.4");
        awaitServed("alpha", "resume-added");

        try (SseClient resumed = SseClient.connect(port, path, "Last-Event-ID", lastId)) {
            List<Event> events = resumed.awaitEvent(e -> "SYNCED".equals(e.type()), TIMEOUT);

            assertThat(events.subList(0, 3)).extracting(e -> e.type() + " " + json(e).path("name").asString())
                .containsExactlyInAnyOrder("MODIFIED resume-changed", "DELETED resume-deleted", "ADDED resume-added");
            assertThat(events).hasSize(4).last().extracting(Event::type).isEqualTo("SYNCED");
            assertThat(events.subList(0, 3)).as("resume events leave the client's id as it was until SYNCED")
                .extracting(Event::id)
                .containsOnlyNulls();
        }
    }

    @Test
    void aServiceThatLeftTheSelectionWhileAwayIsDeletedOnResume() throws Exception {
        createService("alpha", "away-leaver", Map.of("group", "away"), "10.19.0.1");
        createService("alpha", "away-stayer", Map.of("group", "away"), "10.19.0.2");
        String path = "/api/v1/stream?labelSelector=group%3Daway";
        String lastId;
        try (SseClient first = SseClient.connect(port, path)) {
            lastId = first.awaitNamed("SYNCED", TIMEOUT).id();
        }

        api.replace(ApiResource.SERVICES, "alpha",
                KubeObjects.service("alpha", "away-leaver", Map.of("group", "gone")));
        GatewayClient gateway = new GatewayClient(port);
        await().atMost(TIMEOUT)
            .until(() -> gateway.get("/api/v1/namespaces/alpha/services/away-leaver").body().contains("\"gone\""));

        try (SseClient resumed = SseClient.connect(port, path, "Last-Event-ID", lastId)) {
            List<Event> events = resumed.awaitEvent(e -> "SYNCED".equals(e.type()), TIMEOUT);

            assertThat(events)
                .extracting(e -> e.type() + (e.data().startsWith("{") ? " " + json(e).path("name").asString() : ""))
                .containsExactly("DELETED away-leaver", "SYNCED");
        }
    }

    @Test
    void anIdOfAnotherEpochGetsResetAndAFullSnapshot() throws Exception {
        createService("alpha", "epoch-a", Map.of("group", "epoch"), "10.15.0.1");
        awaitServed("alpha", "epoch-a");

        try (SseClient client = SseClient.connect(port, "/api/v1/stream?labelSelector=group%3Depoch&since=ffff-3")) {
            List<Event> events = client.awaitEvent(e -> "SYNCED".equals(e.type()), TIMEOUT);

            assertThat(events).extracting(Event::type).containsExactly("RESET", "ADDED", "SYNCED");
        }
    }

    @Test
    void anIdOlderThanTheJournalGetsResetAndAFullSnapshot() throws Exception {
        createService("alpha", "journal-a", Map.of("group", "journal"), "10.16.0.1");
        awaitServed("alpha", "journal-a");
        String lastId;
        try (SseClient first = SseClient.connect(port, "/api/v1/stream?labelSelector=group%3Djournal")) {
            lastId = first.awaitNamed("SYNCED", TIMEOUT).id();
        }
        for (int i = 0; i < 60; i++) {
            api.create(ApiResource.SERVICES, "beta", KubeObjects.service("beta", "journal-filler-" + i));
        }
        awaitServed("beta", "journal-filler-59");

        try (SseClient resumed = SseClient.connect(port, "/api/v1/stream?labelSelector=group%3Djournal",
                "Last-Event-ID", lastId)) {
            List<Event> events = resumed.awaitEvent(e -> "SYNCED".equals(e.type()), TIMEOUT);

            assertThat(events).extracting(Event::type).containsExactly("RESET", "ADDED", "SYNCED");
            assertThat(events.get(0).data()).contains("event-id-expired");
        }
    }

    @Test
    void aClientThatStopsReadingIsDroppedWithoutDelayingTheOthers() throws Exception {
        double droppedBefore = registry.get("gateway.stream.subscribers.dropped").counter().count();
        createService("alpha", "firehose", Map.of(), "10.17.0.1");
        awaitServed("alpha", "firehose");
        try (SseClient stuck = SseClient.connectWithoutReading(port, "/api/v1/stream?service=firehose");
                SseClient healthy = SseClient.connect(port, "/api/v1/stream?service=firehose")) {
            healthy.awaitNamed("SYNCED", TIMEOUT);

            for (int round = 0; round < 40; round++) {
                List<EndpointSpec> endpoints = IntStream.range(0, 200)
                    .mapToObj(i -> EndpointSpec.ready("10.17." + (i / 250) + "." + (i % 250)))
                    .toList();
                api.replace(ApiResource.ENDPOINT_SLICES, "alpha", KubeObjects.slice("alpha", "firehose-1", "firehose",
                        round % 2 == 0 ? endpoints : endpoints.subList(0, 100)));
                int expected = round % 2 == 0 ? 200 : 100;
                healthy.awaitEvent(e -> "MODIFIED".equals(e.type()) && json(e).path("endpoints").size() == expected
                        && e.id().equals(currentId("alpha", "firehose")), TIMEOUT);
            }

            await().atMost(Duration.ofSeconds(15))
                .until(() -> registry.get("gateway.stream.subscribers.dropped").counter().count() > droppedBefore);
            assertThat(healthy.ended()).isFalse();
        }
    }

    @Test
    void hundredsOfSubscribersConvergeOnTheSameFinalState() throws Exception {
        List<SseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                clients.add(SseClient.connect(port, "/api/v1/stream?labelSelector=group%3Dburst"));
            }
            for (SseClient client : clients) {
                client.awaitNamed("SYNCED", TIMEOUT);
            }
            for (int i = 0; i < 20; i++) {
                createService("beta", "burst-" + i, Map.of("group", "burst"), "10.18.0." + (i + 1));
            }
            api.delete(ApiResource.SERVICES, "beta", "burst-3");
            awaitServed("beta", "burst-19");
            String finalId = currentId("beta", "burst-19");

            List<String> expected = IntStream.range(0, 20)
                .filter(i -> i != 3)
                .mapToObj(i -> "burst-" + i)
                .sorted()
                .toList();
            for (SseClient client : clients) {
                client.awaitEvent(e -> finalId.equals(e.id()), TIMEOUT);
                await().atMost(TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> liveServices(client).equals(expected));
            }
            assertThat(clients).allSatisfy(client -> assertThat(liveServices(client)).hasSize(19));
        }
        finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void invalidFiltersAreRejectedBeforeTheStreamStarts() throws Exception {
        try (SseClient client = SseClient.connect(port, "/api/v1/stream?labelSelector=a%20in%20(b")) {
            await().atMost(TIMEOUT).until(client::ended);

            assertThat(client.status()).isEqualTo(400);
            assertThat(client.header("Content-Type")).isEqualTo("application/problem+json");
        }
    }

    private static List<Event> after(List<Event> events, String type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.equals(events.get(i).type())) {
                return events.subList(i + 1, events.size());
            }
        }
        return List.of();
    }

    /** The set of services a client holds after applying its events in order. */
    private static List<String> liveServices(SseClient client) {
        Map<String, Boolean> present = new java.util.TreeMap<>();
        for (Event event : client.namedEvents()) {
            if (event.type().equals("ADDED") || event.type().equals("MODIFIED")) {
                present.put(json(event).path("name").asString(), true);
            }
            else if (event.type().equals("DELETED")) {
                present.remove(json(event).path("name").asString());
            }
        }
        return List.copyOf(present.keySet());
    }

    private String currentId(String namespace, String name) {
        String etag = new GatewayClient(port).get("/api/v1/namespaces/" + namespace + "/services/" + name)
            .headers()
            .firstValue("ETag")
            .orElseThrow();
        return etag.substring(1, etag.length() - 1);
    }

    /**
     * Creates a service with one ready endpoint and waits until the gateway serves both.
     */
    private void createService(String namespace, String name, Map<String, String> labels, String address) {
        api.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, name, labels));
        api.create(ApiResource.ENDPOINT_SLICES, namespace,
                KubeObjects.slice(namespace, name + "-1", name, List.of(EndpointSpec.ready(address))));
        GatewayClient gateway = new GatewayClient(port);
        await().atMost(TIMEOUT)
            .until(() -> gateway.get("/api/v1/namespaces/" + namespace + "/services/" + name).body().contains(address));
    }

    private void awaitServed(String namespace, String name) {
        GatewayClient gateway = new GatewayClient(port);
        await().atMost(TIMEOUT)
            .until(() -> gateway.get("/api/v1/namespaces/" + namespace + "/services/" + name).statusCode() == 200);
    }

    private static JsonNode json(Event event) {
        return GatewayClient.parse(event.data());
    }

}
