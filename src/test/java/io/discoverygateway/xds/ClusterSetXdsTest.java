package io.discoverygateway.xds;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.clusterset.RemoteCluster;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.xds.XdsObjects.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster-set services through xDS, called by grpc-java's own xDS client at
 * {@code xds:///name.namespace.clusterset:port}: this cluster's endpoints take the calls
 * while one is ready; with none ready the calls fail over to the remote cluster's, and
 * come back when this cluster has a ready one again. The same with grpc-go's xDS client.
 */
@GatewayTest(properties = { "gateway.namespaces=xds", "gateway.xds.enabled=true", "gateway.xds.port=0",
        "gateway.clusterset.enabled=true", "gateway.clusterset.name=east" })
@DirtiesContext
class ClusterSetXdsTest {

    private static final String NAMESPACE = "xds";

    private static final RemoteCluster WEST = RemoteCluster.start("west");

    private static final GrpcBackends BACKENDS = GrpcBackends.start(2);

    private static final String EAST_BACKEND = BACKENDS.addresses().get(0);

    private static final String WEST_BACKEND = BACKENDS.addresses().get(1);

    @Autowired
    EmbeddedKubernetesApi east;

    @Autowired
    XdsServer xds;

    @DynamicPropertySource
    static void remote(DynamicPropertyRegistry registry) {
        WEST.register(registry, 0);
    }

    @AfterAll
    static void stop() {
        BACKENDS.close();
        WEST.close();
    }

    @Test
    void callsStayInThisClusterFailOverWhenItHasNoReadyEndpointAndComeBack() {
        exportFromWest("pay");
        east.create(ApiResource.SERVICES, NAMESPACE,
                XdsObjects.service(NAMESPACE, "pay", Map.of("discovery-gateway.io/export", "true")));
        east.create(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                XdsObjects.slice(NAMESPACE, "pay", BACKENDS.port(), List.of(Backend.ready(EAST_BACKEND))));
        try (ProxylessClient client = client("pay")) {
            awaitOnlyAnswersFrom(client, EAST_BACKEND);

            east.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                    XdsObjects.slice(NAMESPACE, "pay", BACKENDS.port(), List.of(Backend.notReady(EAST_BACKEND))));
            awaitOnlyAnswersFrom(client, WEST_BACKEND);

            east.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                    XdsObjects.slice(NAMESPACE, "pay", BACKENDS.port(), List.of(Backend.ready(EAST_BACKEND))));
            awaitOnlyAnswersFrom(client, EAST_BACKEND);
        }
    }

    @Test
    void grpcGoStaysInThisClusterFailsOverAndComesBackToo() {
        assumeThat(GoXdsClient.available()).as("grpc-go's client can be built (Go is installed)").isTrue();
        exportFromWest("orders");
        east.create(ApiResource.SERVICES, NAMESPACE,
                XdsObjects.service(NAMESPACE, "orders", Map.of("discovery-gateway.io/export", "true")));
        east.create(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                XdsObjects.slice(NAMESPACE, "orders", BACKENDS.port(), List.of(Backend.ready(EAST_BACKEND))));
        try (GoXdsClient client = new GoXdsClient(xds.port(),
                "orders." + NAMESPACE + ".clusterset:" + XdsObjects.SERVICE_PORT, null)) {
            awaitOnlyGoCallsTo(client, EAST_BACKEND);

            east.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                    XdsObjects.slice(NAMESPACE, "orders", BACKENDS.port(), List.of(Backend.notReady(EAST_BACKEND))));
            awaitOnlyGoCallsTo(client, WEST_BACKEND);

            east.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                    XdsObjects.slice(NAMESPACE, "orders", BACKENDS.port(), List.of(Backend.ready(EAST_BACKEND))));
            awaitOnlyGoCallsTo(client, EAST_BACKEND);
        }
    }

    @Test
    void aServiceOnlyTheRemoteClusterExportsIsCalledThere() {
        exportFromWest("ledger");
        try (ProxylessClient client = client("ledger")) {
            awaitOnlyAnswersFrom(client, WEST_BACKEND);
        }
    }

    private static void awaitOnlyGoCallsTo(GoXdsClient client, String backend) {
        await().atMost(Duration.ofSeconds(20)).until(() -> client.calls(5).backends().containsKey(backend));
        assertThat(client.calls(20).backends()).containsOnlyKeys(backend);
    }

    private void exportFromWest(String name) {
        WEST.api().create(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, name, Map.of()));
        WEST.api()
            .create(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                    XdsObjects.slice(NAMESPACE, name, BACKENDS.port(), List.of(Backend.ready(WEST_BACKEND))));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, NAMESPACE, KubeObjects.serviceExport(NAMESPACE, name));
    }

    private ProxylessClient client(String service) {
        return new ProxylessClient(xds.port(), service + "." + NAMESPACE + ".clusterset:" + XdsObjects.SERVICE_PORT);
    }

    /**
     * Waits until a call reaches the backend, then checks that the next 20 calls all do.
     */
    private static void awaitOnlyAnswersFrom(ProxylessClient client, String backend) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> backend.equals(client.call()));
        Set<String> answers = new HashSet<>();
        IntStream.range(0, 20).forEach(i -> answers.add(client.call()));
        assertThat(answers).containsExactly(backend);
    }

}
