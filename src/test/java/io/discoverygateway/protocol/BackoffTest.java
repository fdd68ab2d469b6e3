package io.discoverygateway.protocol;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The back-off the gateway's watches and the client library's stream share. */
class BackoffTest {

    @Test
    void noWaitAfterAHealthyConnectionThenDoublingUpToTheMaximumWithJitter() {
        Backoff highest = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 1.0);
        Backoff lowest = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.0);

        assertThat(highest.delay(0)).isZero();
        assertThat(highest.delay(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(highest.delay(3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(highest.delay(60)).isEqualTo(Duration.ofSeconds(30));
        assertThat(lowest.delay(3)).isEqualTo(Duration.ofSeconds(1));
    }

}
