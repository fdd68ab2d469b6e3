package io.discoverygateway.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.protocol.ReauthenticateReason;
import io.discoverygateway.runtime.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the access of authenticated streams again while they are open. A stream whose
 * token expired or is refused ends with REAUTHENTICATE. Then, per consumer identity, the
 * namespaces its streams hold are asked again of Kubernetes, so that a revoked binding
 * shows within one interval: a stream whose readable namespaces changed is rescoped on
 * the fan-out thread, in order with the batches up to the view it is computed against;
 * one that may read nothing any more loses every service (DELETED, access-revoked) and
 * ends with REAUTHENTICATE {@code access-revoked}.
 *
 * <p>
 * Threads: one {@code stream-access} thread runs each round every
 * {@code recheckInterval}; four {@code stream-access-check} threads ask Kubernetes about
 * one identity each at a time (reviews may block on the API, so never on the hub's
 * timer). Rescopes are handed to the fan-out ({@code toFanout}). Holds no state of its
 * own between rounds.
 */
final class StreamAccessChecks {

    private static final Logger log = LoggerFactory.getLogger(StreamAccessChecks.class);

    private final CatalogReader catalog;

    private final Duration recheckInterval;

    private final StreamMetrics metrics;

    /** Queues a task on the fan-out thread, in order with the batches. */
    private final Consumer<Runnable> toFanout;

    private final ScheduledExecutorService rounds = Executors
        .newSingleThreadScheduledExecutor(DaemonThreads.named("stream-access"));

    /**
     * Re-checks the consumer identities of one round side by side, so that many
     * identities fit in an interval.
     */
    private final ExecutorService identityChecks = Executors.newFixedThreadPool(4,
            DaemonThreads.named("stream-access-check"));

    StreamAccessChecks(CatalogReader catalog, Duration recheckInterval, StreamMetrics metrics,
            Consumer<Runnable> toFanout) {
        this.catalog = catalog;
        this.recheckInterval = recheckInterval;
        this.metrics = metrics;
        this.toFanout = toFanout;
    }

    void start(Collection<Subscriber> subscribers) {
        long interval = recheckInterval.toMillis();
        rounds.scheduleWithFixedDelay(() -> recheck(subscribers), interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop() {
        rounds.shutdownNow();
        identityChecks.shutdownNow();
    }

    /** On the {@code stream-access} thread: one round over every open stream. */
    private void recheck(Collection<Subscriber> subscribers) {
        long started = System.nanoTime();
        Map<String, List<Subscriber>> byIdentity = new HashMap<>();
        for (Subscriber subscriber : subscribers) {
            ReadAccess access = subscriber.access();
            if (access.consumer().isPresent() && !endIfRefused(subscriber)) {
                byIdentity.computeIfAbsent(access.identity(), identity -> new ArrayList<>()).add(subscriber);
            }
        }
        List<Future<?>> checks = new ArrayList<>(byIdentity.size());
        for (List<Subscriber> streams : byIdentity.values()) {
            checks.add(identityChecks.submit(() -> recheckIdentity(streams)));
        }
        for (Future<?> check : checks) {
            try {
                check.get();
            }
            catch (ExecutionException ex) {
                log.warn("Re-checking streams' access failed", ex.getCause());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        metrics.accessRechecked(byIdentity.size(), System.nanoTime() - started);
    }

    /** On a {@code stream-access-check} thread: one identity's streams. */
    private void recheckIdentity(List<Subscriber> streams) {
        NamespaceScope held = held(streams);
        NamespaceScope scope;
        try {
            scope = streams.get(0).access().recheckScope(catalog.view(), held);
        }
        catch (RuntimeException unavailable) {
            // The API does not answer: the streams keep what was last decided (cached
            // decisions hold).
            return;
        }
        for (Subscriber subscriber : streams) {
            if (scope.equals(subscriber.filter().readable())) {
                continue;
            }
            metrics.rescoped();
            boolean nothingLeft = !scope.everything() && scope.namespaces().isEmpty();
            catalog.afterPending(() -> {
                CatalogView view = catalog.view();
                toFanout.accept(() -> {
                    subscriber.rescope(scope, view);
                    if (nothingLeft) {
                        subscriber.finish(SseFrames.reauthenticate(ReauthenticateReason.ACCESS_REVOKED));
                    }
                    subscriber.scheduleDrain();
                });
            });
        }
    }

    /**
     * What an identity's streams may read between them (each holds the scope it was last
     * given).
     */
    private static NamespaceScope held(List<Subscriber> streams) {
        Set<String> namespaces = new HashSet<>();
        for (Subscriber subscriber : streams) {
            NamespaceScope readable = subscriber.filter().readable();
            if (readable.everything()) {
                return NamespaceScope.EVERYTHING;
            }
            namespaces.addAll(readable.namespaces());
        }
        return NamespaceScope.of(namespaces);
    }

    /**
     * Ends the stream with REAUTHENTICATE when its token has expired or is refused now;
     * returns whether it did. Also run by the hub's timer at the token's expiry.
     */
    static boolean endIfRefused(Subscriber subscriber) {
        Optional<ReauthenticateReason> reason = subscriber.access().endReason(Instant.now());
        if (reason.isEmpty()) {
            return false;
        }
        log.debug("Ending stream {}: {}", subscriber.id(), reason.get());
        subscriber.finish(SseFrames.reauthenticate(reason.get()));
        subscriber.scheduleDrain();
        return true;
    }

}
