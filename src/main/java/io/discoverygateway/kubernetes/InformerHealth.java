package io.discoverygateway.kubernetes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.discoverygateway.catalog.DataFreshness;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the informers can currently see the API: an informer whose last list or watch
 * failed makes the data stale from its first failure in a row until a list succeeds or a
 * watch delivers again. One warning per episode of failures (the reason of the first),
 * one line when it ends.
 *
 * <p>
 * Threads: reflector threads report outcomes; request and health threads read
 * {@link #staleFor}. The map is concurrent and an episode starts and ends atomically per
 * informer.
 */
final class InformerHealth implements ListWatchMonitor, DataFreshness {

    private static final Logger log = LoggerFactory.getLogger(InformerHealth.class);

    private final Clock clock;

    private final MeterRegistry registry;

    /**
     * Informers whose last list or watch failed, with the time of the first failure in a
     * row.
     */
    private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();

    /** The reason of the latest failure (read only while some informer is failing). */
    private volatile String lastReason;

    InformerHealth(Clock clock, MeterRegistry registry) {
        this.clock = clock;
        this.registry = registry;
    }

    @Override
    public void succeeded(String informer) {
        Instant since = failingSince.remove(informer);
        if (since != null) {
            log.info("List/watch of {} works again after {} s", informer,
                    Duration.between(since, clock.instant()).toSeconds());
        }
    }

    /**
     * Registers the informer's failure counter at 0, so that rates and alerts have a
     * series from the start.
     */
    void track(String informer) {
        failures(informer);
    }

    private Counter failures(String informer) {
        return Counter.builder("gateway.kubernetes.failures")
            .description("Lists and watches that failed (errors, refused connections, watches closed at once or"
                    + " gone silent); each is followed by a back-off")
            .tag("informer", informer)
            .register(registry);
    }

    @Override
    public void failed(String informer, String reason) {
        failures(informer).increment();
        lastReason = informer + ": " + reason;
        if (failingSince.putIfAbsent(informer, clock.instant()) == null) {
            log.warn("List/watch of {} failed ({}); retrying with back-off, data marked stale until it works again",
                    informer, reason);
        }
        else {
            log.debug("List/watch of {} failed again: {}", informer, reason);
        }
    }

    /** Stale while any informer cannot list or watch, counted from its first failure. */
    @Override
    public Optional<Duration> staleFor() {
        return staleSince().map(since -> Duration.between(since, clock.instant()));
    }

    /** The first failure of the informers that cannot list or watch now. */
    Optional<Instant> staleSince() {
        return failingSince.values().stream().min(Instant::compareTo);
    }

    /** Why the data is stale (the latest failure), or null when it is not. */
    String staleReason() {
        return failingSince.isEmpty() ? null : lastReason;
    }

}
