package io.discoverygateway.kubeapi;

import java.time.Duration;
import java.util.List;

import io.discoverygateway.kubeapi.KubeObjects.Rule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TokenReview and SubjectAccessReview on the embedded API behave as Kubernetes' do, over
 * HTTP.
 */
class EmbeddedAuthApiTest {

    private static final String APP = "system:serviceaccount:shop:app";

    private static final List<String> APP_GROUPS = List.of("system:serviceaccounts", "system:serviceaccounts:shop",
            "system:authenticated");

    private final EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void aTokenIsAcceptedForItsAudienceWithTheServiceAccountsIdentity() {
        api.create(ApiResource.SERVICE_ACCOUNTS, "shop", KubeObjects.serviceAccount("shop", "app"));
        String token = api.issueToken("shop", "app", List.of("discovery-gateway"), Duration.ofMinutes(10));

        String review = AuthApi.tokenReview(api, token, "discovery-gateway");

        assertThat(review).contains("\"authenticated\":true", "\"username\":\"" + APP + "\"",
                "\"system:serviceaccounts:shop\"", "\"audiences\":[\"discovery-gateway\"]");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        api.create(ApiResource.SERVICE_ACCOUNTS, "shop", KubeObjects.serviceAccount("shop", "app"));
        String token = api.issueToken("shop", "app", List.of("vault"), Duration.ofMinutes(10));

        assertThat(AuthApi.tokenReview(api, token, "discovery-gateway")).doesNotContain("authenticated")
            .contains("is invalid for the target audiences");
    }

    @Test
    void anExpiredTokenIsRefused() {
        api.create(ApiResource.SERVICE_ACCOUNTS, "shop", KubeObjects.serviceAccount("shop", "app"));
        String token = api.issueToken("shop", "app", List.of("discovery-gateway"), Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(AuthApi.tokenReview(api, token, "discovery-gateway"))
                .contains("service account token has expired"));
    }

    @Test
    void aTokenOfADeletedServiceAccountIsRefusedEvenWhenTheNameIsTakenAgain() {
        api.create(ApiResource.SERVICE_ACCOUNTS, "shop", KubeObjects.serviceAccount("shop", "app"));
        String token = api.issueToken("shop", "app", List.of("discovery-gateway"), Duration.ofMinutes(10));
        api.delete(ApiResource.SERVICE_ACCOUNTS, "shop", "app");
        api.create(ApiResource.SERVICE_ACCOUNTS, "shop", KubeObjects.serviceAccount("shop", "app"));

        assertThat(AuthApi.tokenReview(api, token, "discovery-gateway")).doesNotContain("authenticated")
            .contains("has been deleted");
    }

    @Test
    void aTamperedTokenIsRefused() {
        api.create(ApiResource.SERVICE_ACCOUNTS, "shop", KubeObjects.serviceAccount("shop", "app"));
        String token = api.issueToken("shop", "app", List.of("discovery-gateway"), Duration.ofMinutes(10));
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];

