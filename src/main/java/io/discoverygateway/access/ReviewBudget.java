package io.discoverygateway.access;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * What the gateway may ask of the Kubernetes API on its consumers' behalf, so that
 * neither unauthenticated clients nor a slow API server can exhaust it:
 * <ul>
 * <li>TokenReviews of tokens it does not know yet (which anyone can send) at most
 * {@code rate} per second, with bursts of {@code burst}: beyond, a new token gets 503 and
 * {@code Retry-After}, while known consumers go on. The API server's priority and
 * fairness would otherwise throttle the gateway's own ServiceAccount, and then every
 * consumer without a cached decision.</li>
 * <li>Of those, at most {@code perSourceRate} per second (bursts of twice that) from one
 * client address, so that one client sending new tokens cannot spend the whole budget and
 * keep other clients' new consumers out. The addresses seen lately are kept, at most
 * {@value #SOURCES} of them.</li>
 * <li>At most {@code inFlight} requests waiting for reviews at once: on Java 17 each is a
 * blocked request thread (for up to the review timeout while the API is slow), so without
 * this bound they could take the whole request pool.</li>
 * </ul>
 * A token bucket and a semaphore; thread-safe, and a pure rule given its clock.
 */
final class ReviewBudget {

    /** Why a review was not made now; the request gets 503 with Retry-After. */
    static final class BusyException extends Reviews.ReviewUnavailableException {

        private final String reason;

        BusyException(String reason, String message) {
            super(message, null);
            this.reason = reason;
        }

        /**
         * {@code new-token-rate}, {@code new-token-source-rate} or
         * {@code reviews-in-flight}, as counted in the refusals metric.
         */
        String reason() {
            return reason;
        }

    }

    static final int SOURCES = 10_000;

    private final double ratePerNano;

    private final double burst;

    private final LongSupplier nanoClock;

    private final Semaphore inFlight;

    /** Per second, for one address; 0: no per-address bound. */
    private final int perSourceRate;

    /** Guarded by this, as the buckets in it. */
    private final Cache<String, Bucket> sources = Caffeine.newBuilder()
        .maximumSize(SOURCES)
        .expireAfterAccess(Duration.ofMinutes(1))
        .build();

    private final Bucket global;

    /** A budget without a bound per client address. */
    ReviewBudget(double ratePerSecond, int burst, int inFlight, LongSupplier nanoClock) {
        this(ratePerSecond, burst, 0, inFlight, nanoClock);
    }

    ReviewBudget(double ratePerSecond, int burst, int perSourceRate, int inFlight, LongSupplier nanoClock) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.perSourceRate = perSourceRate;
        this.nanoClock = nanoClock;
        this.inFlight = new Semaphore(inFlight);
        this.global = new Bucket(burst, nanoClock.getAsLong());
    }

    /** {@link #newToken(String)} of a request whose client address is unknown. */
    void newToken() {
        newToken(null);
    }

    /**
     * Takes one new-token review from the client address's bucket and from the gateway's,
     * or throws {@link BusyException} when either is empty (then neither is taken from).
     * @param source the client's address, or null when unknown
     */
    synchronized void newToken(String source) {
        long now = nanoClock.getAsLong();
        global.refill(now, ratePerNano, burst);
        Bucket own = null;
        if (source != null && perSourceRate > 0) {
            own = sources.get(source, address -> new Bucket(2.0 * perSourceRate, now));
            own.refill(now, perSourceRate / 1e9, 2.0 * perSourceRate);
            if (own.tokens < 1) {
                throw new BusyException("new-token-source-rate",
                        "The gateway reviews at most " + perSourceRate
                                + " new tokens per second from one client address, and " + source
                                + " has sent that many; retry in a second");
            }
        }
        if (global.tokens < 1) {
            throw new BusyException("new-token-rate", "The gateway is reviewing as many new tokens per second as it"
                    + " may ask the Kubernetes API to; retry in a second");
        }
        global.tokens--;
        if (own != null) {
            own.tokens--;
        }
    }

    /** A token bucket's state; guarded by the budget's monitor. */
    private static final class Bucket {

        double tokens;

        long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        void refill(long now, double perNano, double capacity) {
            tokens = Math.min(capacity, tokens + (now - refilledAt) * perNano);
            refilledAt = now;
        }

    }

    /**
     * Runs a wait for reviews in one of the in-flight places, or throws
     * {@link BusyException} when none is free.
     */
    <T> T inFlight(Supplier<T> reviews) {
        if (!inFlight.tryAcquire()) {
            throw new BusyException("reviews-in-flight", "The gateway is waiting for as many reviews by the"
                    + " Kubernetes API as it allows at once; retry in a second");
        }
        try {
            return reviews.get();
        }
        finally {
            inFlight.release();
        }
    }

}
