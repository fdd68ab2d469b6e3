package io.discoverygateway.stream;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateway replicas on one API, as behind one Service, with clients that alternate
 * between them: a revision of one replica is never mistaken for one of the other.
 */
class TwoReplicasTest {

    private static EmbeddedKubernetesApi api;

    private static ConfigurableApplicationContext first;

    private static ConfigurableApplicationContext second;

    @BeforeAll
    static void start() {
        api = EmbeddedKubernetesApi.start();
        first = replica();
        second = replica();
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
        api.close();
    }

    @Test
    void aLongPollWithTheOtherReplicasTagIsAnsweredAtOnceWithTheCurrentState() {
        GatewayClient a = client(first);
        GatewayClient b = client(second);
        create("alternating", "10.70.0.1");
        await().atMost(Duration.ofSeconds(10))
            .until(() -> b.get("/api/v1/namespaces/replicas/services/alternating").statusCode() == 200);
        String etagOfA = a.get("/api/v1/namespaces/replicas/services/alternating")
            .headers()
            .firstValue("ETag")
            .orElseThrow();
        api.replace(ApiResource.ENDPOINT_SLICES, "replicas", KubeObjects.slice("replicas", "alternating-1",
                "alternating", List.of(EndpointSpec.ready("10.70.0.1"), EndpointSpec.ready("10.70.0.2"))));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> b.get("/api/v1/namespaces/replicas/services/alternating").body().contains("10.70.0.2"));

        long started = System.nanoTime();
        HttpResponse<String> byTag = b.get("/api/v1/namespaces/replicas/services/alternating?wait=60s", "If-None-Match",
                etagOfA);
        HttpResponse<String> byIndex = b
            .get("/api/v1/namespaces/replicas/services/alternating?wait=60s&index=" + etagOfA.replace("\"", ""));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(List.of(byTag, byIndex)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("10.70.0.2");
        });
    }

    @Test
    void aStreamResumedAtTheOtherReplicaIsResetToItsFullState() throws Exception {
        create("resumed", "10.71.0.1");
        String lastId;
        try (SseClient atFirst = SseClient.connect(port(first), "/api/v1/stream?service=replicas/resumed")) {
            lastId = atFirst.awaitNamed("SYNCED", Duration.ofSeconds(10)).id();
        }

        try (SseClient atSecond = SseClient.connect(port(second), "/api/v1/stream?service=replicas/resumed",
                "Last-Event-ID", lastId)) {
            List<Event> events = atSecond.awaitEvent(e -> "SYNCED".equals(e.type()), Duration.ofSeconds(10));

            assertThat(events).extracting(Event::type).containsExactly("RESET", "ADDED", "SYNCED");
            assertThat(events.get(0).data()).contains("unknown-event-id");
        }
    }

    private static void create(String name, String address) {
        api.create(ApiResource.SERVICES, "replicas", KubeObjects.service("replicas", name, Map.of()));
        api.create(ApiResource.ENDPOINT_SLICES, "replicas",
                KubeObjects.slice("replicas", name + "-1", name, List.of(EndpointSpec.ready(address))));
        for (ConfigurableApplicationContext replica : List.of(first, second)) {
            await().atMost(Duration.ofSeconds(10))
                .until(() -> client(replica).get("/api/v1/namespaces/replicas/services/" + name).statusCode() == 200);
        }
    }

    private static ConfigurableApplicationContext replica() {
        return SpringApplication.run(DiscoveryGatewayApplication.class, "--server.port=0", "--management.server.port=0",
                "--gateway.namespaces=replicas", "--gateway.kubernetes.api-url=" + api.url(),
                "--spring.main.banner-mode=off");
    }

    private static int port(ConfigurableApplicationContext replica) {
        return ((WebServerApplicationContext) replica).getWebServer().getPort();
    }

    private static GatewayClient client(ConfigurableApplicationContext replica) {
        return new GatewayClient(port(replica));
    }

}