        // As in Kubernetes, a refused token's review has no "authenticated" field (false
        // is omitted) and an error.
        assertThat(AuthApi.tokenReview(api, forged, "discovery-gateway")).doesNotContain("authenticated")
            .contains("\"error\"");
        assertThat(AuthApi.tokenReview(api, "not-a-token", "discovery-gateway")).doesNotContain("authenticated")
            .contains("\"error\"");
    }

    @Test
    void aRoleBindingGrantsItsRulesInItsOwnNamespaceOnly() {
        api.create(ApiResource.ROLES, "shop", KubeObjects.role("shop", "reader", List.of(Rule.listEndpointSlices())));
        api.create(ApiResource.ROLE_BINDINGS, "shop",
                KubeObjects.binding("shop", "reader", "Role", "reader", "shop", "app"));

        assertThat(allowedToList("shop")).isTrue();
        assertThat(allowedToList("billing")).isFalse();
        assertThat(allowedToList("")).as("all namespaces").isFalse();
        assertThat(AuthApi.allowed(api, APP, APP_GROUPS, "watch", "discovery.k8s.io", "endpointslices", "shop", ""))
            .isFalse();
        assertThat(AuthApi.allowed(api, APP, APP_GROUPS, "list", "", "endpointslices", "shop", "")).isFalse();
    }

    @Test
    void aRoleBindingOfAClusterRoleGrantsItInTheBindingsNamespace() {
        api.create(ApiResource.CLUSTER_ROLES, "", KubeObjects.role("", "reader", List.of(Rule.listEndpointSlices())));
        api.create(ApiResource.ROLE_BINDINGS, "billing",
                KubeObjects.binding("billing", "reader", "ClusterRole", "reader", "shop", "app"));

        assertThat(allowedToList("billing")).isTrue();
        assertThat(allowedToList("shop")).isFalse();
    }

    @Test
    void aClusterRoleBindingGrantsEverywhereAndDeletingItRevokes() {
        api.create(ApiResource.CLUSTER_ROLES, "", KubeObjects.role("", "reader", List.of(Rule.listEndpointSlices())));
        api.create(ApiResource.CLUSTER_ROLE_BINDINGS, "",
                KubeObjects.binding("", "reader", "ClusterRole", "reader", "shop", "app"));

        assertThat(allowedToList("")).isTrue();
        assertThat(allowedToList("billing")).isTrue();
        api.delete(ApiResource.CLUSTER_ROLE_BINDINGS, "", "reader");
        assertThat(allowedToList("billing")).isFalse();
    }

    @Test
    void wildcardsResourceNamesAndSubresourcesMatchAsInKubernetes() {
        api.create(ApiResource.ROLES, "shop",
                KubeObjects.role("shop", "mixed",
                        List.of(new Rule(List.of("*"), List.of("services"), List.of("get"), List.of("web")),
                                new Rule(List.of(""), List.of("*/token"), List.of("create")),
                                new Rule(List.of("discovery.k8s.io"), List.of("*"), List.of("*")))));
        api.create(ApiResource.ROLE_BINDINGS, "shop",
                KubeObjects.binding("shop", "mixed", "Role", "mixed", "shop", "app"));

        assertThat(AuthApi.allowed(api, APP, APP_GROUPS, "get", "", "services", "shop", "web")).isTrue();
        assertThat(AuthApi.allowed(api, APP, APP_GROUPS, "get", "", "services", "shop", "db")).isFalse();
        assertThat(AuthApi.allowed(api, APP, APP_GROUPS, "list", "", "services", "shop", "")).isFalse();
        assertThat(AuthApi.allowed(api, APP, APP_GROUPS, "create", "", "serviceaccounts/token", "shop", "app"))
            .isTrue();
        assertThat(AuthApi.allowed(api, APP, APP_GROUPS, "create", "", "serviceaccounts", "shop", "")).isFalse();
        assertThat(allowedToList("shop")).isTrue();
    }

    @Test
    void theAuthDelegatorClusterRoleExistsAsInEveryCluster() {
        api.create(ApiResource.CLUSTER_ROLE_BINDINGS, "",
                KubeObjects.binding("", "delegator", "ClusterRole", "system:auth-delegator", "shop", "app"));

        assertThat(AuthApi.allowed(api, APP, APP_GROUPS, "create", "authentication.k8s.io", "tokenreviews", "", ""))
            .isTrue();
        assertThat(
                AuthApi.allowed(api, APP, APP_GROUPS, "create", "authorization.k8s.io", "subjectaccessreviews", "", ""))
            .isTrue();
        assertThat(allowedToList("shop")).isFalse();
    }

    private boolean allowedToList(String namespace) {
        return AuthApi.allowed(api, APP, APP_GROUPS, "list", "discovery.k8s.io", "endpointslices", namespace, "");
    }

}
