package io.discoverygateway.access;

import java.time.Duration;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects.Rule;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster-wide layout with consumer authentication, as the overlay deploys it: every
 * namespace watched, each consumer seeing the namespaces its RBAC allows, including ones
 * that appear later.
 */
@GatewayTest(properties = { "gateway.all-namespaces=true", "gateway.auth.mode=kubernetes", "gateway.auth.allow-ttl=1s",
        "gateway.auth.deny-ttl=1s", "gateway.auth.recheck-interval=1s" })
class ClusterWideConsumerAuthTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi api;

    @BeforeEach
    void services() {
        for (String namespace : List.of("shop", "billing", "hr")) {
            if (api.get(ApiResource.SERVICES, namespace, "web").isEmpty()) {
                api.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "web"));
            }
        }
        GatewayClient client = new GatewayClient(port);
        String admin = token("admin");
        api.replace(ApiResource.CLUSTER_ROLE_BINDINGS, "",
                KubeObjects.binding("", "admin", "ClusterRole", "cluster-admin", "shop", "admin"));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> client.get("/api/v1/services", "Authorization", "Bearer " + admin).body().contains("\"hr\""));
    }

    @Test
    void aConsumerBoundInOneNamespaceSeesOnlyThatNamespaceOfTheCluster() {
        String token = token("shop-reader");
        bind("shop", "shop-reader");

        String services = new GatewayClient(port).get("/api/v1/services", "Authorization", "Bearer " + token).body();

        assertThat(services).contains("\"namespace\":\"shop\"").doesNotContain("billing", "\"hr\"");
    }

    @Test
    void aConsumerWithAClusterRoleBindingSeesEveryNamespaceIncludingNewOnes() throws Exception {
        String token = token("auditor");
        api.replace(ApiResource.CLUSTER_ROLES, "",
                KubeObjects.role("", "discovery-reader", List.of(Rule.listEndpointSlices())));
        api.replace(ApiResource.CLUSTER_ROLE_BINDINGS, "",
                KubeObjects.binding("", "auditor", "ClusterRole", "discovery-reader", "shop", "auditor"));

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));
            api.create(ApiResource.SERVICES, "later", KubeObjects.service("later", "web"));
            api.create(ApiResource.ENDPOINT_SLICES, "later",
                    KubeObjects.slice("later", "web-1", "web", List.of(EndpointSpec.ready("10.9.9.9"))));

            stream.awaitEvent(e -> e.data() != null && e.data().contains("10.9.9.9"), Duration.ofSeconds(5));
            assertThat(stream.namedEvents()).extracting(Event::data).anyMatch(d -> d.contains("\"namespace\":\"hr\""));
        }
    }

    @Test
    void aStreamGainsANamespaceWhenItsAccessIsGranted() throws Exception {
        String token = token("grows");
        bind("shop", "grows");

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));
            assertThat(stream.namedEvents()).extracting(Event::data).noneMatch(d -> d.contains("billing"));
            bind("billing", "grows");

            stream.awaitEvent(e -> "ADDED".equals(e.type()) && e.data().contains("\"namespace\":\"billing\""),
                    Duration.ofSeconds(6));
        }
    }

    private String token(String account) {
        return api.issueToken("shop", api.serviceAccount("shop", account), List.of("discovery-gateway"),
                Duration.ofMinutes(10));
    }

    private void bind(String namespace, String account) {
        api.grantListEndpointSlices(namespace, "shop", account);
    }

}
