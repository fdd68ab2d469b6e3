package io.discoverygateway.xds;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.xds.XdsObjects.Backend;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * xDS with consumer authentication: a client presents its ServiceAccount token as call
 * credentials, and the RBAC decision of the HTTP API decides which namespaces' resources
 * it gets.
 */
@GatewayTest(properties = { "gateway.namespaces=team-a,team-b", "gateway.auth.mode=kubernetes",
        "gateway.xds.enabled=true", "gateway.xds.port=0" })
class XdsConsumerAuthTest {

    private static final String AUDIENCE = "discovery-gateway";

    private static GrpcBackends backends;

    @Autowired
    EmbeddedKubernetesApi api;

    @Autowired
    XdsServer xds;

    @BeforeAll
    static void startBackends() {
        backends = GrpcBackends.start(1);
    }

    @AfterAll
    static void stopBackends() {
        backends.close();
    }

    @BeforeEach
    void services() {
        for (String namespace : List.of("team-a", "team-b")) {
            if (api.get(ApiResource.SERVICES, namespace, "api").isEmpty()) {
                api.create(ApiResource.SERVICES, namespace, XdsObjects.service(namespace, "api", Map.of()));
                api.create(ApiResource.ENDPOINT_SLICES, namespace, XdsObjects.slice(namespace, "api", backends.port(),
                        List.of(Backend.ready(backends.addresses().get(0)))));
            }
        }
        await().atMost(Duration.ofSeconds(10))
            .until(() -> xds.ready() && api.list(ApiResource.ENDPOINT_SLICES, "").size() >= 2);
    }

    @Test
    void aStreamWithoutATokenIsRefusedAsUnauthenticated() throws Exception {
        try (AdsStream ads = new AdsStream(xds.port(), null)) {
            ads.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");

            Status status = ads.closed().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(status.getDescription()).contains("authorization: Bearer");
        }
    }

    @Test
    void aConsumerThatMayReadNoNamespaceGetsNothing() throws Exception {
        String token = token(account("stranger"));
        try (AdsStream ads = new AdsStream(xds.port(), token);
                ProxylessClient client = new ProxylessClient(xds.port(), "api.team-a:50051", token)) {
            ads.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");

            Status status = ads.closed().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(status.getDescription()).contains("system:serviceaccount:team-a:stranger");
            assertThat(client.failure().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        }
    }

    @Test
    void aConsumerGetsTheServicesOfTheNamespacesItMayReadOnly() throws Exception {
        String account = account("team-a-reader");
        grant("team-a", account);
        String token = token(account);
        try (AdsStream ads = new AdsStream(xds.port(), token);
                ProxylessClient allowed = new ProxylessClient(xds.port(), "api.team-a:50051", token);
                ProxylessClient refused = new ProxylessClient(xds.port(), "api.team-b:50051", token)) {
            ads.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");
            DiscoveryResponse clusters = ads.next(Duration.ofSeconds(5));

            assertThat(clusters.getResourcesList()).extracting(any -> unpack(any).getName())
                .containsExactly("api.team-a:50051");
            assertThat(allowed.call()).isEqualTo(backends.addresses().get(0));
            // Not sent, so never known: gRPC waits for it (up to its does-not-exist
            // timer) rather than being told
            // that another namespace has it.
            assertThat(refused.failure().getCode()).isIn(Status.Code.DEADLINE_EXCEEDED, Status.Code.UNAVAILABLE);
        }
    }

    @Test
    void aShortNameDependsOnlyOnTheNamespacesTheConsumerMayRead() {
        // team-b has an "api" too, which this consumer may not read: were short names
        // unique across every watched
        // namespace, "api" would not exist for it, and a Service of a probed name in its
        // own namespace would tell
        // whether that name exists elsewhere.
        String account = account("short-names");
        grant("team-a", account);
        String token = token(account);
        try (ProxylessClient byName = new ProxylessClient(xds.port(), "api", token);
                ProxylessClient byNameAndPort = new ProxylessClient(xds.port(), "api:50051", token)) {
            assertThat(byName.call()).isEqualTo(backends.addresses().get(0));
            assertThat(byNameAndPort.call()).isEqualTo(backends.addresses().get(0));
        }
    }

    @Test
    void anIncrementalSubscriberGetsTheNamespacesItMayReadOnly() throws Exception {
        String account = account("delta-reader");
        grant("team-a", account);
        try (DeltaAdsStream delta = new DeltaAdsStream(xds.port(), token(account))) {
            delta.subscribe(Resources.V3.CLUSTER_TYPE_URL, List.of(), Map.of());

            assertThat(delta.next(Duration.ofSeconds(5)).getResourcesList())
                .extracting(io.envoyproxy.envoy.service.discovery.v3.Resource::getName)
                .containsExactly("api.team-a:50051");
        }
    }

    @Test
    void grpcGoPresentsTheTokenItsBootstrapNamesAndReachesOnlyTheNamespacesItMayRead() {
        org.assertj.core.api.Assumptions.assumeThat(GoXdsClient.available()).as("Go is installed").isTrue();
        String account = account("go-reader");
        grant("team-a", account);
        String token = token(account);
        try (GoXdsClient allowed = new GoXdsClient(xds.port(), "api.team-a:50051", token);
                GoXdsClient refused = new GoXdsClient(xds.port(), "api.team-b:50051", token);
                GoXdsClient anonymous = new GoXdsClient(xds.port(), "api.team-a:50051", null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> allowed.calls(1).succeeded() == 1);
            assertThat(allowed.calls(5).backends()).containsOnlyKeys(backends.addresses().get(0));

            // Never sent, so never known: grpc-go waits for it, and fails each call at
            // its deadline.
            assertThat(refused.calls(1).failures()).containsOnlyKeys("DeadlineExceeded");
            assertThat(anonymous.calls(1).succeeded()).isZero();
        }
    }

    private static Cluster unpack(com.google.protobuf.Any any) {
        try {
            return any.unpack(Cluster.class);
        }
        catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String account(String name) {
        return api.serviceAccount("team-a", name);
    }

    private String token(String account) {
        return api.issueToken("team-a", account, List.of(AUDIENCE), Duration.ofMinutes(10));
    }

    private void grant(String namespace, String account) {
        api.grantListEndpointSlices(namespace, "team-a", account);
    }

}
