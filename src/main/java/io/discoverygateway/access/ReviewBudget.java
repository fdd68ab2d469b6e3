package io.discoverygateway.access;

import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the gateway may ask of the Kubernetes API on its consumers' behalf, so that
 * neither unauthenticated clients nor a slow API server can exhaust it:
 * <ul>
 * <li>TokenReviews of tokens it does not know yet (which anyone can send) at most
 * {@code rate} per second, with bursts of {@code burst}: beyond, a new token gets 503 and
 * {@code Retry-After}, while known consumers go on. The API server's priority and
 * fairness would otherwise throttle the gateway's own ServiceAccount, and then every
 * consumer without a cached decision.</li>
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
         * {@code new-token-rate} or {@code reviews-in-flight}, as counted in the refusals
         * metric.
         */
        String reason() {
            return reason;
        }

    }

    private final double ratePerNano;

    private final double burst;

    private final LongSupplier nanoClock;

    private final Semaphore inFlight;

    private double tokens;

    private long refilledAt;

    ReviewBudget(double ratePerSecond, int burst, int inFlight, LongSupplier nanoClock) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.inFlight = new Semaphore(inFlight);
        this.tokens = burst;
        this.refilledAt = nanoClock.getAsLong();
    }

    /**
     * Takes one new-token review from the bucket, or throws {@link BusyException} when it
     * is empty.
     */
    synchronized void newToken() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
        refilledAt = now;
        if (tokens < 1) {
            throw new BusyException("new-token-rate", "The gateway is reviewing as many new tokens per second as it"
                    + " may ask the Kubernetes API to; retry in a second");
        }
        tokens--;
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
