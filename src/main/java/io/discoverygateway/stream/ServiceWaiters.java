package io.discoverygateway.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.CatalogListener;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.SmartLifecycle;

/**
 * Long-polling reads: a request waits, without holding a thread, until its service changes past the revision the
 * client has, or its wait (capped, plus up to 1/16 jitter as Consul does) elapses.
 */
public final class ServiceWaiters implements CatalogListener, SmartLifecycle {

    private final Catalog catalog;
    private final GatewayProperties.LongPoll properties;
    private final Map<ServiceKey, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean running;

    public ServiceWaiters(Catalog catalog, GatewayProperties.LongPoll properties, MeterRegistry registry) {
        this.catalog = catalog;
        this.properties = properties;
        Gauge.builder("gateway.longpoll.waiting", count, AtomicInteger::get)
                .description("Long-polling requests being held")
                .register(registry);
        catalog.addListener(this);
    }

    /**
     * Completes when the service changes past {@code knownRevision} (or is deleted), or when the wait elapses; the
     * caller then reads the current state. Returns null when the limit of held requests is reached.
     */
    public CompletableFuture<Void> await(ServiceKey key, long knownRevision, Duration wait) {
        if (!running || count.incrementAndGet() > properties.maxWaiting()) {
            count.decrementAndGet();
            return null;
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        Set<CompletableFuture<Void>> set = waiting.computeIfAbsent(key,
                k -> ConcurrentHashMap.newKeySet());
        set.add(future);
        future.whenComplete((result, error) -> {
            count.decrementAndGet();
            set.remove(future);
        });
        // Checked after registering, so a change between the caller's read and now is not missed.
        Optional<ServiceSnapshot> current = catalog.view().find(key);
        if (current.isEmpty() || current.get().revision() > knownRevision) {
            future.complete(null);
        }
        else {
            long millis = Math.min(wait.toMillis(), properties.maxWait().toMillis());
            long jitter = millis >= 16 ? ThreadLocalRandom.current().nextLong(millis / 16) : 0;
            future.completeOnTimeout(null, millis + jitter, TimeUnit.MILLISECONDS);
        }
        return future;
    }

    @Override
    public void onChanges(CatalogView view, List<ChangeEvent> changes) {
        for (ChangeEvent change : changes) {
            Set<CompletableFuture<Void>> set = waiting.get(change.key());
            if (set != null) {
                set.forEach(future -> future.complete(null));
            }
        }
    }

    @Override
    public void start() {
        running = true;
    }

    /** Answers every held request now (as if its wait elapsed), so graceful shutdown does not wait minutes. */
    @Override
    public void stop() {
        running = false;
        waiting.values().forEach(set -> set.forEach(future -> future.complete(null)));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
