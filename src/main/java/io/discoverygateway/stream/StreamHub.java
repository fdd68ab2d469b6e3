package io.discoverygateway.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogListener;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.protocol.ReauthenticateReason;
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
 * Fans catalog changes out to the open streams, and journals them for resumes.
 *
 * <p>Threads: the catalog's writer thread calls {@link #onChanges} (journal append, then a hand-off to the fan-out)
 * and runs {@link #register} for each new stream, so a stream's snapshot or resume is taken from the same view the
 * journal describes, and joins the live events without a gap or an overlap; the journal is touched on that thread
 * only. One fan-out thread ({@code sse-fanout}) queues each batch on the matching subscribers, in revision order. Two
 * writer threads ({@code sse-writer}) drain subscribers with non-blocking I/O. One timer thread ({@code sse-timer})
 * queues heartbeats, drops stalled streams and ends streams whose token expires. One thread ({@code stream-access})
 * checks authenticated streams' access again, with four {@code stream-access-check} threads that ask Kubernetes
 * about one consumer identity each at a time. Jetty's request threads call {@link #reserve} and {@link #open}.
 * The subscriber map and the reservation counter are concurrent; each {@link Subscriber} guards its own state.
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
     * Batches for the one fan-out thread, so that they reach every subscriber in revision order without holding up
     * the catalog's writer; bounded (see {@link FanoutQueue}).
     */
    private final FanoutQueue fanout;
    private final Thread fanoutThread;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("sse-timer"));
    /** Re-checks authenticated streams; its reviews may block on the Kubernetes API, so not on the timer. */
    private final ScheduledExecutorService accessChecks = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("stream-access"));
    /** Re-checks the consumer identities of one round side by side, so that many identities fit in an interval. */
    private final ExecutorService identityChecks = Executors.newFixedThreadPool(4,
            DaemonThreads.named("stream-access-check"));
    private final Duration recheckInterval;
    private volatile boolean running;

    private final SnapshotEncoder encoder;

    public StreamHub(CatalogReader catalog, SnapshotEncoder encoder, GatewayProperties.Stream properties,
            Duration recheckInterval, MeterRegistry registry) {
        this.catalog = catalog;
        this.recheckInterval = recheckInterval;
        this.encoder = encoder;
        this.properties = properties;
        this.journal = new ChangeJournal(properties.journalSize());
        this.metrics = new StreamMetrics(registry, subscribers::size);
        this.fanout = new FanoutQueue(properties.fanoutQueue());
        this.places = new Capacity(properties.maxSubscribers());
        this.fanoutThread = DaemonThreads.named("sse-fanout").newThread(this::fanOut);
    }

    /** Takes a place for a new stream, or null when {@code max-subscribers} are open. */
    Capacity.Place reserve() {
        return places.tryTake();
    }

    /**
     * Opens a stream on a request whose response headers are set and whose place was {@link #reserve reserved}:
     * starts async processing and registers the subscriber. {@code resumeToken} is the client's last event id, or
     * null. The place is given back however this ends, also when it fails half-way, and so is the consumer's
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
            subscriber = new Subscriber(id, filter, access, frameEncoder(filter, patches), async, out, writers, metrics,
                    release);
            async.addListener(subscriber);
            subscriber.enqueueFrame(SseFrames.retry(properties.retry().toMillis()));
            out.setWriteListener(subscriber);
            // Ends the stream when its token expires, to the second, whatever the re-check interval.
            // One millisecond past the expiry: the delay is cut to whole milliseconds, and a timer that fired a
            // fraction early would find the token still valid and leave the stream open until the next re-check.
            access.expiresAt().ifPresent(at -> expiry.set(timer.schedule(() -> endIfRefused(subscriber),
                    Math.max(0, Duration.between(Instant.now(), at).toMillis() + 1), TimeUnit.MILLISECONDS)));
        }
        catch (RuntimeException ex) {
            release.run();
            throw ex;
        }
        catalog.afterPending(() -> register(subscriber, resumeToken)).whenComplete((ignored, error) -> {
            if (error != null) {
                // Never leave a client on a half-open stream: it reconnects, and the place is free again.
                log.warn("Could not register stream {}; closing it", id, error);
                subscriber.close();
            }
        });
    }

    /**
     * Frames are built once per snapshot and distinct representation, and shared by every subscriber that wants the
     * same one: one encoding of each changed service for all plain subscribers, and one per distinct
     * {@code podLabelSelector} for those that filter endpoints, however many there are. With {@code patches} a live
     * change of a service's endpoints is a {@code PATCHED} event, shared by every subscriber that holds the same
     * revision of the service (all that keep up), when one applies (see {@link EndpointPatch}).
     */
    private Subscriber.FrameEncoder frameEncoder(StreamFilter filter, boolean patches) {
        String epoch = catalog.epoch();
        boolean everyEndpoint = filter.podSelector().isEverything();
        String podSelector = everyEndpoint ? "" : filter.podSelector().toString();
        Subscriber.FrameEncoder whole = everyEndpoint
                ? (type, snapshot, held, withId, scopeTag) -> SseFrames.service(type, snapshot, epoch, withId,
                        scopeTag, metrics)
                : (type, snapshot, held, withId, scopeTag) -> SseFrames.filtered(type, snapshot, epoch, withId,
                        scopeTag, podSelector, s -> encoder.document(s, filter::keeps), metrics);
        if (!patches) {
            return whole;
        }
        return (type, snapshot, held, withId, scopeTag) -> {
            if (type == ChangeType.MODIFIED && held != null && withId) {
                byte[] patch = SseFrames.patch(snapshot, held, epoch, scopeTag, podSelector, filter::keeps, encoder,
                        metrics);
                if (patch != null) {
                    metrics.eventPatched();
                    return patch;
                }
            }
            return whole.frame(type, snapshot, held, withId, scopeTag);
        };
    }

    /** On the writer thread: what the client is missing, then SYNCED; from now on it gets live changes. */
    private void register(Subscriber subscriber, String resumeToken) {
        CatalogView view = catalog.view();
        // Batches up to this revision may still be on their way through the fan-out: they are in the opening.
        subscriber.open(ResumePlanner.opening(view, journal, resumeToken, subscriber.filter(), subscriber.scopeTag()),
                view.revision());
        subscribers.put(subscriber.id(), subscriber);
        if (subscriber.isClosed()) {
            // The client left before it was registered: its close could not remove it yet.
            subscribers.remove(subscriber.id());
            return;
        }
        subscriber.scheduleDrain();
    }

    /** On the catalog's writer thread: journals the batch (resumes read it there) and hands it to the fan-out. */
    @Override
    public void onChanges(CatalogView view, List<ChangeEvent> changes) {
        journal.append(changes);
        if (!subscribers.isEmpty()) {
            fanout.offer(changes, view);
        }
    }

    /** The fan-out thread: batches, resyncs and rescopes, in the order they were queued. */
    private void fanOut() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                FanoutQueue.Work work = fanout.take();
                try {
                    if (work instanceof FanoutQueue.Batch batch) {
                        deliver(batch.changes());
                    }
                    else if (work instanceof FanoutQueue.Resync resync) {
                        resyncAll(resync.view());
                    }
                    else if (work instanceof FanoutQueue.Task task) {
                        task.task().run();
                    }
                }
                catch (RuntimeException ex) {
                    log.warn("The stream fan-out failed on one batch; its subscribers are resynced", ex);
                    catalog.afterPending(() -> fanout.offerTask(() -> resyncAll(catalog.view())));
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The fan-out fell behind by more batches than it may hold: they were dropped, and every subscriber starts over
     * from this view, with {@code RESET} (reason {@code overloaded}) and a snapshot.
     */
    private void resyncAll(CatalogView view) {
        log.warn("The stream fan-out fell {} batches behind: every stream gets a fresh snapshot at revision {}",
                properties.fanoutQueue(), view.revision());
        for (Subscriber subscriber : subscribers.values()) {
            subscriber.resync(view, ResetReason.OVERLOADED);
            subscriber.scheduleDrain();
        }
        metrics.resynced();
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

    /**
     * On the {@code stream-access} thread: checks every authenticated stream again. A stream whose token expired or
     * is refused ends with REAUTHENTICATE. Then, per consumer identity (on the {@code stream-access-check} threads,
     * four identities at a time), the namespaces its streams hold are asked again of Kubernetes, so that a revoked
     * binding shows within one interval: a stream whose readable namespaces changed is rescoped on the fan-out
     * thread, in order with the batches up to the view it is computed against; one that may read nothing any more
     * loses every service (DELETED, access-revoked) and ends with REAUTHENTICATE {@code access-revoked}.
     */
    private void recheckAccess() {
        long started = System.nanoTime();
        Map<String, List<Subscriber>> byIdentity = new HashMap<>();
        for (Subscriber subscriber : subscribers.values()) {
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
            // The API does not answer: the streams keep what was last decided (cached decisions hold).
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
                fanout.offerTask(() -> {
                    subscriber.rescope(scope, view);
                    if (nothingLeft) {
                        subscriber.finish(SseFrames.reauthenticate(ReauthenticateReason.ACCESS_REVOKED));
                    }
                    subscriber.scheduleDrain();
                });
            });
        }
    }

    /** What an identity's streams may read between them (each holds the scope it was last given). */
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

    /** Ends the stream with REAUTHENTICATE when its token has expired or is refused now; returns whether it did. */
    private boolean endIfRefused(Subscriber subscriber) {
        Optional<ReauthenticateReason> reason = subscriber.access().endReason(Instant.now());
        if (reason.isEmpty()) {
            return false;
        }
        log.debug("Ending stream {}: {}", subscriber.id(), reason.get());
        subscriber.finish(SseFrames.reauthenticate(reason.get()));
        subscriber.scheduleDrain();
        return true;
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
        fanoutThread.start();
        long recheck = recheckInterval.toMillis();
        accessChecks.scheduleWithFixedDelay(this::recheckAccess, recheck, recheck, TimeUnit.MILLISECONDS);
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
        accessChecks.shutdownNow();
        identityChecks.shutdownNow();
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
