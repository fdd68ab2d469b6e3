package io.discoverygateway.longpoll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.CatalogListener;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.runtime.Capacity;
import io.discoverygateway.runtime.DaemonThreads;
import io.discoverygateway.runtime.GatewayLifecycle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Long-polling reads: a request waits, without holding a thread, until its topic changes
 * past the revision the client has, or its wait (capped, plus up to 1/16 jitter as Consul
 * does) elapses, or its client leaves.
 *
 * <p>
 * Threads: Jetty's request threads call {@link #await}; the catalog's writer thread calls
 * {@link #onChanges}, which only looks the waiters up and hands their completion to the
 * {@code long-poll} thread, so many waiters on one service never delay a catalog update.
 * That thread also runs the timeouts and, every second, asks each waiter's probe whether
 * its client has gone (it is the only thread that touches a held request's input).
 * Whatever completes a waiter (a change, its timeout, its client leaving, shutdown), the
 * completion and the bookkeeping run once; the waiter map and the counter are concurrent,
 * and a topic's set is created and removed atomically with its first and last waiter.
 */
public final class ChangeWaiters implements CatalogListener, GatewayLifecycle {

    private final CatalogReader catalog;

    private final GatewayProperties.LongPoll properties;

    private final Map<WaitTopic, Set<Waiter>> waiting = new ConcurrentHashMap<>();

    private final Capacity places;

    private final ScheduledExecutorService completer = Executors
        .newSingleThreadScheduledExecutor(DaemonThreads.named("long-poll"));

    private volatile boolean running;

    public ChangeWaiters(CatalogReader catalog, GatewayProperties.LongPoll properties, MeterRegistry registry) {
        this.catalog = catalog;
        this.properties = properties;
        this.places = new Capacity(properties.maxWaiting());
        Gauge.builder("gateway.longpoll.waiting", places, Capacity::held)
            .description("Long-polling requests being held")
            .register(registry);
    }

    /**
     * A future that completes when the topic changes past {@code knownRevision} (a
     * service also by its deletion), when the wait elapses, when {@code clientGone}
     * (asked every second, may be null) says the client has left, or at shutdown; the
     * caller then reads the current state. Completing it from outside (the request ended)
     * releases its place at once. Returns null when the limit of held requests is
     * reached, or while the gateway stops.
     */
    public CompletableFuture<Void> await(WaitTopic topic, long knownRevision, Duration wait,
            BooleanSupplier clientGone) {
        return await(topic, () -> topic.revision(catalog.view()), knownRevision, wait, clientGone);
    }

    /**
     * As {@link #await(WaitTopic, long, Duration, BooleanSupplier)}, for a topic of
     * another source of revisions (the cluster set): {@code revision} reads the topic's
     * current revision, and that source calls {@link #wake} when it changes.
     */
    public CompletableFuture<Void> await(WaitTopic topic, LongSupplier revision, long knownRevision, Duration wait,
            BooleanSupplier clientGone) {
        Capacity.Place place = running ? places.tryTake() : null;
        if (place == null) {
            return null;
        }
        Waiter waiter = new Waiter(topic, clientGone, place);
        waiting.compute(topic, (key, set) -> {
            Set<Waiter> waiters = set != null ? set : ConcurrentHashMap.newKeySet();
            waiters.add(waiter);
            return waiters;
        });
        waiter.future.whenComplete((result, error) -> forget(waiter));
        // Checked after registering, so a change between the caller's read and now is not
        // missed.
        if (revision.getAsLong() > knownRevision) {
            waiter.future.complete(null);
            return waiter.future;
        }
        long millis = Math.min(wait.toMillis(), properties.maxWait().toMillis());
        long jitter = millis >= 16 ? ThreadLocalRandom.current().nextLong(millis / 16) : 0;
        waiter.timeout = completer.schedule(() -> waiter.future.complete(null), millis + jitter, TimeUnit.MILLISECONDS);
        return waiter.future;
    }

    /**
     * On the {@code long-poll} thread: ends the waits whose client has gone, so that
     * their places are free within a second rather than when the wait would have ended.
     */
    private void releaseAbandoned() {
        for (Set<Waiter> waiters : waiting.values()) {
            for (Waiter waiter : waiters) {
                boolean gone;
                try {
                    gone = waiter.clientGone != null && waiter.clientGone.getAsBoolean();
                }
                catch (RuntimeException ex) {
                    gone = true;
                }
                if (gone) {
                    waiter.future.complete(null);
                }
            }
        }
    }

    private void forget(Waiter waiter) {
        ScheduledFuture<?> timeout = waiter.timeout;
        if (timeout != null) {
            timeout.cancel(false);
        }
        waiting.computeIfPresent(waiter.topic, (key, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
        waiter.place.release();
    }

    /**
     * On the catalog's writer thread: finds the waiters of the changed topics, completes
     * them elsewhere.
     */
    @Override
    public void onChanges(CatalogView view, List<ChangeEvent> changes) {
        if (waiting.isEmpty()) {
            return;
        }
        Set<WaitTopic> changed = new HashSet<>();
        Set<String> namespaces = new HashSet<>();
        for (ChangeEvent change : changes) {
            changed.add(new WaitTopic.Service(change.key()));
            changed.add(new WaitTopic.Namespace(change.key().namespace()));
            namespaces.add(change.key().namespace());
        }
        changed.add(new WaitTopic.Everything());
        // Few distinct sets: one per scope of the consumers that long-poll a list.
        for (WaitTopic topic : waiting.keySet()) {
            if (topic instanceof WaitTopic.Namespaces scoped
                    && scoped.namespaces().stream().anyMatch(namespaces::contains)) {
                changed.add(topic);
            }
        }
        List<Waiter> woken = new ArrayList<>();
        for (WaitTopic topic : changed) {
            Set<Waiter> waiters = waiting.get(topic);
            if (waiters != null) {
                woken.addAll(waiters);
            }
        }
        if (!woken.isEmpty()) {
            completer.execute(() -> woken.forEach(waiter -> waiter.future.complete(null)));
        }
    }

    /**
     * Ends the waits on these topics (they changed): for a source of revisions other than
     * the catalog, on its own thread; the completion runs on the {@code long-poll}
     * thread.
     */
    public void wake(Collection<? extends WaitTopic> topics) {
        if (waiting.isEmpty()) {
            return;
        }
        List<Waiter> woken = new ArrayList<>();
        for (WaitTopic topic : topics) {
            Set<Waiter> waiters = waiting.get(topic);
            if (waiters != null) {
                woken.addAll(waiters);
            }
        }
        if (!woken.isEmpty()) {
            completer.execute(() -> woken.forEach(waiter -> waiter.future.complete(null)));
        }
    }

    @Override
    public void start() {
        completer.scheduleWithFixedDelay(this::releaseAbandoned, 1, 1, TimeUnit.SECONDS);
        running = true;
    }

    /**
     * Answers every held request now (as if its wait elapsed), so graceful shutdown does
     * not wait minutes.
     */
    @Override
    public void stop() {
        running = false;
        waiting.values().forEach(set -> set.forEach(waiter -> waiter.future.complete(null)));
        completer.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static final class Waiter {

        final WaitTopic topic;

        final BooleanSupplier clientGone;

        final Capacity.Place place;

        final CompletableFuture<Void> future = new CompletableFuture<>();

        volatile ScheduledFuture<?> timeout;

        Waiter(WaitTopic topic, BooleanSupplier clientGone, Capacity.Place place) {
            this.topic = topic;
            this.clientGone = clientGone;
            this.place = place;
        }

    }

}
