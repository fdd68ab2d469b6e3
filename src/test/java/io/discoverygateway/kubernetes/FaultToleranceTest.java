package io.discoverygateway.kubernetes;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kubernetes API faults, injected in the embedded API while the gateway serves: outages,
 * expired and dropped watches, errors and throttling. Each test works in its own
 * namespace, compares the gateway's final state with the API's, and leaves the API
 * healthy.
 */
@GatewayTest(properties = { "gateway.namespaces=outage,expiry,churn,errors", "gateway.readiness-max-staleness=4s",
        "gateway.stream.heartbeat=500ms" })
class FaultToleranceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    private GatewayClient gateway;

    @BeforeEach
    void ready() {
        gateway = new GatewayClient(port, managementPort);
    }

    @AfterEach
    void heal() {
        api.acceptConnections();
        api.failNextRequests(0, 500, null);
        api.setMaxWatchDuration(Duration.ofDays(1));
        await().atMost(TIMEOUT)
            .until(() -> gateway.get("/actuator/health/readiness").statusCode() == 200
                    && !gateway.get("/api/v1/services").headers().firstValue("X-Gateway-Stale").isPresent());
    }

    @Test
    void duringAnOutageTheLastStateIsServedMarkedStaleAndAfterwardsExactlyTheDifferencesArrive() throws Exception {
        seed("outage", "kept", "changed", "deleted");
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=outage")) {
            stream.awaitNamed("SYNCED", TIMEOUT);

            api.refuseConnections();
            HttpResponse<String> stale = await().atMost(TIMEOUT)
                .until(() -> gateway.get("/api/v1/namespaces/outage/services/kept"),
                        response -> response.headers().firstValue("X-Gateway-Stale").isPresent());
            api.replace(ApiResource.ENDPOINT_SLICES, "outage", KubeObjects.slice("outage", "changed-1", "changed",
                    List.of(EndpointSpec.ready("10.30.0.2"), EndpointSpec.ready("10.30.0.9"))));
            api.delete(ApiResource.SERVICES, "outage", "deleted");
            api.create(ApiResource.SERVICES, "outage", KubeObjects.service("outage", "added"));
            HttpResponse<String> readinessWhileBriefOutage = gateway.get("/actuator/health/readiness");
            await().atMost(TIMEOUT).until(() -> gateway.get("/actuator/health/readiness").statusCode() == 503);
            HttpResponse<String> liveness = gateway.get("/actuator/health/liveness");
            api.acceptConnections();

            assertThat(stale.statusCode()).isEqualTo(200);
            assertThat(stale.headers().firstValue("Age")).isPresent();
            JsonNode staleBody = GatewayClient.parse(stale.body());
            assertThat(staleBody.path("stale").asBoolean()).isTrue();
            assertThat(staleBody.path("dataAgeSeconds").isNumber()).isTrue();
            assertThat(staleBody.path("endpoints")).hasSize(1);
            assertThat(readinessWhileBriefOutage.statusCode()).as("readiness within the allowed staleness")
                .isEqualTo(200);
            assertThat(liveness.statusCode()).isEqualTo(200);
            List<Event> events = stream.awaitEvent(e -> "ADDED".equals(e.type()) && name(e).equals("added"), TIMEOUT);
            stream.awaitEvent(e -> "DELETED".equals(e.type()) && name(e).equals("deleted"), TIMEOUT);
            stream.awaitEvent(e -> "MODIFIED".equals(e.type()) && name(e).equals("changed"), TIMEOUT);
            await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(gatewayState("outage")).isEqualTo(apiState("outage")));
            await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(after(stream.namedEvents(), "SYNCED"))
                    .extracting(e -> e.type() + " " + name(e))
                    .containsExactlyInAnyOrder("MODIFIED changed", "DELETED deleted", "ADDED added"));
            assertThat(events).isNotEmpty();
        }
    }

    @Test
    void anOutageLongerThanTheWatchHistoryIsHealedByARelistWithExactlyTheDifferences() throws Exception {
        seed("expiry", "kept", "changed", "deleted");
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=expiry")) {
            stream.awaitNamed("SYNCED", TIMEOUT);

            api.refuseConnections();
            await().atMost(TIMEOUT)
                .until(() -> gateway.get("/api/v1/services").headers().firstValue("X-Gateway-Stale").isPresent());
            api.replace(ApiResource.ENDPOINT_SLICES, "expiry",
                    KubeObjects.slice("expiry", "changed-1", "changed", List.of(EndpointSpec.notReady("10.30.0.2"))));
            api.delete(ApiResource.SERVICES, "expiry", "deleted");
            api.create(ApiResource.SERVICES, "expiry", KubeObjects.service("expiry", "added"));
            api.compactHistory();
            api.clearRequests();
            api.acceptConnections();

            await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(gatewayState("expiry")).isEqualTo(apiState("expiry")));
            await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(after(stream.namedEvents(), "SYNCED"))
                    .extracting(e -> e.type() + " " + name(e))
                    .containsExactlyInAnyOrder("MODIFIED changed", "DELETED deleted", "ADDED added"));
            assertThat(api.requests()).extracting(r -> r.verb()).contains("list");
        }
    }

    @Test
    void droppedExpiredAndTimedOutWatchesLoseAndDuplicateNothing() throws Exception {
        api.setBookmarkInterval(Duration.ofMillis(300));
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=churn")) {
            stream.awaitNamed("SYNCED", TIMEOUT);
            Random random = new Random(42);
            for (int step = 0; step < 80; step++) {
                String name = "svc-" + random.nextInt(8);
                switch (random.nextInt(4)) {
                    case 0 -> api.replace(ApiResource.SERVICES, "churn",
                            KubeObjects.service("churn", name, Map.of("step", Integer.toString(step))));
                    case 1 -> api.replace(ApiResource.ENDPOINT_SLICES, "churn", KubeObjects.slice("churn", name + "-1",
                            name, List.of(EndpointSpec.ready("10.31.0." + step))));
                    case 2 -> api.delete(ApiResource.SERVICES, "churn", name);
                    default -> api.delete(ApiResource.ENDPOINT_SLICES, "churn", name + "-1");
                }
                switch (step % 20) {
                    case 5 -> api.dropWatches();
                    case 10 -> api.compactHistory();
                    case 15 -> api.setMaxWatchDuration(Duration.ofSeconds(1));
                    default -> {
                    }
                }
                if (step % 10 == 0) {
                    await().pollDelay(Duration.ofMillis(150)).until(() -> true);
                }
            }

            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(gatewayState("churn")).isEqualTo(apiState("churn")));
            await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(replay(stream.namedEvents())).isEqualTo(gatewayDocuments("churn")));
            List<Event> events = stream.namedEvents();
            assertThat(events).extracting(Event::id).doesNotHaveDuplicates();
            assertThat(noOpEvents(events)).as("events that change nothing").isEmpty();
        }
    }

    @Test
    void serverErrorsAndThrottlingAreRetriedWithBackoffWhileReadsStayFast() {
        seed("errors", "steady");

        api.failNextRequests(Integer.MAX_VALUE, 500, null);
        api.clearRequests();
        api.dropWatches();
        long started = System.nanoTime();
        List<Long> readMillis = new ArrayList<>();
        while (System.nanoTime() - started < Duration.ofSeconds(6).toNanos()) {
            long before = System.nanoTime();
            assertThat(gateway.get("/api/v1/namespaces/errors/services/steady").statusCode()).isEqualTo(200);
            readMillis.add((System.nanoTime() - before) / 1_000_000);
            await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        }
        int duringErrors = api.requests().size();

        api.failNextRequests(Integer.MAX_VALUE, 429, Duration.ofSeconds(3));
        await().pollDelay(Duration.ofSeconds(4)).until(() -> true);
        api.clearRequests();
        await().pollDelay(Duration.ofMillis(2500)).until(() -> true);
        int duringThrottling = api.requests().size();

        // 8 informers (4 namespaces x 2 kinds); a tight loop would make thousands of
        // requests.
        assertThat(duringErrors).as("requests in 6 s of 500s").isLessThan(8 * 8);
        assertThat(duringThrottling).as("requests in 2.5 s while Retry-After is 3 s").isLessThanOrEqualTo(8);
        assertThat(readMillis).allSatisfy(millis -> assertThat(millis).isLessThan(1000));
    }

    private void seed(String namespace, String... names) {
        for (int i = 0; i < names.length; i++) {
            api.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, names[i]));
            api.create(ApiResource.ENDPOINT_SLICES, namespace, KubeObjects.slice(namespace, names[i] + "-1", names[i],
                    List.of(EndpointSpec.ready("10.30.0." + (i + 1)))));
        }
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(gatewayState(namespace)).isEqualTo(apiState(namespace)));
    }

    /** Service name to sorted endpoint addresses, as the gateway serves them. */
    private Map<String, List<String>> gatewayState(String namespace) {
        Map<String, List<String>> state = new TreeMap<>();
        gatewayDocuments(namespace).forEach((name, document) -> state.put(name, addresses(document)));
        return state;
    }

    private Map<String, JsonNode> gatewayDocuments(String namespace) {
        Map<String, JsonNode> documents = new TreeMap<>();
        for (JsonNode summary : gateway.json("/api/v1/namespaces/" + namespace + "/services").path("items")) {
            String name = summary.path("name").asString();
            HttpResponse<String> response = gateway.get("/api/v1/namespaces/" + namespace + "/services/" + name);
            if (response.statusCode() == 200) {
                documents.put(name, withoutStaleness(GatewayClient.parse(response.body())));
            }
        }
        return documents;
    }

    /** The same, computed from the API's own objects. */
    private Map<String, List<String>> apiState(String namespace) {
        Map<String, List<String>> state = new TreeMap<>();
        for (String name : serviceNames(namespace)) {
            List<String> addresses = new ArrayList<>();
            api.get(ApiResource.ENDPOINT_SLICES, namespace, name + "-1")
                .ifPresent(slice -> slice.path("endpoints")
                    .forEach(endpoint -> addresses.add(endpoint.path("addresses").get(0).asString())));
            addresses.sort(null);
            state.put(name, addresses);
        }
        return state;
    }

    private List<String> serviceNames(String namespace) {
        List<String> names = new ArrayList<>();
        for (String candidate : List.of("kept", "changed", "deleted", "added", "steady")) {
            if (api.get(ApiResource.SERVICES, namespace, candidate).isPresent()) {
                names.add(candidate);
            }
        }
        IntStream.range(0, 8)
            .mapToObj(i -> "svc-" + i)
            .filter(name -> api.get(ApiResource.SERVICES, namespace, name).isPresent())
            .forEach(names::add);
        return names;
    }

    private static List<String> addresses(JsonNode document) {
        List<String> addresses = new ArrayList<>();
        document.path("endpoints").forEach(endpoint -> addresses.add(endpoint.path("addresses").get(0).asString()));
        addresses.sort(null);
        return addresses;
    }

    /** What a client holds after applying the events in order. */
    private static Map<String, JsonNode> replay(List<Event> events) {
        Map<String, JsonNode> held = new TreeMap<>();
        for (Event event : events) {
            switch (event.type()) {
                case "ADDED", "MODIFIED" -> held.put(name(event), GatewayClient.parse(event.data()));
                case "DELETED" -> held.remove(name(event));
                case "RESET" -> held.clear();
                default -> {
                }
            }
        }
        return held;
    }

    /**
     * MODIFIED events whose data equals the previous state of that service (except the
     * revision).
     */
    private static List<Event> noOpEvents(List<Event> events) {
        Map<String, String> last = new TreeMap<>();
        List<Event> noOps = new ArrayList<>();
        for (Event event : events) {
            if (event.data() == null || event.type().equals("SYNCED") || event.type().equals("RESET")) {
                continue;
            }
            String content = event.data().replaceAll("\"revision\":\\d+", "");
            if (event.type().equals("MODIFIED") && content.equals(last.get(name(event)))) {
                noOps.add(event);
            }
            if (event.type().equals("DELETED")) {
                last.remove(name(event));
            }
            else {
                last.put(name(event), content);
            }
        }
        return noOps;
    }

    private static List<Event> after(List<Event> events, String type) {
        Set<Integer> positions = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).type().equals(type)) {
                positions.add(i);
            }
        }
        int first = positions.stream().min(Integer::compare).orElse(events.size() - 1);
        return events.subList(first + 1, events.size());
    }

    private static JsonNode withoutStaleness(JsonNode document) {
        ((tools.jackson.databind.node.ObjectNode) document).remove(List.of("stale", "dataAgeSeconds"));
        return document;
    }

    private static String name(Event event) {
        return GatewayClient.parse(event.data()).path("name").asString();
    }

}
