package io.discoverygateway.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.Reviews.TokenVerdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Turns a bearer token into a {@link Consumer} with a TokenReview, remembered: a success
 * until the token expires or {@code token-ttl} passes, whichever is sooner; a refusal for
 * {@code deny-ttl}. Concurrent requests with the same unknown token wait for one review.
 * Tokens are kept only as their SHA-256 digest. An API that does not answer is not
 * remembered: the request fails closed, and the next one asks again. Reviews of tokens
 * not seen before are bounded by the {@link ReviewBudget}.
 *
 * <p>
 * Threads: called on request threads and the stream's access-check thread; the cache is
 * thread-safe.
 */
public final class ConsumerAuthenticator {

    private static final MessageDigest SHA256 = sha256();

    private final Reviews reviews;

    private final GatewayProperties.Auth properties;

    private final Clock clock;

    private final Cache<String, TokenVerdict> verdicts;

    private final AccessMetrics metrics;

    private final Counter emptyScopes;

    private final ReviewBudget budget;

    private final Counter newTokenRate;

    private final Counter newTokenSourceRate;

    private final Counter reviewsInFlight;

    ConsumerAuthenticator(Reviews reviews, GatewayProperties.Auth properties, Clock clock, MeterRegistry registry,
            ReviewBudget budget) {
        this.reviews = reviews;
        this.budget = budget;
        this.newTokenRate = refusals(registry, "new-token-rate",
                "Requests with a token not seen before refused" + " with 503: new-token-reviews-per-second reached");
        this.newTokenSourceRate = refusals(registry, "new-token-source-rate", "Requests with a token not seen before"
                + " refused with 503: new-token-reviews-per-source reached for their client address");
        this.reviewsInFlight = refusals(registry, "reviews-in-flight",
                "Requests refused with 503: as many" + " requests as max-reviews-in-flight were waiting for reviews");
        this.properties = properties;
        this.clock = clock;
        this.metrics = new AccessMetrics(registry, "authentication");
        this.emptyScopes = Counter.builder("gateway.auth.refusals")
            .tag("reason", "empty-scope")
            .description("Authenticated requests refused before they took a place: the consumer may read no"
                    + " watched namespace")
            .register(registry);
        this.verdicts = Caffeine.newBuilder()
            .maximumSize(properties.cacheSize())
            .expireAfter(new VerdictExpiry())
            .build();
    }

    /** {@link #authenticate(String, String)} from an unknown address. */
    TokenVerdict authenticate(String token) {
        return authenticate(token, null);
    }

    /**
     * The consumer the token stands for, or a refusal. Throws
     * {@link Reviews.ReviewUnavailableException} when the token is not known and the API
     * cannot review it.
     * @param source the client's address (a new token's review counts against it), or
     * null
     */
    TokenVerdict authenticate(String token, String source) {
        String implausible = TokenShape.problem(token);
        if (implausible != null) {
            // Refused without a review or a cache entry: garbage costs the API nothing
            // and evicts no real token.
            metrics.decision(false);
            return TokenVerdict.refused(implausible);
        }
        boolean[] reviewed = new boolean[1];
        TokenVerdict verdict = verdicts.get(digest(token), key -> {
            reviewed[0] = true;
            budget.newToken(source);
            return budget.inFlight(() -> metrics.review(() -> review(token)));
        });
        metrics.lookup(!reviewed[0]);
        if (verdict.isAuthenticated() && verdict.consumer().expiredAt(clock.instant())) {
            verdict = TokenVerdict.refused("the token has expired");
        }
        metrics.decision(verdict.isAuthenticated());
        return verdict;
    }

    void unavailable() {
        metrics.unavailable();
    }

    void emptyScopeRefused() {
        emptyScopes.increment();
    }

    /** Counts a request refused because the review budget was spent. */
    void busy(ReviewBudget.BusyException busy) {
        switch (busy.reason()) {
            case "new-token-rate" -> newTokenRate.increment();
            case "new-token-source-rate" -> newTokenSourceRate.increment();
            default -> reviewsInFlight.increment();
        }
    }

    private static Counter refusals(MeterRegistry registry, String reason, String description) {
        return Counter.builder("gateway.auth.refusals")
            .tag("reason", reason)
            .description(description)
            .register(registry);
    }

    private TokenVerdict review(String token) {
        TokenVerdict verdict = reviews.reviewToken(token, properties.audience());
        if (!verdict.isAuthenticated()) {
            return verdict;
        }
        Consumer consumer = verdict.consumer();
        return TokenVerdict.authenticated(new Consumer(consumer.username(), consumer.uid(), consumer.groups(),
                consumer.extra(), TokenExpiry.of(token)));
    }

    /**
     * The cache key of a token: its SHA-256, so that no token is kept (as the API
     * server's own token cache does).
     */
    private static String digest(String token) {
        try {
            // A clone of a prototype skips the provider lookup of getInstance on every
            // request.
            MessageDigest sha256 = (MessageDigest) SHA256.clone();
            return HexFormat.of().formatHex(sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (CloneNotSupportedException ex) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", ex);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every JDK", ex);
        }
    }

    /**
     * A success lasts until the token's expiry or the TTL; a refusal for the deny TTL.
     */
    private final class VerdictExpiry implements Expiry<String, TokenVerdict> {

        @Override
        public long expireAfterCreate(String key, TokenVerdict verdict, long currentTime) {
            if (!verdict.isAuthenticated()) {
                return properties.denyTtl().toNanos();
            }
            Duration ttl = properties.tokenTtl();
            Instant expiresAt = verdict.consumer().expiresAt();
            if (expiresAt != null) {
                Duration left = Duration.between(clock.instant(), expiresAt);
                ttl = left.isNegative() ? Duration.ZERO : left.compareTo(ttl) < 0 ? left : ttl;
            }
            return ttl.toNanos();
        }

        @Override
        public long expireAfterUpdate(String key, TokenVerdict verdict, long currentTime, long currentDuration) {
            return expireAfterCreate(key, verdict, currentTime);
        }

        @Override
        public long expireAfterRead(String key, TokenVerdict verdict, long currentTime, long currentDuration) {
            return currentDuration;
        }

    }

}
