package io.discoverygateway.realkube;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The RoleBinding prefilter judged by kube-apiserver: with the cluster-wide layout's RBAC
 * (which lets the gateway watch RoleBindings), a consumer bound in one of many namespaces
 * costs the cluster-wide SubjectAccessReview and one for its namespace, as the API
 * server's audit log counts them, and sees that namespace only.
 */
@ExtendWith(RealClusterGatewayTest.RealClusterAvailable.class)
class RoleBindingPrefilterOnRealClusterTest {

    private final RealCluster cluster = RealCluster.shared();

    private final RealTestCluster api = new RealTestCluster(cluster);

    @Test
    void aConsumerBoundInOneOfManyNamespacesCostsTwoSubjectAccessReviews() throws Exception {
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String tenant = cluster.createNamespace("tenant");
            api.create(ApiResource.SERVICES, tenant, KubeObjects.service(tenant, "web"));
            tenants.add(tenant);
        }
        String home = cluster.createNamespace("shop");
        api.serviceAccount(home, "reader");
        String bound = tenants.get(3);
        api.grantListEndpointSlices(bound, home, "reader");
        String[] credentials = { "Authorization",
                "Bearer " + api.token(home, "reader", List.of("discovery-gateway"), Duration.ofMinutes(10)) };

        try (GatewayOnCluster gateway = GatewayOnCluster.startClusterWide(cluster,
                Map.of("gateway.auth.mode", "kubernetes", "gateway.auth.role-binding-prefilter", "true"))) {
            GatewayClient client = gateway.client();
            String last = tenants.get(tenants.size() - 1);
            // Ready: the catalog holds what was there at start, every tenant.
            await().atMost(Duration.ofSeconds(30))
                .until(() -> client.get("/actuator/metrics/gateway.auth.prefilter.active").body().contains(":1.0")
                        && client.get("/actuator/health/readiness").statusCode() == 200);
            int before = subjectAccessReviews(gateway);

            HttpResponse<String> answer = client.get("/api/v1/services", credentials);

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\"namespace\":\"" + bound + "\"")
                .doesNotContain("\"namespace\":\"" + last + "\"");
            await().atMost(Duration.ofSeconds(5)).until(() -> subjectAccessReviews(gateway) - before >= 2);
            assertThat(subjectAccessReviews(gateway) - before).as("cluster-wide, then " + bound).isEqualTo(2);
        }
    }

    private int subjectAccessReviews(GatewayOnCluster gateway) {
        return (int) cluster.requestsOf(gateway.user())
            .stream()
            .filter(request -> "subjectaccessreviews".equals(request.resource()))
            .count();
    }

}
