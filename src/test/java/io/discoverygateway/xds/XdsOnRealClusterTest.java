package io.discoverygateway.xds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import com.google.protobuf.InvalidProtocolBufferException;
import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import io.discoverygateway.realkube.LoopbackAliases;
import io.discoverygateway.realkube.RealClusterGatewayTest;
import io.discoverygateway.realkube.RealTestCluster;
import io.discoverygateway.realkube.Workloads;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * xDS on a real cluster, as Envoy or a proxyless gRPC client reads it over ADS: the
 * endpoints Kubernetes' own controllers publish for a Deployment, in localities named
 * after the zones of the nodes its pods run on; during {@code kubectl rollout restart}
 * the leaving pods are DRAINING, never fewer than the three ready ones are HEALTHY, and
 * the new pods end HEALTHY.
 */
@RealClusterGatewayTest(properties = { "gateway.namespaces=xds", "gateway.xds.enabled=true", "gateway.xds.port=0" })
class XdsOnRealClusterTest {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(XdsOnRealClusterTest.class);

    @Autowired
    private RealTestCluster cluster;

    @Autowired
    private XdsServer xds;

    @Test
    void aRolloutRestartIsDrainingThenHealthyInTheNodesZones() throws Exception {
        String namespace = cluster.namespace("xds");
        Workloads.deployed(cluster.admin(), namespace, "api", 3);
        String name = "api." + namespace + ":80";

        try (AdsStream ads = new AdsStream(xds.port(), null)) {
            ads.request(Resources.V3.ENDPOINT_TYPE_URL, List.of(name), "", "");
            List<ClusterLoadAssignment> seen = new ArrayList<>();
            ClusterLoadAssignment ready = readUntil(ads, name, seen, assignment -> healthy(assignment).size() == 3,
                    Duration.ofSeconds(90));
            assertThat(ready.getEndpointsList()).extracting(l -> l.getLocality().getZone())
                .containsExactlyInAnyOrder("zone-a", "zone-b", "zone-c");
            assertThat(healthy(ready)).allMatch(address -> address.startsWith("10.244.") && address.endsWith(":8080"));
            Set<String> before = new HashSet<>(healthy(ready));
            seen.clear();

            Commands.Result restart = cluster.cluster()
                .kubectl("rollout", "restart", "deployment/api", "-n", namespace);
            assertThat(restart.exitCode()).as(restart.output()).isZero();
            readUntil(ads, name, seen, assignment -> healthy(assignment).size() == 3
                    && healthy(assignment).stream().noneMatch(before::contains) && draining(assignment).isEmpty(),
                    Duration.ofSeconds(90));

            assertThat(seen).extracting(a -> healthy(a).size()).allMatch(count -> count >= 3);
            assertThat(seen).flatExtracting(XdsOnRealClusterTest::draining).isNotEmpty().allMatch(before::contains);
        }
    }

    @Test
    void whenEveryPodTurnsNotReadyTheAssignmentDropsEveryCall() throws Exception {
        String namespace = cluster.namespace("xds");
        Workloads.deployed(cluster.admin(), namespace, "db-users", 2);
        String name = "db-users." + namespace + ":80";

        try (AdsStream ads = new AdsStream(xds.port(), null)) {
            ads.request(Resources.V3.ENDPOINT_TYPE_URL, List.of(name), "", "");
            List<ClusterLoadAssignment> seen = new ArrayList<>();
            readUntil(ads, name, seen, assignment -> healthy(assignment).size() == 2, Duration.ofSeconds(90));

            for (String pod : Workloads.podNames(cluster.admin(), namespace, "db-users")) {
                Workloads.setReady(cluster.admin(), namespace, pod, false);
            }

            ClusterLoadAssignment dropping = readUntil(ads, name, seen,
                    assignment -> assignment.getPolicy().getDropOverloadsCount() > 0, Duration.ofSeconds(60));
            assertThat(dropping.getPolicy().getDropOverloads(0).getCategory())
                .isEqualTo(ServiceResources.NO_READY_ENDPOINTS);
            assertThat(dropping.getPolicy().getDropOverloads(0).getDropPercentage().getNumerator()).isEqualTo(100);
            assertThat(withStatus(dropping, HealthStatus.UNKNOWN))
                .containsExactly(ServiceResources.PLACEHOLDER_ADDRESS + ":" + ServiceResources.PLACEHOLDER_PORT);
        }
    }

