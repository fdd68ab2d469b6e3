package io.discoverygateway.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fan-out that may hold a single batch (gateway.stream.fanout-queue=1) under a burst of
 * changes to many streams: whatever was dropped for resyncs, every client ends with
 * exactly the API's services.
 */
@GatewayTest(properties = { "gateway.namespaces=burst", "gateway.stream.fanout-queue=1" })
class StreamOverloadTest {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    EmbeddedKubernetesApi api;

    @Test
    void everyStreamConvergesToTheApiAfterABurstThatOverflowsTheFanout() throws Exception {
        // Many more streams make each batch's fan-out slow enough for a burst to overflow
        // a queue of one.
        List<SseClient> idle = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            idle.add(SseClient.connectWithoutReading(port, "/api/v1/stream"));
        }
        List<EventSourceClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            clients.add(new EventSourceClient(port, "/api/v1/stream?namespace=burst", i, 0, false));
        }
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> clients.stream().allMatch(c -> c.settledView() != null));
            // Four writers at once, each on its own ten services, as fast as the API
            // takes them.
            List<Thread> writers = new ArrayList<>();
            for (int writer = 0; writer < 4; writer++) {
                int offset = writer * 10;
                Thread thread = new Thread(() -> {
                    for (int change = 0; change < 150; change++) {
                        String name = "svc-" + (offset + change % 10);
                        api.replace(ApiResource.SERVICES, "burst",
                                KubeObjects.service("burst", name, Map.of("version", Integer.toString(change))));
                        if (change % 7 == 6) {
                            api.delete(ApiResource.SERVICES, "burst", "svc-" + (offset + change % 3));
                        }
                    }
                });
                thread.start();
                writers.add(thread);
            }
            for (Thread writer : writers) {
                writer.join();
            }
            // The truth is the API's objects once the writers are done; the gateway's
            // REST view must reach it too.
            Map<String, String> expected = new TreeMap<>();
            api.list(ApiResource.SERVICES, "burst")
                .forEach(service -> expected.put(service.path("metadata").path("name").asString(),
                        service.path("metadata").path("labels").path("version").asString()));
            GatewayClient gateway = new GatewayClient(port, managementPort);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Map<String, String> served = new TreeMap<>();
                for (JsonNode item : gateway.json("/api/v1/namespaces/burst/services").path("items")) {
                    served.put(item.path("name").asString(), item.path("labels").path("version").asString());
                }
                assertThat(served).isEqualTo(expected);
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (EventSourceClient client : clients) {
                    Map<String, JsonNode> view = client.settledView();
                    assertThat(view).as(client.describe()).isNotNull();
                    Map<String, String> versions = new TreeMap<>();
                    view.forEach((key, service) -> versions.put(service.path("name").asString(),
                            service.path("labels").path("version").asString()));
                    assertThat(versions).as(client.describe()).isEqualTo(expected);
                }
            });
            double resyncs = Double.parseDouble(gateway.get("/actuator/prometheus")
                .body()
                .lines()
                .filter(line -> line.startsWith("gateway_stream_resyncs_total"))
                .findFirst()
                .orElseThrow()
                .split(" ")[1]);
            System.out.println("Resyncs during the burst: " + resyncs);
            assertThat(resyncs).as("the burst overflowed the fan-out at least once").isPositive();
        }
        finally {
            clients.forEach(EventSourceClient::close);
            idle.forEach(SseClient::close);
        }
    }

}
