package io.discoverygateway.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next connection attempt: nothing after a healthy connection ended (a gateway going
 * away: the next one is tried at once), then exponential from {@code initial} up to {@code max}, with jitter
 * (half to all of the step), so that many clients of a restarted gateway do not reconnect in step.
 */
record Backoff(Duration initial, Duration max, DoubleSupplier random) {

    /** @param failures connection attempts that failed (or ended too soon) since the last healthy one */
    Duration delay(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        long step = initial.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(step, max.toMillis());
        return Duration.ofMillis((long) (capped * (0.5 + random.getAsDouble() / 2)));
    }
}