    /**
     * Real calls to the pods of a Deployment: each pod's address is put on the loopback
     * interface with a gRPC server on its container port, and grpc-java's and grpc-go's
     * clients follow what the EndpointSlice controller publishes through the gateway.
     */
    @Test
    void grpcJavaAndGrpcGoCallThePodsAndStopCallingOnesThatTurnNotReady() throws Exception {
        String namespace = cluster.namespace("xds");
        Workloads.deployed(cluster.admin(), namespace, "echo", 3);
        Map<String, String> podByAddress = await().atMost(Duration.ofSeconds(90))
            .until(() -> readyPods(namespace, "echo"), pods -> pods.size() == 3);
        List<String> addresses = List.copyOf(podByAddress.keySet());
        Optional<LoopbackAliases> aliases = LoopbackAliases.add(addresses);
        assumeThat(aliases).as("pod addresses can be put on the loopback interface (root)").isPresent();
        String target = "echo." + namespace + ":80";
        try (LoopbackAliases reachable = aliases.get();
                GrpcBackends pods = GrpcBackends.on(addresses, 8080);
                ProxylessClient java = new ProxylessClient(xds.port(), target);
                GoXdsClient go = GoXdsClient.available() ? new GoXdsClient(xds.port(), target, null) : null) {
            Set<String> seenByJava = new HashSet<>();
            Set<String> seenByGo = new HashSet<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                seenByJava.add(java.call());
                if (go != null) {
                    seenByGo.addAll(go.calls(3).backends().keySet());
                }
                return seenByJava.containsAll(addresses) && (go == null || seenByGo.containsAll(addresses));
            });

            String leaving = addresses.get(0);
            long written = System.nanoTime();
            Workloads.setReady(cluster.admin(), namespace, podByAddress.get(leaving), false);
            await().atMost(Duration.ofSeconds(10))
                .until(() -> IntStream.range(0, 6).mapToObj(i -> java.call()).noneMatch(leaving::equals)
                        && (go == null || !go.calls(6).backends().containsKey(leaving)));
            log.info("A pod written not ready on the real cluster got its last gRPC call within {} ms",
                    (System.nanoTime() - written) / 1_000_000);
            assertThat(IntStream.range(0, 20).mapToObj(i -> java.call())).doesNotContain(leaving);

            for (String address : addresses) {
                Workloads.setReady(cluster.admin(), namespace, podByAddress.get(address), false);
            }
            await().atMost(Duration.ofSeconds(10))
                .until(() -> failureOf(java) != null && (go == null || go.calls(1).succeeded() == 0));
            assertThat(failureOf(java).getDescription()).contains(ServiceResources.NO_READY_ENDPOINTS);
            if (go != null) {
                GoXdsClient.Calls failing = go.calls(5);
                assertThat(failing.succeeded()).isZero();
                assertThat(addresses).noneMatch(failing.lastError()::contains);
            }

            Workloads.setReady(cluster.admin(), namespace, podByAddress.get(leaving), true);
            await().atMost(Duration.ofSeconds(10))
                .until(() -> leaving.equals(answerOf(java))
                        && (go == null || go.calls(1).backends().containsKey(leaving)));
        }
    }

    /** Ready endpoints of the service now: address to pod name. */
    private Map<String, String> readyPods(String namespace, String service) {
        Map<String, String> pods = new java.util.TreeMap<>();
        for (var endpoint : Workloads.endpoints(cluster.admin(), namespace, service)) {
            if (endpoint.path("conditions").path("ready").asBoolean(false)) {
                pods.put(endpoint.path("addresses").get(0).asString(),
                        endpoint.path("targetRef").path("name").asString());
            }
        }
        return pods;
    }

    private static io.grpc.Status failureOf(ProxylessClient client) {
        try {
            client.call();
            return null;
        }
        catch (io.grpc.StatusRuntimeException ex) {
            return ex.getStatus();
        }
    }

    private static String answerOf(ProxylessClient client) {
        try {
            return client.call();
        }
        catch (io.grpc.StatusRuntimeException ex) {
            return null;
        }
    }

    /**
     * Reads and acknowledges assignments until one satisfies the condition; every one
     * read is added to seen.
     */
    private static ClusterLoadAssignment readUntil(AdsStream ads, String name, List<ClusterLoadAssignment> seen,
            Predicate<ClusterLoadAssignment> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            DiscoveryResponse response = ads.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            ads.request(Resources.V3.ENDPOINT_TYPE_URL, List.of(name), response.getVersionInfo(), response.getNonce());
            for (var any : response.getResourcesList()) {
                ClusterLoadAssignment assignment = unpack(any);
                seen.add(assignment);
                if (condition.test(assignment)) {
                    return assignment;
                }
            }
        }
        throw new AssertionError("no assignment of " + name + " met the condition within " + timeout + "; last: "
                + (seen.isEmpty() ? "none" : seen.get(seen.size() - 1)));
    }

    private static List<String> healthy(ClusterLoadAssignment assignment) {
        return withStatus(assignment, HealthStatus.HEALTHY);
    }

    private static List<String> draining(ClusterLoadAssignment assignment) {
        return withStatus(assignment, HealthStatus.DRAINING);
    }

    private static List<String> withStatus(ClusterLoadAssignment assignment, HealthStatus status) {
        List<String> addresses = new ArrayList<>();
        for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
            for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
                if (endpoint.getHealthStatus() == status) {
                    var socket = endpoint.getEndpoint().getAddress().getSocketAddress();
                    addresses.add(socket.getAddress() + ":" + socket.getPortValue());
                }
            }
        }
        return addresses;
    }

    private static ClusterLoadAssignment unpack(com.google.protobuf.Any any) {
        try {
            return any.unpack(ClusterLoadAssignment.class);
        }
        catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
