package io.discoverygateway.kubernetes;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.runtime.DaemonThreads;

/**
 * Confirms that a watch open for longer than a short watch works (a quiet namespace may
 * send no event for minutes), and abandons watches that have gone silent for longer than
 * {@link WatchHealth} allows. Without it a watch whose connection hangs after its headers
 * would freeze the data for ever: the client reads with no timeout, because a healthy
 * watch may rightly be quiet for minutes.
 *
 * <p>
 * Threads: one daemon thread ({@code watch-watchdog}) checks the open watches every
 * {@code checkIntervalMillis}; reflector threads add and remove theirs (a concurrent
 * set).
 */
final class Watchdog implements AutoCloseable {

    private final WatchHealth health;

    private final Set<GuardedWatch<?>> open = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService timer = Executors
        .newSingleThreadScheduledExecutor(DaemonThreads.named("watch-watchdog"));

    Watchdog(WatchHealth health, long checkIntervalMillis) {
        this.health = health;
        timer.scheduleWithFixedDelay(this::check, checkIntervalMillis, checkIntervalMillis, TimeUnit.MILLISECONDS);
    }

    void track(GuardedWatch<?> watch) {
        open.add(watch);
    }

    void forget(GuardedWatch<?> watch) {
        open.remove(watch);
    }

    private void check() {
        for (GuardedWatch<?> watch : open) {
            if (watch.abandonedBecause() == null) {
                String reason = health.abandonReason(watch.silentFor(), watch.bookmarks(), watch.timeoutSeconds());
                if (reason != null) {
                    watch.abandon(reason);
                }
                else if (health.provenByAge(watch.openFor())) {
                    watch.confirmWorks();
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

}
