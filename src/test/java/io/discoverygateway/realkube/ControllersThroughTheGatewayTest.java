package io.discoverygateway.realkube;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What only a real cluster shows: EndpointSlices as Kubernetes' own controllers write
 * them, for workloads changed with kubectl, followed through the gateway's stream,
 * long-poll and REST API. Each test has its own namespace.
 */
@RealClusterGatewayTest(properties = "gateway.namespaces=scale,rollout,flip,selector,large,doomed")
class ControllersThroughTheGatewayTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration CONTROLLER_TIME = Duration.ofSeconds(90);

    @Autowired
    private RealTestCluster cluster;

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    private GatewayClient gateway;

    private KubeRest admin;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port, managementPort);
        admin = cluster.admin();
    }

    @Test
    void scalingFromZeroToThirtyAndBackIsFollowedByTheStreamAndALongPoll() throws Exception {
        String namespace = cluster.namespace("scale");
        Workloads.deployed(admin, namespace, "web", 0);
        awaitService(namespace, "web", service -> service.path("endpoints").isEmpty());
        String etag = gateway.get(servicePath(namespace, "web")).headers().firstValue("ETag").orElseThrow();
        CompletableFuture<HttpResponse<String>> held = CompletableFuture
            .supplyAsync(() -> gateway.get(servicePath(namespace, "web") + "?wait=60s", "If-None-Match", etag));

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=" + namespace)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(10));
            assertThat(kubectl("scale", "deployment", "web", "--replicas=30", "-n", namespace).exitCode()).isZero();

            assertThat(held.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            stream.awaitEvent(event -> readyIn(event, "web") == 30, CONTROLLER_TIME);
            assertThat(kubectl("scale", "deployment", "web", "--replicas=0", "-n", namespace).exitCode()).isZero();
            stream.awaitEvent(event -> event.type() != null && event.type().equals("MODIFIED")
                    && JSON.readTree(event.data()).path("endpoints").isEmpty(), CONTROLLER_TIME);
        }
        assertThat(
                awaitService(namespace, "web", service -> service.path("endpoints").isEmpty()).path("name").asString())
            .isEqualTo("web");
    }

    @Test
    void aRolloutRestartShowsTerminatingServingEndpointsAndNeverFewerReadyThanTheDeploymentKeeps() throws Exception {
        String namespace = cluster.namespace("rollout");
        Workloads.deployed(admin, namespace, "api", 3);
        awaitService(namespace, "api", service -> readyCount(service) == 3);
        List<String> before = Workloads.podNames(admin, namespace, "api");
        AtomicInteger fewestReadyInTheApi = new AtomicInteger(Integer.MAX_VALUE);
        AtomicBoolean watching = new AtomicBoolean(true);
        CompletableFuture<Void> apiWatcher = CompletableFuture.runAsync(() -> {
            while (watching.get()) {
                long ready = Workloads.endpoints(admin, namespace, "api")
                    .stream()
                    .filter(e -> e.path("conditions").path("ready").asBoolean())
                    .count();
                fewestReadyInTheApi.accumulateAndGet((int) ready, Math::min);
            }
        });

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=" + namespace)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(10));
            assertThat(kubectl("rollout", "restart", "deployment/api", "-n", namespace).exitCode()).isZero();
            Commands.Result status = kubectl("rollout", "status", "deployment/api", "-n", namespace, "--timeout=90s");
            assertThat(status.exitCode()).as(status.output()).isZero();
            List<SseClient.Event> events = stream.awaitEvent(event -> {
                JsonNode service = serviceOf(event, "api");
                return service != null && readyCount(service) == 3 && service.path("endpoints").size() == 3
                        && podNames(service).stream().noneMatch(before::contains);
            }, CONTROLLER_TIME);
            watching.set(false);
            apiWatcher.get(10, java.util.concurrent.TimeUnit.SECONDS);

            List<JsonNode> states = events.stream()
                .map(event -> serviceOf(event, "api"))
                .filter(s -> s != null)
                .toList();
            assertThat(states).extracting(ControllersThroughTheGatewayTest::readyCount).allMatch(ready -> ready >= 3);
            assertThat(fewestReadyInTheApi.get()).isGreaterThanOrEqualTo(3);
            List<JsonNode> draining = new ArrayList<>();
            states.forEach(state -> state.path("endpoints").forEach(endpoint -> {
                if (endpoint.path("terminating").asBoolean()) {
                    draining.add(endpoint);
                }
            }));
            assertThat(draining).isNotEmpty()
                .allMatch(e -> e.path("serving").asBoolean() && !e.path("ready").asBoolean());
        }
    }

    @Test
    void aPodThatTurnsNotReadyIsLeftOutOfTheReadyView() {
        String namespace = cluster.namespace("flip");
        Workloads.deployed(admin, namespace, "cart", 2);
        awaitService(namespace, "cart", service -> readyCount(service) == 2);
        String pod = Workloads.podNames(admin, namespace, "cart").get(0);

        Workloads.setReady(admin, namespace, pod, false);

        JsonNode service = awaitService(namespace, "cart", s -> readyCount(s) == 1);
        JsonNode readyOnly = gateway.json(servicePath(namespace, "cart") + "?ready=true");
        assertThat(service.path("endpoints")).hasSize(2);
        assertThat(readyOnly.path("endpoints")).hasSize(1);
        assertThat(readyOnly.path("endpoints").get(0).path("targetRef").path("name").asString()).isNotEqualTo(pod);
        Workloads.setReady(admin, namespace, pod, true);
        awaitService(namespace, "cart", s -> readyCount(s) == 2);
    }

    @Test
    void aSelectorThatMatchesNothingLeavesTheServiceWithoutEndpoints() {
        String namespace = cluster.namespace("selector");
        Workloads.deployed(admin, namespace, "search", 2);
        awaitService(namespace, "search", service -> readyCount(service) == 2);

        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("spec").putObject("selector").put("app", "nothing");
        admin.mergePatch("/api/v1/namespaces/" + namespace + "/services/search", patch);

        awaitService(namespace, "search", s -> s.path("endpoints").isEmpty());
        assertThat(Workloads.endpoints(admin, namespace, "search")).isEmpty();
        assertThat(gateway.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void aServiceOfMoreThanOneHundredEndpointsIsServedWholeFromSeveralSlices() {
        String namespace = cluster.namespace("large");
        Workloads.deployed(admin, namespace, "big", 130);

        JsonNode service = awaitService(namespace, "big", s -> readyCount(s) == 130, CONTROLLER_TIME);

        assertThat(Workloads.slices(admin, namespace, "big")).hasSizeGreaterThanOrEqualTo(2)
            .allMatch(slice -> slice.path("endpoints").size() <= 100);
        assertThat(podNames(service)).hasSize(130).doesNotHaveDuplicates();
        assertThat(service.path("endpoints")).extracting(e -> e.path("zone").asString())
            .containsOnly("zone-a", "zone-b", "zone-c");
    }

    @Test
    void aDeletedNamespaceTakesItsServicesAwayWithDeletedEvents() throws Exception {
        String namespace = cluster.namespace("doomed");
        Workloads.deployed(admin, namespace, "old", 1);
        awaitService(namespace, "old", service -> readyCount(service) == 1);

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=" + namespace)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(10));
            assertThat(kubectl("delete", "namespace", namespace, "--wait=false").exitCode()).isZero();

            SseClient.Event deleted = stream.awaitNamed("DELETED", CONTROLLER_TIME);
            assertThat(JSON.readTree(deleted.data()).path("name").asString()).isEqualTo("old");
        }
        await().atMost(CONTROLLER_TIME).until(() -> gateway.get(servicePath(namespace, "old")).statusCode() == 404);
    }

    private Commands.Result kubectl(String... arguments) {
        return cluster.cluster().kubectl(arguments);
    }

    private static String servicePath(String namespace, String name) {
        return "/api/v1/namespaces/" + namespace + "/services/" + name;
    }

    private JsonNode awaitService(String namespace, String name, java.util.function.Predicate<JsonNode> condition) {
        return awaitService(namespace, name, condition, CONTROLLER_TIME);
    }

    private JsonNode awaitService(String namespace, String name, java.util.function.Predicate<JsonNode> condition,
            Duration timeout) {
        return await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> response = gateway.get(servicePath(namespace, name));
            return response.statusCode() == 200 ? GatewayClient.parse(response.body()) : null;
        }, service -> service != null && condition.test(service));
    }

    private static List<String> podNames(JsonNode service) {
        List<String> names = new ArrayList<>();
        service.path("endpoints").forEach(endpoint -> names.add(endpoint.path("targetRef").path("name").asString()));
        return names;
    }

    private static int readyCount(JsonNode service) {
        int ready = 0;
        for (JsonNode endpoint : service.path("endpoints")) {
            if (endpoint.path("ready").asBoolean()) {
                ready++;
            }
        }
        return ready;
    }

    /** The service an ADDED or MODIFIED event carries, when it is the named one. */
    private static JsonNode serviceOf(SseClient.Event event, String name) {
        if (event.type() == null || !(event.type().equals("ADDED") || event.type().equals("MODIFIED"))) {
            return null;
        }
        JsonNode service = JSON.readTree(event.data());
        return name.equals(service.path("name").asString()) ? service : null;
    }

    private static int readyIn(SseClient.Event event, String name) {
        JsonNode service = serviceOf(event, name);
        return service == null ? -1 : readyCount(service);
    }

}
