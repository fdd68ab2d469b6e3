package io.discoverygateway.stream;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.CatalogListener;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.Revisions;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Fans catalog changes out to the open streams. The catalog's writer thread hands each batch to
 * {@link #onChanges}, which only queues events on the matching subscribers and schedules their drains; a small
 * pool writes with non-blocking I/O. A new stream is registered on the writer thread too, so its initial snapshot
 * (or resume) and the live events after it join without a gap or an overlap.
 */
public final class StreamHub implements CatalogListener, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

    private final Catalog catalog;
    private final GatewayProperties.Stream properties;
    private final ChangeJournal journal;
    private final Map<Long, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final StreamMetrics metrics;
    private final ExecutorService writers = Executors.newFixedThreadPool(2, daemon("sse-writer"));
    /** One thread, so batches reach every subscriber in revision order, without holding up the catalog's writer. */
    private final ExecutorService fanout = Executors.newSingleThreadExecutor(daemon("sse-fanout"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("sse-timer"));
    private volatile boolean running;

    private final SnapshotEncoder encoder;

    public StreamHub(Catalog catalog, SnapshotEncoder encoder, GatewayProperties.Stream properties,
            MeterRegistry registry) {
        this.catalog = catalog;
        this.encoder = encoder;
        this.properties = properties;
        this.journal = new ChangeJournal(properties.journalSize());
        this.metrics = new StreamMetrics(registry, subscribers::size);
        catalog.addListener(this);
    }

    /** Takes a place for a new stream, or false when {@code max-subscribers} are open. */
    boolean reserve() {
        if (!running) {
            return false;
        }
        if (reserved.incrementAndGet() > properties.maxSubscribers()) {
            reserved.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Opens a stream on a request whose response headers are set: starts async processing and registers the
     * subscriber. {@code resumeToken} is the client's last event id, or null.
     */
    void open(HttpServletRequest request, ServletOutputStream out, StreamFilter filter, String resumeToken)
            throws IOException {
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        long id = ids.incrementAndGet();
        String epoch = catalog.epoch();
        Subscriber.FrameEncoder frames = filter.podSelector().isEverything()
                ? (type, snapshot) -> SseFrames.service(type, snapshot, epoch)
                : (type, snapshot) -> SseFrames.service(type, snapshot, epoch,
                        encoder.document(snapshot, filter::keeps));
        Subscriber subscriber = new Subscriber(id, filter, frames, async, out, writers, metrics, () -> release(id));
        async.addListener(subscriber);
        subscriber.enqueueSealed(SseFrames.retry(properties.retry().toMillis()));
        out.setWriteListener(subscriber);
        catalog.afterPending(() -> register(subscriber, resumeToken));
    }

    /** Called once per subscriber, when it closes, whether or not it was registered yet. */
    private void release(long id) {
        subscribers.remove(id);
        reserved.decrementAndGet();
    }

    /** On the writer thread: what the client is missing, then SYNCED; from now on it gets live changes. */
    private void register(Subscriber subscriber, String resumeToken) {
        CatalogView view = catalog.view();
        OptionalLong since = Revisions.parse(resumeToken, catalog.epoch());
        List<ChangeJournal.Entry> missed = since.isPresent() ? journal.after(since.getAsLong(), view.revision())
                : null;
        if (missed != null) {
            resume(subscriber, missed, view);
        }
        else {
            if (resumeToken != null) {
                subscriber.enqueueSealed(SseFrames.reset(resetReason(resumeToken, view)));
            }
            for (ServiceSnapshot snapshot : view.services()) {
                if (subscriber.filter().matches(snapshot)) {
                    subscriber.enqueueSealed(ChangeType.ADDED, snapshot);
                }
            }
        }
        subscriber.enqueueSealed(SseFrames.synced(catalog.epoch(), view.revision()));
        // Batches up to this revision may still be on their way through the fan-out: they are in the snapshot.
        subscriber.liveAfter(view.revision());
        subscribers.put(subscriber.id(), subscriber);
        if (subscriber.isClosed()) {
            // The client left before it was registered: its close could not remove it yet.
            subscribers.remove(subscriber.id());
            return;
        }
        subscriber.scheduleDrain();
    }

    private String resetReason(String token, CatalogView view) {
        OptionalLong revision = Revisions.parse(token, view.epoch());
        if (revision.isEmpty()) {
            return "unknown-event-id";
        }
        return revision.getAsLong() > view.revision() ? "event-id-ahead" : "event-id-expired";
    }

    /**
     * For each service changed since the client's id, its latest state once, in revision order: the current state
     * from the view, or the last state of a deleted one.
     */
    private void resume(Subscriber subscriber, List<ChangeJournal.Entry> missed, CatalogView view) {
        Map<ServiceKey, ChangeJournal.Entry> first = new HashMap<>();
        Map<ServiceKey, ChangeJournal.Entry> last = new LinkedHashMap<>();
        for (ChangeJournal.Entry entry : missed) {
            first.putIfAbsent(entry.key(), entry);
            last.remove(entry.key());
            last.put(entry.key(), entry);
        }
        StreamFilter filter = subscriber.filter();
        for (ChangeJournal.Entry entry : last.values()) {
            Map<String, String> labelsBefore = first.get(entry.key()).labelsBefore();
            boolean matchedBefore = labelsBefore != null && filter.matches(entry.key(), labelsBefore);
            ServiceSnapshot now = entry.type() == ChangeType.DELETED ? null : view.find(entry.key()).orElse(null);
            if (now != null && filter.matches(now)) {
                subscriber.enqueueSealed(matchedBefore ? ChangeType.MODIFIED : ChangeType.ADDED, now);
            }
            else if (matchedBefore) {
                subscriber.enqueueSealed(ChangeType.DELETED, now != null ? now : entry.tombstone());
            }
        }
    }

    /** On the catalog's writer thread: journals the batch (resumes read it there) and hands it to the fan-out. */
    @Override
    public void onChanges(CatalogView view, List<ChangeEvent> changes) {
        journal.append(changes);
        if (!subscribers.isEmpty()) {
            fanout.execute(() -> deliver(changes));
        }
    }

    /** Queues the batch's matching events on every subscriber, one lock per subscriber, then one drain each. */
    private void deliver(List<ChangeEvent> changes) {
        for (Subscriber subscriber : subscribers.values()) {
            if (subscriber.enqueueLive(changes)) {
                subscriber.scheduleDrain();
            }
        }
    }

    private void heartbeat() {
        for (Subscriber subscriber : subscribers.values()) {
            subscriber.heartbeat();
            subscriber.scheduleDrain();
        }
    }

    private void dropStalled() {
        long timeout = properties.stallTimeout().toNanos();
        for (Subscriber subscriber : subscribers.values()) {
            if (subscriber.stalledFor(timeout)) {
                log.info("Dropping stream {}: its client accepted nothing for {} ({} events waiting)",
                        subscriber.id(), properties.stallTimeout(), subscriber.pendingCount());
                metrics.droppedSlow();
                subscriber.close();
            }
        }
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    @Override
    public void start() {
        long heartbeat = properties.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        long sweep = Math.max(50, Math.min(1000, properties.stallTimeout().toMillis() / 4));
        timer.scheduleWithFixedDelay(this::dropStalled, sweep, sweep, TimeUnit.MILLISECONDS);
        running = true;
    }

    /**
     * Completes every open stream so that clients reconnect (to another replica) at once: runs before the web
     * server's graceful shutdown, which would otherwise wait for these never-ending responses.
     */
    @Override
    public void stop() {
        running = false;
        subscribers.values().forEach(Subscriber::close);
        timer.shutdownNow();
        fanout.shutdownNow();
        writers.shutdown();
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

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
