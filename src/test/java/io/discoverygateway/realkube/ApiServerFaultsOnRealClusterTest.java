package io.discoverygateway.realkube;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.wire.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults only a real API server has, each on a cluster of the test's own: etcd compacting
 * the history a watch resumes from, kube-apiserver restarting under writes, and the
 * gateway's token rotated through its token file. In each the gateway recovers without a
 * gap, and its stream's subscribers are sent the changes, not a resync.
 */
@ExtendWith(RealClusterGatewayTest.RealClusterAvailable.class)
class ApiServerFaultsOnRealClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest(name = "watch cache {0}")
    @ValueSource(booleans = { true, false })
    void aWatchResumedAfterEtcdCompactedItsHistoryMissesNothingAndResyncsNoSubscriber(boolean watchCache)
            throws Exception {
        try (RealCluster cluster = RealCluster
            .start(new RealCluster.Options("compaction-" + watchCache, watchCache, Duration.ofSeconds(2)));
                TcpProxy proxy = new TcpProxy(cluster.url());
                GatewayOnCluster gateway = GatewayOnCluster.start(cluster, https(proxy), "app", Map.of())) {
            String namespace = gateway.namespace();
            for (int i = 0; i < 5; i++) {
                service(cluster, namespace, "svc-" + i, "1");
            }
            GatewayClient client = new GatewayClient(gateway.port());
            awaitSameServices(cluster, client, namespace);
            String before = cluster.admin()
                .get("/api/v1/namespaces/" + namespace + "/services")
                .path("metadata")
                .path("resourceVersion")
                .asString();
            try (SseClient stream = SseClient.connect(gateway.port(), "/api/v1/stream?namespace=" + namespace)) {
                stream.awaitNamed("SYNCED", Duration.ofSeconds(10));
                int listsBefore = lists(cluster, gateway);

                proxy.refuse(true);
                proxy.cut();
                for (int i = 5; i < 10; i++) {
                    service(cluster, namespace, "svc-" + i, "1");
                }
                service(cluster, namespace, "svc-0", "2");
                cluster.admin().delete("/api/v1/namespaces/" + namespace + "/services/svc-1");
                // etcd has compacted past what the gateway last saw once a read at that
                // version is refused.
                await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> compactedPast(cluster, namespace, before));
                proxy.refuse(false);

                awaitSameServices(cluster, client, namespace);
                stream.awaitEvent(e -> "DELETED".equals(e.type()) && e.data().contains("\"svc-1\""),
                        Duration.ofSeconds(30));
                List<SseClient.Event> events = stream.awaitEvent(
                        e -> "MODIFIED".equals(e.type()) && e.data().contains("\"version\":\"2\""),
                        Duration.ofSeconds(30));
                assertThat(events).filteredOn(e -> "RESET".equals(e.type())).hasSize(1);
                assertThat(events).filteredOn(e -> "ADDED".equals(e.type())).hasSize(10);
                assertThat(lists(cluster, gateway) - listsBefore).as("lists after the outage").isLessThanOrEqualTo(2);
            }
        }
    }

    @Test
    void theGatewayCatchesUpWithWritesMadeWhileKubeApiserverRestarts() throws Exception {
        try (RealCluster cluster = RealCluster.start(new RealCluster.Options("restart", true, Duration.ofMinutes(5)));
                GatewayOnCluster gateway = GatewayOnCluster.start(cluster, cluster.url(), "app", Map.of())) {
            String namespace = gateway.namespace();
            GatewayClient client = new GatewayClient(gateway.port());
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger written = new AtomicInteger();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                while (writing.get()) {
                    try {
                        int n = written.get();
                        service(cluster, namespace, "load-" + (n % 20), Integer.toString(n));
                        written.incrementAndGet();
                    }
                    catch (RuntimeException ex) {
                        // The API is restarting: back off a little, then write the same
                        // change again.
                        java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                    }
                }
            });
            try (SseClient stream = SseClient.connect(gateway.port(), "/api/v1/stream?namespace=" + namespace)) {
                stream.awaitNamed("SYNCED", Duration.ofSeconds(10));
                await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 30);

                cluster.restartApiServer();
                int afterRestart = written.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= afterRestart + 30);
                writing.set(false);
                writer.get();

                awaitSameServices(cluster, client, namespace);
                assertThat(stream.namedEvents()).filteredOn(e -> "RESET".equals(e.type())).hasSize(1);
            }
        }
    }

    @Test
    void aTokenRotatedThroughItsFileKeepsTheGatewayWorkingAfterTheOldOneIsRevoked() throws Exception {
        try (RealCluster cluster = RealCluster.start(new RealCluster.Options("token", true, Duration.ofMinutes(5)));
                TcpProxy proxy = new TcpProxy(cluster.url());
                GatewayOnCluster gateway = GatewayOnCluster.start(cluster, https(proxy), "app",
                        Map.of("gateway.kubernetes.token-refresh", "500ms"))) {
            String namespace = gateway.namespace();
            String gatewayNamespace = gateway.gatewayNamespace();
            GatewayClient client = new GatewayClient(gateway.port());
            secret(cluster, gatewayNamespace, "first-pod");
            secret(cluster, gatewayNamespace, "second-pod");
            String revoked = cluster.token(gatewayNamespace, "discovery-gateway", List.of(), Duration.ofHours(1),
                    "first-pod");
            Files.writeString(gateway.tokenFile(), revoked);
            service(cluster, namespace, "before", "1");
            awaitSameServices(cluster, client, namespace);
            proxy.cut();
            awaitWatching(cluster, gateway);

            // The kubelet writes the new pod's token; the old pod (and with it its token)
            // goes.
            Files.writeString(gateway.tokenFile(),
                    cluster.token(gatewayNamespace, "discovery-gateway", List.of(), Duration.ofHours(1), "second-pod"));
            cluster.admin().delete("/api/v1/namespaces/" + gatewayNamespace + "/secrets/first-pod");
            // The old token is refused from now on; the gateway re-reads its file within
            // the refresh (500 ms).
            await().pollDelay(Duration.ofMillis(600))
                .atMost(Duration.ofSeconds(10))
                .until(() -> !authenticated(cluster, revoked));
            int requestsBefore = cluster.requestsOf(gateway.user()).size();
            proxy.cut();
            service(cluster, namespace, "after", "1");

            awaitSameServices(cluster, client, namespace);
            List<RealCluster.AuditedRequest> after = cluster.requestsOf(gateway.user());
            assertThat(after.subList(requestsBefore, after.size())).isNotEmpty()
                .allMatch(request -> request.status() < 400);
        }
    }

    /**
     * Whether the API server still accepts the token (a TokenReview as the
     * administrator).
     */
    private static boolean authenticated(RealCluster cluster, String token) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
        review.putObject("spec").put("token", token);
        return cluster.admin()
            .post("/apis/authentication.k8s.io/v1/tokenreviews", review)
            .path("status")
            .path("authenticated")
            .asBoolean();
    }

    private static URI https(TcpProxy proxy) {
        return URI.create("https://127.0.0.1:" + proxy.url().getPort());
    }

    private static void service(RealCluster cluster, String namespace, String name, String version) {
        ObjectNode service = (ObjectNode) JSON
            .readTree(KubeObjects.service(namespace, name, Map.of("version", version)));
        service.withObject("spec").remove(List.of("clusterIP", "clusterIPs"));
        cluster.admin().apply(service);
    }

    private static void secret(RealCluster cluster, String namespace, String name) {
        ObjectNode secret = JSON.createObjectNode();
        secret.put("apiVersion", "v1").put("kind", "Secret");
        secret.putObject("metadata").put("name", name).put("namespace", namespace);
        cluster.admin().apply(secret);
    }

    /** Waits until the gateway lists exactly the services (and versions) the API has. */
    private static void awaitSameServices(RealCluster cluster, GatewayClient client, String namespace) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, String> inApi = new TreeMap<>();
            cluster.admin()
                .get("/api/v1/namespaces/" + namespace + "/services")
                .path("items")
                .forEach(s -> inApi.put(s.path("metadata").path("name").asString(),
                        s.path("metadata").path("labels").path("version").asString()));
            Map<String, String> served = new TreeMap<>();
            client.json("/api/v1/namespaces/" + namespace + "/services")
                .path("items")
                .forEach(s -> served.put(s.path("name").asString(), s.path("labels").path("version").asString()));
            assertThat(served).isEqualTo(inApi);
        });
    }

    private static void awaitWatching(RealCluster cluster, GatewayOnCluster gateway) {
        int seen = cluster.requestsOf(gateway.user()).size();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> cluster.requestsOf(gateway.user())
                .stream()
                .skip(seen)
                .filter(r -> r.verb().equals("watch") && r.status() < 400)
                .count() >= 2);
    }

    private static int lists(RealCluster cluster, GatewayOnCluster gateway) {
        return (int) cluster.requestsOf(gateway.user()).stream().filter(r -> r.verb().equals("list")).count();
    }

    /**
     * Whether a read of the namespace's services at that resourceVersion is refused as
     * too old (410).
     */
    private static boolean compactedPast(RealCluster cluster, String namespace, String resourceVersion) {
        try {
            cluster.admin()
                .get("/api/v1/namespaces/" + namespace + "/services?resourceVersion=" + resourceVersion
                        + "&resourceVersionMatch=Exact");
            return false;
        }
        catch (KubeRest.ApiException ex) {
            return ex.status() == 410;
        }
    }

}
