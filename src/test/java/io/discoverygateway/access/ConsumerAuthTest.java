package io.discoverygateway.access;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer authentication and authorization from the outside, where only the embedded API
 * can take the test: tokens that expire in seconds, reviews counted, the API failing on
 * demand. The scenarios both API servers can play are {@link ConsumerAuthContract}'s.
 */
@GatewayTest(
        properties = { "gateway.namespaces=team-a,team-b", "gateway.auth.mode=kubernetes", "gateway.auth.allow-ttl=1s",
                "gateway.auth.deny-ttl=1s", "gateway.auth.token-ttl=1s", "gateway.auth.recheck-interval=1s",
                "gateway.auth.max-streams-per-consumer=3", "gateway.auth.max-long-polls-per-consumer=3" })
class ConsumerAuthTest {

    private static final String AUDIENCE = "discovery-gateway";

    @LocalServerPort
    int port;

    @LocalManagementPort
    private int managementPort;

    @Autowired
    EmbeddedKubernetesApi api;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry registry;

    private GatewayClient client;

    @BeforeEach
    void services() {
        client = new GatewayClient(port, managementPort);
        for (String namespace : List.of("team-a", "team-b")) {
            if (api.get(ApiResource.SERVICES, namespace, "web").isEmpty()) {
                api.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "web"));
                api.create(ApiResource.ENDPOINT_SLICES, namespace, KubeObjects.slice(namespace, "web-1", "web",
                        List.of(EndpointSpec.ready(namespace.equals("team-a") ? "10.0.1.1" : "10.0.2.1"))));
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> api.list(ApiResource.SERVICES, "").size() >= 2);
    }

    @Test
    void aRequestWithoutATokenIsUnauthorizedWithABearerChallenge() {
        HttpResponse<String> response = client.get("/api/v1/namespaces/team-a/services/web");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"discovery-gateway\"");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.body()).contains("Authorization: Bearer");
    }

    @Test
    void everyKindOfBadTokenIsUnauthorizedAsAnInvalidToken() {
        String account = account("bad-tokens");
        String otherAudience = api.issueToken("team-a", account, List.of("vault"), Duration.ofMinutes(10));
        String expired = api.issueToken("team-a", account, List.of(AUDIENCE), Duration.ofSeconds(1));
        await().pollDelay(Duration.ofMillis(1100)).until(() -> true);

        for (String token : List.of("garbage", otherAudience, expired, expired + "x")) {
            HttpResponse<String> response = get("/api/v1/services", token);
            assertThat(response.statusCode()).as(token).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"discovery-gateway\", error=\"invalid_token\"");
        }
        HttpResponse<String> basic = client.get("/api/v1/services", "Authorization", "Basic dXNlcjpwdw==");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_request");
    }

    @Test
    void aPatchedEventCarriesAnIdOfTheConsumersScope() throws Exception {
        String token = token(account("patcher"));
        grant("team-a", "patcher");

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=team-a&patches=true", "Authorization",
                "Bearer " + token)) {
            String synced = stream.awaitNamed("SYNCED", Duration.ofSeconds(5)).id();
            api.replace(ApiResource.ENDPOINT_SLICES, "team-a",
                    KubeObjects.slice("team-a", "web-1", "web", List.of(EndpointSpec.notReady("10.0.1.1"))));
            Event patched = stream.awaitNamed("PATCHED", Duration.ofSeconds(5));

            assertThat(scopeTag(patched.id())).as("a resume point of the same scope").isEqualTo(scopeTag(synced));
            assertThat(patched.data()).contains("10.0.1.1").doesNotContain("team-b");
        }
        finally {
            api.replace(ApiResource.ENDPOINT_SLICES, "team-a",
                    KubeObjects.slice("team-a", "web-1", "web", List.of(EndpointSpec.ready("10.0.1.1"))));
        }
    }

    @Test
    void aStreamWhoseTokenExpiresEndsWithAnEventAskingForAFreshToken() throws Exception {
        String account = account("short-lived");
        grant("team-a", "short-lived");
        String token = api.issueToken("team-a", account, List.of(AUDIENCE), Duration.ofSeconds(3));

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=team-a", "Authorization",
                "Bearer " + token)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));
            Event last = stream.awaitNamed("REAUTHENTICATE", Duration.ofSeconds(6));

            assertThat(last.data()).contains("token-expired");
            await().atMost(Duration.ofSeconds(3)).until(stream::ended);
        }
    }

    @Test
    void aResumeWithAnIdOfAnotherScopeGetsAFullSnapshot() throws Exception {
        String token = token(account("resumer"));
        grant("team-a", "resumer");
        String id;
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token)) {
            id = stream.awaitNamed("SYNCED", Duration.ofSeconds(5)).id();
        }
        grant("team-b", "resumer");
        await().pollDelay(Duration.ofMillis(1100)).until(() -> true);

        try (SseClient stream = SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token,
                "Last-Event-ID", id)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));

            assertThat(stream.namedEvents().get(0).type()).isEqualTo("RESET");
            assertThat(stream.namedEvents().get(0).data()).contains("access-changed");
            assertThat(stream.namedEvents()).extracting(Event::data).anyMatch(d -> d.contains("10.0.2.1"));
        }
    }

    @Test
    void aBurstOfRequestsWithANewTokenMakesOneTokenReview() throws Exception {
        String token = token(account("bursty"));
        grant("team-a", "bursty");
        // Streams of other tests are re-checked every second, with reviews of their own:
        // wait until none is open.
        await().atMost(Duration.ofSeconds(10))
            .until(() -> client.get("/actuator/prometheus")
                .body()
                .lines()
                .anyMatch(line -> line.equals("gateway_stream_subscribers 0.0")));
        api.clearRequests();

        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                answers.add(CompletableFuture
                    .supplyAsync(() -> get("/api/v1/namespaces/team-a/services/web", token).statusCode(), pool));
            }
            assertThat(answers).extracting(CompletableFuture::join).containsOnly(200);
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(reviews("tokenreviews")).isEqualTo(1);
        assertThat(reviews("subjectaccessreviews")).isEqualTo(1);
    }

    @Test
    void withTheApiUnreachableCachedDecisionsHoldAndUnknownTokensGet503() {
        String known = token(account("known"));
        String unknown = token(account("unknown"));
        grant("team-a", "known");
        grant("team-a", "unknown");
        assertThat(get("/api/v1/namespaces/team-a/services/web", known).statusCode()).isEqualTo(200);

        api.failNextRequests(1000, 500, null);
        try {
            HttpResponse<String> cached = get("/api/v1/namespaces/team-a/services/web", known);
            HttpResponse<String> uncached = get("/api/v1/namespaces/team-a/services/web", unknown);

            assertThat(cached.statusCode()).isEqualTo(200);
            assertThat(uncached.statusCode()).isEqualTo(503);
            assertThat(uncached.headers().firstValue("Retry-After")).isPresent();
            assertThat(uncached.body()).contains("does not answer");
        }
        finally {
            api.failNextRequests(0, 500, null);
        }
    }

    @Test
    void probesAndMetricsNeedNoTokenOnTheManagementPort() {
        assertThat(client.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(client.get("/actuator/prometheus").body()).contains("gateway_auth_decisions_total");
    }

    @Test
    void theApiPortServesNoActuatorEndpointSoUnauthenticatedClientsReadNoNamespacesFromMetrics() {
        GatewayClient apiPortOnly = new GatewayClient(port);
        for (String path : List.of("/actuator/prometheus", "/actuator/metrics", "/actuator/health",
                "/actuator/health/readiness", "/actuator")) {
            HttpResponse<String> response = apiPortOnly.get(path);

            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).doesNotContain("team-a").doesNotContain("informer");
        }
    }

    private static String scopeTag(String eventId) {
        return eventId.substring(eventId.lastIndexOf('-') + 1);
    }

    @Test
    void twoThousandDifferentGarbageTokensCostNoTokenReview() {
        long reviewsBefore = reviews("tokenreviews");
        java.util.Random random = new java.util.Random(42);

        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[8 + random.nextInt(600)];
            random.nextBytes(bytes);
            String garbage = switch (i % 3) {
                case 0 -> java.util.HexFormat.of().formatHex(bytes);
                case 1 -> java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + ".x.y";
                default -> "a" + i + "." + java.util.Base64.getUrlEncoder().encodeToString(bytes) + ".sig";
            };
            assertThat(get("/api/v1/namespaces/team-a/services/web", garbage).statusCode()).isEqualTo(401);
        }

        assertThat(reviews("tokenreviews")).isEqualTo(reviewsBefore);
    }

    @Test
    void oneConsumerCannotHoldMoreStreamsThanItsShareAndOthersStillGetTheirs() throws Exception {
        String greedy = token(account("greedy"));
        grant("team-a", "greedy");
        String modest = token(account("modest"));
        grant("team-a", "modest");
        List<SseClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(SseClient.connect(port, "/api/v1/stream?namespace=team-a", "Authorization",
                        "Bearer " + greedy));
                held.get(i).awaitNamed("SYNCED", Duration.ofSeconds(5));
            }

            HttpResponse<String> refused = get("/api/v1/stream?namespace=team-a", greedy);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(refused.body()).contains("greedy holds 3 streams");
            try (SseClient other = SseClient.connect(port, "/api/v1/stream?namespace=team-a", "Authorization",
                    "Bearer " + modest)) {
                assertThat(other.status()).isEqualTo(200);
            }

            held.remove(0).close();
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                try (SseClient again = SseClient.connect(port, "/api/v1/stream?namespace=team-a", "Authorization",
                        "Bearer " + greedy)) {
                    return again.status() == 200;
                }
            });
        }
        finally {
            held.forEach(SseClient::close);
        }
    }

    @Test
    void oneConsumerCannotHoldMoreLongPollsThanItsShare() throws Exception {
        String token = token(account("poller"));
        grant("team-a", "poller");
        String etag = client.get("/api/v1/namespaces/team-a/services/web", "Authorization", "Bearer " + token)
            .headers()
            .firstValue("ETag")
            .orElseThrow();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(CompletableFuture.supplyAsync(() -> client.get("/api/v1/namespaces/team-a/services/web?wait=20s",
                    "Authorization", "Bearer " + token, "If-None-Match", etag)));
        }
        await().atMost(Duration.ofSeconds(5))
            .until(() -> registry.get("gateway.longpoll.waiting").gauge().value() >= 3);

        HttpResponse<String> refused = client.get("/api/v1/namespaces/team-a/services/web?wait=20s", "Authorization",
                "Bearer " + token, "If-None-Match", etag);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("long-polls");
        assertThat(registry.counter("gateway.auth.refusals", "reason", "long-polls-per-consumer").count())
            .isGreaterThanOrEqualTo(1);
        api.replace(ApiResource.ENDPOINT_SLICES, "team-a", KubeObjects.slice("team-a", "web-1", "web",
                List.of(EndpointSpec.ready("10.0.1.1"), EndpointSpec.ready("10.0.1.9"))));
        for (CompletableFuture<HttpResponse<String>> poll : held) {
            assertThat(poll.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        api.replace(ApiResource.ENDPOINT_SLICES, "team-a",
                KubeObjects.slice("team-a", "web-1", "web", List.of(EndpointSpec.ready("10.0.1.1"))));
    }

    private HttpResponse<String> get(String path, String token) {
        return client.get(path, "Authorization", "Bearer " + token);
    }

    private long reviews(String resource) {
        return api.requests()
            .stream()
            .filter(r -> r.resource().equals(resource))
            .map(RecordedRequest::verb)
            .filter("create"::equals)
            .count();
    }

    private String account(String name) {
        return api.serviceAccount("team-a", name);
    }

    private String token(String account) {
        return api.issueToken("team-a", account, List.of(AUDIENCE), Duration.ofMinutes(10));
    }

    /**
     * Lets the ServiceAccount of team-a list EndpointSlices in the namespace, as a
     * consumer's Role would.
     */
    private void grant(String namespace, String account) {
        api.grantListEndpointSlices(namespace, "team-a", account);
    }

}
