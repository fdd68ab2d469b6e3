package io.discoverygateway.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.WatchScope;
import io.discoverygateway.access.Reviews.TokenVerdict;
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The caching rules of consumer decisions, with a scripted stand-in for the Kubernetes
 * API's reviews (the port {@link Reviews}; the wiring against the real embedded API is
 * ConsumerAuthTest's).
 */
class AccessDecisionsTest {

    private static final Consumer APP = new Consumer("system:serviceaccount:shop:app", "uid-1",
            List.of("system:serviceaccounts"), Map.of(), null);

    private final ScriptedReviews reviews = new ScriptedReviews();

    private final GatewayProperties.Auth properties = new GatewayProperties.Auth(GatewayProperties.AuthMode.KUBERNETES,
            "discovery-gateway", "list", "discovery.k8s.io", "endpointslices", Duration.ofMinutes(2),
            Duration.ofMinutes(1), Duration.ofSeconds(10), 100, Duration.ofMinutes(1), Duration.ofSeconds(5), 100, 100,
            50, 100, 0, 32, 4, false);

    private final ReviewBudget budget = new ReviewBudget(50, 100, 32, System::nanoTime);

    @Test
    void aTokensReviewIsTrustedNoLongerThanTheTokenLives() {
        ConsumerAuthenticator authenticator = new ConsumerAuthenticator(reviews, properties, Clock.systemUTC(),
                new SimpleMeterRegistry(), budget);
        String token = jwt(Instant.now().plusSeconds(3600));

        TokenVerdict verdict = authenticator.authenticate(token);
        authenticator.authenticate(token);

        assertThat(verdict.consumer().expiresAt())
            .isEqualTo(Instant.ofEpochSecond(Instant.now().plusSeconds(3600).getEpochSecond()));
        assertThat(reviews.tokenReviews).hasValue(1);
    }

    @Test
    void anExpiredTokenIsRefusedEvenWhenItsReviewIsCached() {
        ConsumerAuthenticator authenticator = new ConsumerAuthenticator(reviews, properties,
                Clock.offset(Clock.systemUTC(), Duration.ofHours(2)), new SimpleMeterRegistry(), budget);

        assertThat(authenticator.authenticate(jwt(Instant.now().plusSeconds(3600))).isAuthenticated()).isFalse();
    }

    @Test
    void anUnansweredReviewIsNotRemembered() {
        ConsumerAuthenticator authenticator = new ConsumerAuthenticator(reviews, properties, Clock.systemUTC(),
                new SimpleMeterRegistry(), budget);
        reviews.down = true;
        String token = jwt(Instant.now().plusSeconds(3600));

        assertThatThrownBy(() -> authenticator.authenticate(token))
            .isInstanceOf(Reviews.ReviewUnavailableException.class);
        reviews.down = false;
        assertThat(authenticator.authenticate(token).isAuthenticated()).isTrue();
    }

    @Test
    void whatCannotBeAServiceAccountTokenIsRefusedWithoutAReview() {
        ConsumerAuthenticator authenticator = new ConsumerAuthenticator(reviews, properties, Clock.systemUTC(),
                new SimpleMeterRegistry(), budget);
        String jwt = jwt(Instant.now().plusSeconds(3600));

        for (String garbage : List.of("token", "x".repeat(40), "a.b.c", jwt + ".d", jwt.replace('.', ' '),
                "!!!!!!!!!!!!!!!!!!!!.????????????????.sig", "eyJub3RhbGciOjF9.eyJleHAiOjF9.signature-part",
                jwt.substring(0, jwt.lastIndexOf('.')) + ".", "x".repeat(TokenShape.MAX_LENGTH) + "." + jwt)) {
            TokenVerdict verdict = authenticator.authenticate(garbage);
            assertThat(verdict.isAuthenticated()).as(garbage).isFalse();
            assertThat(verdict.refusal()).as(garbage).startsWith("it is not a ServiceAccount token");
        }
        assertThat(reviews.tokenReviews).hasValue(0);
        assertThat(authenticator.authenticate(jwt).isAuthenticated()).isTrue();
        assertThat(reviews.tokenReviews).hasValue(1);
    }

