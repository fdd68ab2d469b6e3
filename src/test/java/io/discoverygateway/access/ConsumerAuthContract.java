package io.discoverygateway.access;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.TestCluster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer authentication's contract, on the embedded API
 * ({@link ConsumerAuthOnEmbeddedApiTest}) and on a real kube-apiserver
 * ({@code ConsumerAuthOnRealClusterTest}), where TokenRequest, TokenReview and
 * SubjectAccessReview are Kubernetes' own: consumers' ServiceAccount tokens and RBAC
 * decide what they read through the gateway, including through the built-in aggregated
 * ClusterRoles {@code view} and {@code edit}. Subclasses run the gateway on the
 * namespaces team-a and team-b with consumer authentication and one-second caches and
 * rechecks.
 */
public abstract class ConsumerAuthContract {

    private static final String AUDIENCE = "discovery-gateway";

    @LocalServerPort
    private int port;

    @Autowired
    private TestCluster cluster;

    @Autowired
    private io.micrometer.core.instrument.MeterRegistry registry;

    private GatewayClient client;

    private String teamA;

    private String teamB;

    @BeforeEach
    void services() {
        client = new GatewayClient(port);
        teamA = cluster.namespace("team-a");
        teamB = cluster.namespace("team-b");
        for (String namespace : List.of(teamA, teamB)) {
            if (cluster.get(ApiResource.SERVICES, namespace, "web").isEmpty()) {
                cluster.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "web"));
                cluster.create(ApiResource.ENDPOINT_SLICES, namespace, KubeObjects.slice(namespace, "web-1", "web",
                        List.of(EndpointSpec.ready(namespace.equals(teamA) ? "10.0.1.1" : "10.0.2.1"))));
            }
        }
        String admin = token(account("admin-check"));
        grant(teamA, "admin-check");
        grant(teamB, "admin-check");
        await().atMost(Duration.ofSeconds(10))
            .until(() -> get("/apps/web", admin).body().contains("10.0.1.1")
                    && get("/apps/web", admin).body().contains("10.0.2.1"));
    }

    @Test
    void aConsumerReadsTheNamespaceItMayListEndpointSlicesInAndIsForbiddenTheOther() {
        String token = token(account("reader"));
        grant(teamA, "reader");

        assertThat(get(servicePath(teamA), token).statusCode()).isEqualTo(200);
        HttpResponse<String> forbidden = get(servicePath(teamB), token);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("system:serviceaccount:" + teamA + ":reader", teamB,
                "discovery.k8s.io/endpointslices");
        assertThat(get("/api/v1/namespaces/" + teamB + "/services/unknown", token).statusCode())
            .as("a forbidden namespace does not tell which services exist")
            .isEqualTo(403);
        assertThat(get("/api/v1/namespaces/" + teamB + "/services", token).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/stream?namespace=" + teamB, token).statusCode()).isEqualTo(403);
    }

    @Test
    void twoAuthorizationHeadersAreABadRequestWhicheverComesFirst() {
        String token = token(account("doubled"));
        grant(teamA, "doubled");

        for (String[] headers : new String[][] {
                { "Authorization", "Bearer " + token, "Authorization", "Bearer not-a-token" },
                { "Authorization", "Bearer not-a-token", "Authorization", "Bearer " + token } }) {
            HttpResponse<String> response = client.get(servicePath(teamA), headers);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("exactly one");
        }
    }

    @Test
    void aConsumerCannotTellWhichNamespacesTheGatewayWatches() {
        String token = token(account("prober"));
        grant(teamA, "prober");
        String unwatched = "nope";

        for (String path : List.of("/api/v1/namespaces/%s/services", "/api/v1/namespaces/%s/services/web",
                "/api/v1/services?namespace=%s", "/api/v1/services?namespace=%s&wait=1s", "/api/v1/stream?namespace=%s",
                "/api/v1/stream?service=%s/web")) {
            HttpResponse<String> watched = get(path.formatted(teamB), token);
            HttpResponse<String> notWatched = get(path.formatted(unwatched), token);

            assertThat(watched.statusCode()).as(path).isEqualTo(403);
            assertThat(notWatched.statusCode()).as(path).isEqualTo(403);
            assertThat(notWatched.body().replace(unwatched, teamB)).as(path).isEqualTo(watched.body());
            assertThat(notWatched.body()).as(path).doesNotContain("watch").doesNotContain(teamB);
        }
    }

    @Test
    void aNamespaceThatIsReadableButNotWatchedIsNotFoundWithoutNamingTheWatchedOnes() {
        String elsewhere = cluster.namespace("elsewhere");
        String token = token(account("roamer"));
        grant(elsewhere, "roamer");

        HttpResponse<String> response = get("/api/v1/namespaces/" + elsewhere + "/services", token);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("does not watch namespace '" + elsewhere + "'")
            .doesNotContain(teamA)
            .doesNotContain(teamB);
    }

    @Test
    void aConsumerThatMayReadNothingIsRefusedEveryPlaceAndCounted() throws Exception {
        String token = token(account("nobody"));
        double refusedBefore = refusals();

        for (String path : List.of("/api/v1/services", "/api/v1/services?wait=2s", "/apps", "/apps/web", "/state",
                "/api/v1/stream")) {
            HttpResponse<String> response = get(path, token);
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(response.body()).as(path)
                .contains("read no namespace", "system:serviceaccount:" + teamA + ":nobody")
                .doesNotContain(teamB);
        }
        assertThat(refusals()).isEqualTo(refusedBefore + 6);
    }

    private double refusals() {
        return registry.counter("gateway.auth.refusals", "reason", "empty-scope").count();
    }

    @Test
    void aTokenForAnotherAudienceIsUnauthorized() {
        String account = account("vault-user");
        grant(teamA, account);
        String otherAudience = cluster.token(teamA, account, List.of("vault"), Duration.ofMinutes(10));

        assertThat(get(servicePath(teamA), otherAudience).statusCode()).isEqualTo(401);
    }

    @Test
    void listsAndTheDiscoveryServerApiShowOnlyTheReadableNamespaces() {
        String token = token(account("lister"));
        grant(teamA, "lister");

        String services = get("/api/v1/services", token).body();
        String apps = get("/apps/web", token).body();
        String state = get("/state", token).body();

        assertThat(services).contains("\"namespace\":\"" + teamA + "\"").doesNotContain(teamB);
        assertThat(apps).contains("10.0.1.1").doesNotContain("10.0.2.1");
        assertThat(state).doesNotContain(teamB);
    }

    @Test
    void aChangeInANamespaceTheConsumerMayNotReadMovesNoRevisionItIsShown() throws Exception {
        String token = token(account("observer"));
        grant(teamA, "observer");
        String admin = token(account("admin-check"));
        List<String> paths = List.of("/apps", "/apps/web", "/state", "/api/v1/services");
        List<String> before = paths.stream()
            .map(path -> get(path, token).headers().firstValue("ETag").orElseThrow())
            .toList();
        Event syncedBefore = synced(token);
        String adminEtag = get("/api/v1/services", admin).headers().firstValue("ETag").orElseThrow();

        cluster.replace(ApiResource.SERVICES, teamB,
                KubeObjects.service(teamB, "web", java.util.Map.of("secret", "changed")));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> !get("/api/v1/services", admin).headers().firstValue("ETag").orElseThrow().equals(adminEtag));

        assertThat(paths.stream().map(path -> get(path, token).headers().firstValue("ETag").orElseThrow()).toList())
            .as("the ETags of %s", paths)
            .isEqualTo(before);
        Event syncedAfter = synced(token);
        assertThat(syncedAfter.data()).isEqualTo(syncedBefore.data());
        assertThat(syncedAfter.id()).isEqualTo(syncedBefore.id());
        // An id past the consumer's revision is "ahead", even where the gateway's own
        // revision has reached it.
        String adminRevision = get("/api/v1/services", admin).headers()
            .firstValue("ETag")
            .orElseThrow()
            .replace("\"", "");
        String forged = adminRevision + syncedBefore.id().substring(syncedBefore.id().lastIndexOf('-'));
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token,
                "Last-Event-ID", forged)) {
            assertThat(stream.awaitNamed("RESET", Duration.ofSeconds(5)).data()).contains("\"event-id-ahead\"");
        }
    }

    @Test
    void theBuiltInViewAndEditRolesBoundInANamespaceLetAConsumerReadIt() {
        String viewer = account("viewer");
        String editor = account("editor");
        cluster.replace(ApiResource.ROLE_BINDINGS, teamB,
                KubeObjects.binding(teamB, "viewer", "ClusterRole", "view", teamA, viewer));
        cluster.replace(ApiResource.ROLE_BINDINGS, teamB,
                KubeObjects.binding(teamB, "editor", "ClusterRole", "edit", teamA, editor));

        for (String account : List.of(viewer, editor)) {
            String token = token(account);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(servicePath(teamB), token).statusCode() == 200);
            assertThat(get(servicePath(teamA), token).statusCode()).as(account).isEqualTo(403);
        }
    }

    @Test
    void aClusterWideStreamShowsOnlyTheReadableNamespacesAndLosesOneWhenItsBindingIsDeleted() throws Exception {
        String token = token(account("watcher"));
        grant(teamA, "watcher");
        grant(teamB, "watcher");

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));
            assertThat(stream.namedEvents()).extracting(Event::data)
                .anyMatch(d -> d.contains("10.0.1.1"))
                .anyMatch(d -> d.contains("10.0.2.1"));
            cluster.delete(ApiResource.ROLE_BINDINGS, teamB, "watcher");

            stream.awaitEvent(e -> "DELETED".equals(e.type()) && e.data().contains(teamB), Duration.ofSeconds(10));
            Event revoked = stream.namedEvents()
                .stream()
                .filter(e -> "DELETED".equals(e.type()) && e.data().contains(teamB))
                .findFirst()
                .orElseThrow();
            assertThat(revoked.data()).contains("\"reason\":\"access-revoked\"").doesNotContain("10.0.2.1");
            stream.awaitEvent(
                    e -> "SYNCED".equals(e.type())
                            && stream.namedEvents().stream().filter(n -> "SYNCED".equals(n.type())).count() == 2,
                    Duration.ofSeconds(5));
            List<String> syncedIds = stream.namedEvents()
                .stream()
                .filter(e -> "SYNCED".equals(e.type()))
                .map(Event::id)
                .toList();
            assertThat(scopeTag(syncedIds.get(1))).as("ids after the change carry the new scope's tag")
                .isNotEqualTo(scopeTag(syncedIds.get(0)));
            assertThat(get(servicePath(teamB), token).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void theTokenOfADeletedServiceAccountIsRefused() {
        String account = account("leaver");
        grant(teamA, account);
        String token = token(account);
        assertThat(get(servicePath(teamA), token).statusCode()).isEqualTo(200);

        cluster.delete(ApiResource.SERVICE_ACCOUNTS, teamA, account);

        // kube-apiserver keeps a successful token authentication for 10 s, the gateway
        // for token-ttl (1 s here).
        await().atMost(Duration.ofSeconds(20)).until(() -> get(servicePath(teamA), token).statusCode() == 401);
    }

    private Event synced(String token) throws Exception {
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token)) {
            return stream.awaitNamed("SYNCED", Duration.ofSeconds(5));
        }
    }

    private static String scopeTag(String eventId) {
        return eventId.substring(eventId.lastIndexOf('-') + 1);
    }

    private static String servicePath(String namespace) {
        return "/api/v1/namespaces/" + namespace + "/services/web";
    }

    private HttpResponse<String> get(String path, String token) {
        return client.get(path, "Authorization", "Bearer " + token);
    }

    private String account(String name) {
        return cluster.serviceAccount(teamA, name);
    }

    private String token(String account) {
        return cluster.token(teamA, account, List.of(AUDIENCE), Duration.ofMinutes(10));
    }

    /**
     * Lets the ServiceAccount of team-a list EndpointSlices in the namespace, as a
     * consumer's Role would.
     */
    private void grant(String namespace, String account) {
        cluster.grantListEndpointSlices(namespace, teamA, account);
    }

}
