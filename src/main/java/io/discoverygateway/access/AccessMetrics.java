package io.discoverygateway.access;

import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The metrics of one kind of decision (authentication or authorization): decisions by
 * outcome, cache lookups by result, and the latency of the reviews actually sent to the
 * API. All registered at 0.
 */
final class AccessMetrics {

    private final Counter allowed;

    private final Counter denied;

    private final Counter unavailable;

    private final Counter hits;

    private final Counter misses;

    private final Timer reviews;

    AccessMetrics(MeterRegistry registry, String kind) {
        this.allowed = decisions(registry, kind, "allowed");
        this.denied = decisions(registry, kind, "denied");
        this.unavailable = decisions(registry, kind, "unavailable");
        this.hits = lookups(registry, kind, "hit");
        this.misses = lookups(registry, kind, "miss");
        this.reviews = Timer.builder("gateway.auth.review.duration")
            .tag("kind", kind)
            .description("Time taken by the TokenReviews and SubjectAccessReviews the gateway sent")
            .register(registry);
    }

    private static Counter decisions(MeterRegistry registry, String kind, String outcome) {
        return Counter.builder("gateway.auth.decisions")
            .tag("kind", kind)
            .tag("outcome", outcome)
            .description("Consumer authentication and authorization decisions, cached or reviewed")
            .register(registry);
    }

    private static Counter lookups(MeterRegistry registry, String kind, String result) {
        return Counter.builder("gateway.auth.cache.lookups")
            .tag("kind", kind)
            .tag("result", result)
            .description("Lookups of the token and decision caches: a miss sends a review to the API")
            .register(registry);
    }

    <T> T review(Supplier<T> review) {
        return reviews.record(review);
    }

    void lookup(boolean hit) {
        (hit ? hits : misses).increment();
    }

    void decision(boolean allow) {
        (allow ? allowed : denied).increment();
    }

    void unavailable() {
        unavailable.increment();
    }

}