    @Test
    void withEveryNamespaceWatchedOneClusterWideAllowMeansEverything() {
        NamespaceAccess access = new NamespaceAccess(reviews, properties, new WatchScope(true, List.of()),
                new SimpleMeterRegistry(), budget, null);
        reviews.allowed.add("");

        assertThat(access.scope(APP, null)).isEqualTo(NamespaceScope.EVERYTHING);
        assertThat(reviews.accessReviews).containsExactly("");
    }

    @Test
    void withWatchedNamespacesEachIsDecidedOnceAndRemembered() {
        NamespaceAccess access = new NamespaceAccess(reviews, properties, new WatchScope(false, List.of("a", "b")),
                new SimpleMeterRegistry(), budget, null);
        reviews.allowed.add("a");

        NamespaceScope first = access.scope(APP, null);
        NamespaceScope second = access.scope(APP, null);

        assertThat(first).isEqualTo(NamespaceScope.of(Set.of("a"))).isEqualTo(second);
        assertThat(reviews.accessReviews).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void withEveryNamespaceWatchedTheNamespacesAreDecidedOnceAndLaterOnlyNewOnes() {
        Catalog catalog = new Catalog("e1", new SnapshotEncoder(JsonMapper.builder().build()), Clock.systemUTC());
        try {
            for (int i = 0; i < 1000; i++) {
                service(catalog, "ns-" + i);
            }
            catalog.afterPending(() -> {
            }).join();
            GatewayProperties.Auth roomy = new GatewayProperties.Auth(GatewayProperties.AuthMode.KUBERNETES,
                    "discovery-gateway", "list", "discovery.k8s.io", "endpointslices", Duration.ofMinutes(2),
                    Duration.ofMinutes(1), Duration.ofSeconds(10), 10_000, Duration.ofMinutes(1), Duration.ofSeconds(5),
                    100, 100, 50, 100, 0, 32, 4, false);
            NamespaceAccess access = new NamespaceAccess(reviews, roomy, new WatchScope(true, List.of()),
                    new SimpleMeterRegistry(), budget, null);
            reviews.allowed.add("ns-7");

            NamespaceScope first = access.scope(APP, catalog.view());
            int afterFirst = reviews.accessReviews.size();
            NamespaceScope second = access.scope(APP, catalog.view());
            int afterSecond = reviews.accessReviews.size();
            service(catalog, "ns-new");
            catalog.afterPending(() -> {
            }).join();
            access.scope(APP, catalog.view());

            assertThat(first).isEqualTo(NamespaceScope.of(Set.of("ns-7"))).isEqualTo(second);
            assertThat(afterFirst).as("one cluster-wide review, then one per namespace").isEqualTo(1001);
            assertThat(afterSecond).as("the second request asks nothing").isEqualTo(afterFirst);
            assertThat(reviews.accessReviews.subList(afterSecond, reviews.accessReviews.size()))
                .as("a new namespace costs one review")
                .containsExactly("ns-new");
            access.close();
        }
        finally {
            catalog.close();
        }
    }

    @Test
    void withRoleBindingsKnownOnlyTheNamespacesWhereOneNamesTheConsumerAreReviewed() {
        Catalog catalog = catalogOf(1000);
        try (NamespaceAccess access = new NamespaceAccess(reviews, properties, new WatchScope(true, List.of()),
                new SimpleMeterRegistry(), budget, consumer -> Optional.of(Set.of("ns-7", "ns-8", "gone")))) {
            reviews.allowed.add("ns-7");

            NamespaceScope scope = access.scope(APP, catalog.view());

            assertThat(scope).isEqualTo(NamespaceScope.of(Set.of("ns-7")));
            assertThat(reviews.accessReviews).as("cluster-wide, then the bound namespaces that exist")
                .containsExactlyInAnyOrder("", "ns-7", "ns-8");
        }
        finally {
            catalog.close();
        }
    }

    @Test
    void aNamespaceWhoseRoleBindingIsGoneIsHiddenAtOnceAndANewBindingIsReviewedAtOnce() {
        Catalog catalog = catalogOf(10);
        Set<String> bound = new java.util.concurrent.CopyOnWriteArraySet<>(Set.of("ns-1"));
        try (NamespaceAccess access = new NamespaceAccess(reviews, properties, new WatchScope(true, List.of()),
                new SimpleMeterRegistry(), budget, consumer -> Optional.of(Set.copyOf(bound)))) {
            reviews.allowed.addAll(List.of("ns-1", "ns-2"));
            access.scope(APP, catalog.view());

            bound.remove("ns-1");
            NamespaceScope unbound = access.scope(APP, catalog.view());
            bound.add("ns-2");
            NamespaceScope rebound = access.scope(APP, catalog.view());

            assertThat(unbound).isEqualTo(NamespaceScope.of(Set.of()));
            assertThat(rebound).isEqualTo(NamespaceScope.of(Set.of("ns-2")));
            assertThat(reviews.accessReviews).containsExactlyInAnyOrder("", "ns-1", "ns-2");
        }
        finally {
            catalog.close();
        }
    }

    @Test
    void whileTheRoleBindingsAreUnknownEveryNamespaceIsReviewed() {
        Catalog catalog = catalogOf(20);
        try (NamespaceAccess access = new NamespaceAccess(reviews, properties, new WatchScope(true, List.of()),
                new SimpleMeterRegistry(), budget, consumer -> Optional.empty())) {
            reviews.allowed.add("ns-3");

            NamespaceScope scope = access.scope(APP, catalog.view());

            assertThat(scope).isEqualTo(NamespaceScope.of(Set.of("ns-3")));
            assertThat(reviews.accessReviews).hasSize(21);
        }
        finally {
            catalog.close();
        }
    }

    /** A catalog with a service in each of ns-0 to ns-(count - 1). */
    private static Catalog catalogOf(int count) {
        Catalog catalog = new Catalog("e1", new SnapshotEncoder(JsonMapper.builder().build()), Clock.systemUTC());
        for (int i = 0; i < count; i++) {
            service(catalog, "ns-" + i);
        }
        catalog.afterPending(() -> {
        }).join();
        return catalog;
    }

    private static void service(Catalog catalog, String namespace) {
        catalog.upsertService(new ServiceResource(new ServiceKey(namespace, "web"), "uid-" + namespace, "ClusterIP",
                List.of(), List.of(), null, List.of(), Map.of(), Map.of()));
    }

    @Test
    void anotherUserIsDecidedOnItsOwn() {
        NamespaceAccess access = new NamespaceAccess(reviews, properties, new WatchScope(false, List.of("a")),
                new SimpleMeterRegistry(), budget, null);
        reviews.allowed.add("a");
        Consumer other = new Consumer("system:serviceaccount:shop:other", "uid-2", APP.groups(), Map.of(), null);

        access.mayRead(APP, "a");
        access.mayRead(other, "a");

        assertThat(reviews.accessReviews).hasSize(2);
    }

    private static String jwt(Instant expiry) {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        return encoder.encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
                + encoder.encodeToString(("{\"exp\":" + expiry.getEpochSecond() + "}").getBytes()) + ".sig";
    }

    /**
     * Answers reviews from a script: every token is the app's; namespaces in
     * {@code allowed} are readable.
     */
    private static final class ScriptedReviews implements Reviews {

        final AtomicInteger tokenReviews = new AtomicInteger();

        final List<String> accessReviews = new java.util.concurrent.CopyOnWriteArrayList<>();

        final List<String> allowed = new ArrayList<>();

        volatile boolean down;

        @Override
        public TokenVerdict reviewToken(String token, String audience) {
            if (down) {
                throw new ReviewUnavailableException("down", null);
            }
            tokenReviews.incrementAndGet();
            return TokenVerdict.authenticated(APP);
        }

        @Override
        public boolean allowed(Consumer consumer, ResourceAttributes attributes, String namespace) {
            accessReviews.add(namespace);
            return allowed.contains(namespace);
        }

    }

}
