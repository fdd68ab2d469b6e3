package io.discoverygateway.kubernetes;

import java.time.Duration;

/**
 * The rules that judge a watch, apart from the threads and I/O that run it: a watch that
 * ends quickly without a single event or bookmark is a failure (a proxy or load balancer
 * that answers 200 and closes, an API server shutting down), and so is one that stays
 * silent for longer than its server should let it. Failures are what drives the back-off
 * and the staleness of the data.
 *
 * @param shortWatch a watch that ends sooner than this without any event counts as a
 * failure
 * @param minInterval the least time between the starts of two watches of one informer,
 * whatever their outcome: the API server never sees more than one watch a second from an
 * informer, even from a watch that delivers an event and closes at once
 * @param idleTimeout with bookmarks requested, a watch silent for longer than this is
 * abandoned (zero: only the next rule applies)
 * @param timeoutMargin a watch silent for longer than its requested
 * {@code timeoutSeconds} plus this is abandoned: the server should have ended it
 */
record WatchHealth(Duration shortWatch, Duration minInterval, Duration idleTimeout, Duration timeoutMargin) {

    /** Why a watch that has just ended counts as a failure, or null when it does not. */
    String failureOnEnd(long events, Duration open) {
        if (events == 0 && open.compareTo(shortWatch) < 0) {
            return "the watch ended after " + open.toMillis() + " ms without any event";
        }
        return null;
    }

    /**
     * An open watch that has outlived a short watch works, even if nothing has happened
     * to send yet.
     */
    boolean provenByAge(Duration open) {
        return open.compareTo(shortWatch) >= 0;
    }

    /**
     * Why an open watch must be abandoned, or null while it may go on.
     * @param silent how long since the watch last delivered anything (or since it opened)
     * @param timeoutSeconds the timeout the watch asked its server for, null for none
     */
    String abandonReason(Duration silent, boolean bookmarks, Integer timeoutSeconds) {
        if (bookmarks && !idleTimeout.isZero() && silent.compareTo(idleTimeout) > 0) {
            return "the watch sent nothing, not even a bookmark, for " + silent.toSeconds() + " s";
        }
        if (timeoutSeconds != null && silent.compareTo(Duration.ofSeconds(timeoutSeconds).plus(timeoutMargin)) > 0) {
            return "the watch sent nothing for " + silent.toSeconds() + " s, longer than its timeout of "
                    + timeoutSeconds + " s";
        }
        return null;
    }

    /**
     * How long to wait before the next watch so that starts are at least
     * {@link #minInterval} apart.
     */
    Duration delayBeforeNextWatch(Duration sinceLastStart) {
        Duration left = minInterval.minus(sinceLastStart);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
