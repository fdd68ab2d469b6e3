package io.discoverygateway.access;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
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
 * Unauthenticated clients that send tokens shaped like ServiceAccount tokens, each new,
 * to make the gateway ask the API about every one of them; and the same while the API is
 * slow. The reviews they cause stay within the budget, the rest get 503 at once, and a
 * consumer the gateway knows goes on being served.
 */
@GatewayTest(properties = { "gateway.namespaces=team-a", "gateway.auth.mode=kubernetes",
        "gateway.auth.new-token-reviews-per-second=20", "gateway.auth.new-token-review-burst=20",
        "gateway.auth.new-token-reviews-per-source=0", "gateway.auth.max-reviews-in-flight=4" })
class ReviewFloodTest {

    private static final int FORGED = 300;

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    private GatewayClient client;

    private String known;

    @BeforeEach
    void knownConsumer() {
        client = new GatewayClient(port, managementPort);
        if (api.get(ApiResource.SERVICES, "team-a", "web").isEmpty()) {
            api.create(ApiResource.SERVICES, "team-a", KubeObjects.service("team-a", "web"));
        }
        String account = api.serviceAccount("team-a", "known");
        api.grantListEndpointSlices("team-a", "team-a", account);
        known = api.issueToken("team-a", account, List.of("discovery-gateway"), Duration.ofMinutes(10));
        // The bucket may be empty after another test: wait until the known token is
        // reviewed.
        await().atMost(Duration.ofSeconds(10)).until(() -> get(known).statusCode() == 200);
    }

    @Test
    void forgedTokensCauseNoMoreReviewsThanTheRateAndAKnownConsumerIsServedThroughout() throws Exception {
        long reviewsBefore = tokenReviews();
        List<Integer> knownStatuses = new ArrayList<>();
        long started = System.nanoTime();
        List<Timed> answers = flood(FORGED, () -> knownStatuses.add(get(known).statusCode()));
        double seconds = (System.nanoTime() - started) / 1e9;

        long reviews = tokenReviews() - reviewsBefore;
        assertThat(reviews).as("TokenReviews for %s forged tokens in %.1f s", FORGED, seconds)
            .isLessThanOrEqualTo(20 + (long) Math.ceil(20 * seconds) + 1);
        assertThat(answers).extracting(Timed::statusCode).containsOnly(401, 503).contains(503);
        assertThat(answers).filteredOn(answer -> answer.statusCode() == 503)
            .extracting(Timed::answer)
            .allSatisfy(refused -> assertThat(refused.headers().firstValue("Retry-After")).hasValue("1"))
            .anySatisfy(refused -> assertThat(refused.body()).contains("new tokens per second"));
        assertThat(knownStatuses).isNotEmpty().containsOnly(200);
        assertThat(refusals("new-token-rate")).isPositive();
    }

    @Test
    void withASlowApiAtMostTheInFlightRequestsWaitAndTheOthersAreAnsweredAtOnce() throws Exception {
        api.setLatency(Duration.ofSeconds(2));
        try {
            List<Integer> knownStatuses = new ArrayList<>();
            long started = System.nanoTime();
            List<Timed> answers = flood(16, () -> knownStatuses.add(get(known).statusCode()));
            double seconds = (System.nanoTime() - started) / 1e9;

            // Each review takes 2 s, and 4 may be waited for at once: no more can have
            // been reviewed meanwhile.
            long waited = answers.stream().filter(a -> a.statusCode() == 401).count();
            assertThat(waited).as("requests that waited for a review in %.1f s", seconds)
                .isPositive()
                .isLessThanOrEqualTo(4 * (long) Math.ceil(seconds / 2));
            // Refused at once: not after waiting for a review (2 s) themselves.
            assertThat(answers).filteredOn(answer -> answer.statusCode() == 503)
                .isNotEmpty()
                .allSatisfy(refused -> assertThat(refused.answer().body()).contains("at once"))
                .allSatisfy(refused -> assertThat(refused.took()).isLessThan(Duration.ofSeconds(1)));
            assertThat(knownStatuses).isNotEmpty().containsOnly(200);
            assertThat(refusals("reviews-in-flight")).isPositive();
        }
        finally {
            api.setLatency(Duration.ZERO);
        }
    }

    /** An answer and how long it took. */
    private record Timed(HttpResponse<String> answer, Duration took) {

        int statusCode() {
            return answer.statusCode();
        }
    }

    /**
     * Sends n requests with new forged tokens at once, and the known consumer's
     * meanwhile; their answers, each with its time.
     */
    private List<Timed> flood(int n, Runnable meanwhile) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Timed>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String forged = ForgedTokens.next("team-a");
                futures.add(pool.submit(() -> {
                    long started = System.nanoTime();
                    HttpResponse<String> answer = get(forged);
                    return new Timed(answer, Duration.ofNanos(System.nanoTime() - started));
                }));
            }
            while (futures.stream().anyMatch(f -> !f.isDone())) {
                meanwhile.run();
            }
            List<Timed> answers = new ArrayList<>();
            for (Future<Timed> future : futures) {
                answers.add(future.get());
            }
            return answers;
        }
        finally {
            pool.shutdownNow();
        }
    }

    private HttpResponse<String> get(String token) {
        return client.get("/api/v1/namespaces/team-a/services/web", "Authorization", "Bearer " + token);
    }

    private long tokenReviews() {
        return api.requests()
            .stream()
            .filter(r -> r.resource().equals("tokenreviews"))
            .map(RecordedRequest::verb)
            .filter("create"::equals)
            .count();
    }

    private double refusals(String reason) {
        return client.get("/actuator/prometheus")
            .body()
            .lines()
            .filter(line -> line.startsWith("gateway_auth_refusals_total{reason=\"" + reason + "\""))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum();
    }

}
