package io.discoverygateway.protocol;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next attempt after failures in a row: exponential from
 * {@code initial} up to {@code max}, with jitter (half to all of the step) so that many
 * clients of one restarted server do not retry in step; nothing before the first failure.
 * The gateway's watches of the Kubernetes API and the client library's stream both retry
 * by it.
 *
 * @param random a source of doubles in [0, 1)
 */
public record Backoff(Duration initial, Duration max, DoubleSupplier random) {

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("back-off from " + initial + " up to " + max);
        }
    }

    /**
     * @param failures attempts that failed since the last success
     */
    public Duration delay(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        long step = Math.min(max.toMillis(), initial.toMillis() << Math.min(failures - 1, 20));
        return Duration.ofMillis((long) (step * (0.5 + random.getAsDouble() / 2)));
    }
}
