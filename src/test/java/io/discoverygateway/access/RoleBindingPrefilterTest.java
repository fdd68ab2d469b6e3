package io.discoverygateway.access;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster-wide layout as the overlay runs it, with the RoleBinding prefilter: a
 * consumer that may not read cluster-wide is reviewed only where a RoleBinding names it,
 * so its first request costs a review or two however many namespaces are watched, and
 * what it sees is still what Kubernetes decides.
 */
@GatewayTest(properties = { "gateway.all-namespaces=true", "gateway.auth.mode=kubernetes",
        "gateway.auth.role-binding-prefilter=true" })
class RoleBindingPrefilterTest {

    private static final int NAMESPACES = 40;

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi api;

    @BeforeEach
    void namespaces() {
        for (int i = 0; i < NAMESPACES; i++) {
            if (api.get(ApiResource.SERVICES, "tenant-" + i, "web").isEmpty()) {
                api.create(ApiResource.SERVICES, "tenant-" + i, KubeObjects.service("tenant-" + i, "web"));
            }
        }
        api.replace(ApiResource.ROLES, "tenant-0",
                KubeObjects.role("tenant-0", "discovery-reader", List.of(KubeObjects.Rule.listEndpointSlices())));
        String last = "tenant-" + (NAMESPACES - 1);
        awaitVisible(token("marker"), last, () -> api.grantListEndpointSlices(last, "shop", "marker"));
    }

    @Test
    void aConsumerBoundInOneOfManyNamespacesCostsOneReviewMoreThanTheClusterWideOne() {
        String token = token("tenant-3-reader");
        api.grantListEndpointSlices("tenant-3", "shop", "tenant-3-reader");
        // A later binding, seen by the gateway only after the one above (one watch, in
        // order).
        awaitVisible(token("later"), "tenant-4", () -> api.grantListEndpointSlices("tenant-4", "shop", "later"));
        long before = subjectAccessReviews();

        HttpResponse<String> answer = get(token);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"namespace\":\"tenant-3\"").doesNotContain("tenant-4", "tenant-0\"");
        assertThat(subjectAccessReviews() - before).as("cluster-wide, then tenant-3 only").isEqualTo(2);
    }

    @Test
    void aRoleBindingOfAGroupTheConsumerIsInOpensItsNamespace() {
        String token = api.issueToken("team-g", api.serviceAccount("team-g", "member"), List.of("discovery-gateway"),
                Duration.ofMinutes(10));
        api.replace(ApiResource.ROLE_BINDINGS, "tenant-0", KubeObjects.groupBinding("tenant-0", "team-g-accounts",
                "Role", "discovery-reader", "system:serviceaccounts:team-g"));

        await().atMost(Duration.ofSeconds(10)).until(() -> get(token).body().contains("\"namespace\":\"tenant-0\""));
    }

    @Test
    void aConsumerNamedByNoRoleBindingIsRefusedAfterOneReview() {
        String token = token("nobody");
        long before = subjectAccessReviews();

        HttpResponse<String> answer = get(token);

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(subjectAccessReviews() - before).isEqualTo(1);
    }

    @Test
    void aDeletedRoleBindingHidesItsNamespaceFromTheNextRequest() {
        String token = token("leaving");
        awaitVisible(token, "tenant-6", () -> api.grantListEndpointSlices("tenant-6", "shop", "leaving"));
        api.grantListEndpointSlices("tenant-7", "shop", "leaving");
        await().atMost(Duration.ofSeconds(10)).until(() -> get(token).body().contains("\"namespace\":\"tenant-7\""));

        api.delete(ApiResource.ROLE_BINDINGS, "tenant-6", "leaving");

        await().atMost(Duration.ofSeconds(10)).until(() -> !get(token).body().contains("\"namespace\":\"tenant-6\""));
        assertThat(get(token).body()).contains("\"namespace\":\"tenant-7\"");
    }

    private void awaitVisible(String token, String namespace, Runnable grant) {
        grant.run();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> get(token).body().contains("\"namespace\":\"" + namespace + "\""));
    }

    private HttpResponse<String> get(String token) {
        return new GatewayClient(port).get("/api/v1/services", "Authorization", "Bearer " + token);
    }

    private long subjectAccessReviews() {
        return api.requests()
            .stream()
            .filter(r -> r.resource().equals("subjectaccessreviews") && r.verb().equals("create"))
            .count();
    }

    private String token(String account) {
        return api.issueToken("shop", api.serviceAccount("shop", account), List.of("discovery-gateway"),
                Duration.ofMinutes(10));
    }

}
