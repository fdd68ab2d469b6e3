package io.discoverygateway.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogListener;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.protocol.ResetReason;
import io.discoverygateway.runtime.Capacity;
import io.discoverygateway.runtime.DaemonThreads;
import io.discoverygateway.runtime.GatewayLifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Fans catalog changes out to the open streams, journals them for resumes, and runs the
 * streams' lifecycle (places, heartbeats, stalls, token expiry). How events are encoded
 * is {@link StreamFrames}'; access re-checks are {@link StreamAccessChecks}'.
 *
 * <p>
 * Threads: the catalog's writer thread calls {@link #onChanges} (journal append, then a
 * hand-off to the fan-out) and runs {@link #register} for each new stream, so a stream's
 * snapshot or resume is taken from the same view the journal describes, and joins the
 * live events without a gap or an overlap; the journal is touched on that thread only.
 * One fan-out thread ({@code sse-fanout}) queues each batch on the matching subscribers,
 * in revision order. Two writer threads ({@code sse-writer}) drain subscribers with
 * non-blocking I/O. One timer thread ({@code sse-timer}) queues heartbeats, drops stalled
 * streams and ends streams whose token expires. {@link StreamAccessChecks} checks
 * authenticated streams' access again on threads of its own. Jetty's request threads call
 * {@link #reserve} and {@link #open}. The subscriber map and the reservation counter are
 * concurrent; each {@link Subscriber} guards its own state.
 */
public final class StreamHub implements CatalogListener, GatewayLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

    private final CatalogReader catalog;

    private final GatewayProperties.Stream properties;

    private final ChangeJournal journal;

    private final Map<Long, Subscriber> subscribers = new ConcurrentHashMap<>();

    private final Capacity places;

    private final AtomicLong ids = new AtomicLong();

    private final StreamMetrics metrics;

    private final ExecutorService writers = Executors.newFixedThreadPool(2, DaemonThreads.named("sse-writer"));

    /**
     * Batches for the one fan-out thread, so that they reach every subscriber in revision
     * order without holding up the catalog's writer; bounded (see {@link FanoutQueue}).
     */
    private final FanoutQueue fanout;

    private final Thread fanoutThread;

    private final ScheduledExecutorService timer = Executors
        .newSingleThreadScheduledExecutor(DaemonThreads.named("sse-timer"));

    private final StreamFrames frames;

    private final StreamAccessChecks accessChecks;

    private volatile boolean running;

    public StreamHub(CatalogReader catalog, SnapshotEncoder encoder, GatewayProperties.Stream properties,
            Duration recheckInterval, MeterRegistry registry) {
        this(catalog, encoder, properties, recheckInterval, registry, "gateway.stream");
    }

    /**
     * @param metricPrefix the names of its metrics: {@code gateway.stream}, or
     * {@code gateway.clusterset.stream} for the cluster set's stream
     */
    public StreamHub(CatalogReader catalog, SnapshotEncoder encoder, GatewayProperties.Stream properties,
            Duration recheckInterval, MeterRegistry registry, String metricPrefix) {
        this.catalog = catalog;
        this.properties = properties;
        this.journal = new ChangeJournal(properties.journalSize());
        this.metrics = new StreamMetrics(registry, metricPrefix, subscribers::size);
        this.fanout = new FanoutQueue(properties.fanoutQueue());
        this.places = new Capacity(properties.maxSubscribers());
        this.fanoutThread = DaemonThreads.named("sse-fanout").newThread(this::fanOut);
        this.frames = new StreamFrames(catalog.epoch(), encoder, metrics);
        this.accessChecks = new StreamAccessChecks(catalog, recheckInterval, metrics, fanout::offerTask);
    }

    /** Takes a place for a new stream, or null when {@code max-subscribers} are open. */
    Capacity.Place reserve() {
        return places.tryTake();
    }

    /**
     * Opens a stream on a request whose response headers are set and whose place was
     * {@link #reserve reserved}: starts async processing and registers the subscriber.
     * {@code resumeToken} is the client's last event id, or null. The place is given back
     * however this ends, also when it fails half-way, and so is the consumer's
     * ({@code givePlaceBack}).
     */
    void open(HttpServletRequest request, ServletOutputStream out, StreamFilter filter, boolean patches,
            String resumeToken, ReadAccess access, Capacity.Place place, Runnable givePlaceBack) {
        long id = ids.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        AtomicReference<ScheduledFuture<?>> expiry = new AtomicReference<>();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                subscribers.remove(id);
                place.release();
                givePlaceBack.run();
                Optional.ofNullable(expiry.get()).ifPresent(task -> task.cancel(false));
            }
        };
        Subscriber subscriber;
        try {
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            subscriber = new Subscriber(id, filter, patches, access, frames.encoderFor(filter, patches), async, out,
                    writers, metrics, release);
            async.addListener(subscriber);
            subscriber.enqueueFrame(SseFrames.retry(properties.retry().toMillis()));
            out.setWriteListener(subscriber);
            // Ends the stream when its token expires, to the second, whatever the
            // re-check interval.
            // One millisecond past the expiry: the delay is cut to whole milliseconds,
            // and a timer that fired a
            // fraction early would find the token still valid and leave the stream open
            // until the next re-check.
            access.expiresAt()
                .ifPresent(at -> expiry.set(timer.schedule(() -> StreamAccessChecks.endIfRefused(subscriber),
                        Math.max(0, Duration.between(Instant.now(), at).toMillis() + 1), TimeUnit.MILLISECONDS)));
        }
        catch (RuntimeException ex) {
            release.run();
            throw ex;
        }
        catalog.afterPending(() -> register(subscriber, resumeToken)).whenComplete((ignored, error) -> {
            if (error != null) {
                // Never leave a client on a half-open stream: it reconnects, and the
                // place is free again.
                log.warn("Could not register stream {}; closing it", id, error);
                subscriber.close();
            }
        });
    }

    /**
     * On the writer thread: what the client is missing, then SYNCED; from now on it gets
     * live changes.
     */
    private void register(Subscriber subscriber, String resumeToken) {
        CatalogView view = catalog.view();
        // Batches up to this revision may still be on their way through the fan-out: they
        // are in the opening.
        subscriber.open(ResumePlanner.opening(view, journal, resumeToken, subscriber.filter(), subscriber.scopeTag()),
                view.revision());
        subscribers.put(subscriber.id(), subscriber);
        if (subscriber.isClosed()) {
            // The client left before it was registered: its close could not remove it
            // yet.
            subscribers.remove(subscriber.id());
            return;
        }
        subscriber.scheduleDrain();
    }

    /**
     * On the catalog's writer thread: journals the batch (resumes read it there) and
     * hands it to the fan-out.
     */
    @Override
    public void onChanges(CatalogView view, List<ChangeEvent> changes) {
        journal.append(changes);
        if (!subscribers.isEmpty()) {
            fanout.offer(changes, view);
        }
    }

    /**
     * The fan-out thread: batches, resyncs and rescopes, in the order they were queued.
     */
    private void fanOut() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                FanoutQueue.Work work = fanout.take();
                try {
                    if (work instanceof FanoutQueue.Batch batch) {
                        deliver(batch.changes());
                    }
                    else if (work instanceof FanoutQueue.Resync resync) {
                        log.warn("The stream fan-out fell {} batches behind: every stream gets a fresh snapshot at"
                                + " revision {}", properties.fanoutQueue(), resync.view().revision());
                        metrics.resynced();
                        resyncAll(resync.view(), ResetReason.OVERLOADED);
                    }
                    else if (work instanceof FanoutQueue.Task task) {
                        task.task().run();
                    }
                }
                catch (RuntimeException ex) {
                    // Some subscribers may have missed the batch: every stream starts
                    // over from a later view.
                    log.warn("The stream fan-out failed on one batch; every stream gets a fresh snapshot", ex);
                    metrics.fanoutFailed();
                    catalog.afterPending(
                            () -> fanout.offerTask(() -> resyncAll(catalog.view(), ResetReason.INTERNAL_ERROR)));
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Every subscriber starts over from this view, with {@code RESET} and a snapshot:
     * after the fan-out fell behind by more batches than it may hold (they were dropped;
     * {@code overloaded}), or failed on one ({@code internal-error}).
     */
    private void resyncAll(CatalogView view, ResetReason reason) {
        for (Subscriber subscriber : subscribers.values()) {
            subscriber.resync(view, reason);
            subscriber.scheduleDrain();
        }
    }

    /**
     * Queues the batch's matching events on every subscriber, one lock per subscriber,
     * then one drain each.
     */
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
                log.info("Dropping stream {}: its client accepted nothing for {} ({} events waiting)", subscriber.id(),
                        properties.stallTimeout(), subscriber.pendingCount());
                metrics.droppedSlow();
                subscriber.close();
            }
        }
    }

    @Override
    public void start() {
        long heartbeat = properties.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        long sweep = Math.max(50, Math.min(1000, properties.stallTimeout().toMillis() / 4));
        timer.scheduleWithFixedDelay(this::dropStalled, sweep, sweep, TimeUnit.MILLISECONDS);
        fanoutThread.start();
        accessChecks.start(subscribers.values());
        running = true;
    }

    /**
     * Completes every open stream so that clients reconnect (to another replica) at once:
     * runs before the web server's graceful shutdown, which would otherwise wait for
     * these never-ending responses.
     */
    @Override
    public void stop() {
        running = false;
        subscribers.values().forEach(Subscriber::close);
        timer.shutdownNow();
        accessChecks.stop();
        fanoutThread.interrupt();
        writers.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

}
