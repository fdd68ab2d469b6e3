package io.discoverygateway.stream;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

/**
 * One open stream. Events are queued here by the catalog's writer thread (never blocking it) and written with
 * servlet non-blocking I/O by whichever thread drains: a stream whose client stops reading only stops draining, it
 * holds no thread. Memory is bounded: after the initial snapshot the queue holds at most one pending event per
 * service (a newer change replaces an undelivered older one, keeping revision order), and a stream that accepts no
 * bytes for the stall timeout is dropped by the hub.
 */
final class Subscriber implements WriteListener, AsyncListener {

    private final long id;
    private final StreamFilter filter;
    private final FrameEncoder frames;
    private final AsyncContext async;
    private final ServletOutputStream out;
    private final Executor executor;
    private final StreamMetrics metrics;
    private final Runnable onClose;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    // Guarded by this: the queue is written by the catalog writer and read by the draining thread.
    /** Frames in order that are never coalesced: the initial snapshot or a resume, SYNCED, RESET, heartbeats. */
    private final Deque<Pending> sealed = new ArrayDeque<>();
    /** Live events after the last sealed frame, at most one per service, in revision order. */
    private final LinkedHashMap<ServiceKey, Pending> live = new LinkedHashMap<>();
    private boolean closed;
    private long lastProgressNanos = System.nanoTime();
    /** Live changes at or below this revision are already in what the subscriber got on registration. */
    private long liveAfter = Long.MAX_VALUE;

    Subscriber(long id, StreamFilter filter, FrameEncoder frames, AsyncContext async, ServletOutputStream out,
            Executor executor, StreamMetrics metrics, Runnable onClose) {
        this.id = id;
        this.filter = filter;
        this.frames = frames;
        this.async = async;
        this.out = out;
        this.executor = executor;
        this.metrics = metrics;
        this.onClose = onClose;
    }

    long id() {
        return id;
    }

    StreamFilter filter() {
        return filter;
    }

    /** A frame that is written as it is, after everything queued before it. */
    synchronized void enqueueSealed(byte[] frame) {
        if (closed) {
            return;
        }
        sealLive();
        sealed.addLast(new Pending(null, null, frame, 0));
    }

    /** A service event of the initial snapshot or of a resume: kept in order, never coalesced. */
    synchronized void enqueueSealed(ChangeType type, ServiceSnapshot snapshot) {
        if (closed) {
            return;
        }
        sealLive();
        sealed.addLast(new Pending(type, snapshot, null, 0));
    }

    synchronized void liveAfter(long revision) {
        liveAfter = revision;
    }

    /**
     * Queues the changes of a batch that concern this subscriber (a service that stops matching the filter is
     * DELETED for it, one that starts matching is ADDED). Returns whether anything was queued.
     */
    synchronized boolean enqueueLive(List<ChangeEvent> changes) {
        boolean queued = false;
        for (ChangeEvent change : changes) {
            if (closed || change.revision() <= liveAfter) {
                continue;
            }
            boolean matchesNow = change.type() != ChangeType.DELETED && filter.matches(change.snapshot());
            boolean matchedBefore = change.previous() != null && filter.matches(change.previous());
            ChangeType type = matchesNow ? (matchedBefore ? ChangeType.MODIFIED : ChangeType.ADDED)
                    : matchedBefore ? ChangeType.DELETED : null;
            if (type != null) {
                enqueueLive(type, change.snapshot(), change.appliedAtNanos());
                queued = true;
            }
        }
        return queued;
    }

    /** A live change: replaces an undelivered event of the same service, keeping what the client already knows. */
    private void enqueueLive(ChangeType type, ServiceSnapshot snapshot, long appliedAtNanos) {
        Pending previous = live.remove(snapshot.key());
        ChangeType merged = type;
        if (previous != null) {
            if (previous.type() == ChangeType.ADDED && type == ChangeType.DELETED) {
                return;
            }
            if (previous.type() == ChangeType.ADDED) {
                merged = ChangeType.ADDED;
            }
            else if (previous.type() == ChangeType.DELETED && type == ChangeType.ADDED) {
                merged = ChangeType.MODIFIED;
            }
            appliedAtNanos = previous.appliedAtNanos();
        }
        live.put(snapshot.key(), new Pending(merged, snapshot, null, appliedAtNanos));
    }

    /** A heartbeat comment, unless something is waiting to be sent anyway. */
    synchronized void heartbeat() {
        if (!closed && sealed.isEmpty() && live.isEmpty()) {
            sealed.addLast(new Pending(null, null, SseFrames.HEARTBEAT, 0));
        }
    }

    private void sealLive() {
        sealed.addAll(live.values());
        live.clear();
    }

    /** Drains on the stream executor, at most one drain queued at a time. */
    void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            executor.execute(() -> {
                drainScheduled.set(false);
                drain();
            });
        }
    }

    /** Writes while the connection accepts bytes without blocking. */
    synchronized void drain() {
        if (closed) {
            return;
        }
        try {
            boolean wrote = false;
            while (out.isReady()) {
                byte[] frame = next();
                if (frame == null) {
                    if (wrote) {
                        out.flush();
                        wrote = false;
                        continue;
                    }
                    lastProgressNanos = System.nanoTime();
                    return;
                }
                out.write(frame);
                wrote = true;
                lastProgressNanos = System.nanoTime();
            }
        }
        catch (IOException | IllegalStateException ex) {
            close();
        }
    }

    private byte[] next() {
        Pending pending = sealed.pollFirst();
        if (pending == null) {
            Iterator<Map.Entry<ServiceKey, Pending>> first = live.entrySet().iterator();
            if (!first.hasNext()) {
                return null;
            }
            pending = first.next().getValue();
            first.remove();
        }
        if (pending.frame() != null) {
            return pending.frame();
        }
        if (pending.appliedAtNanos() != 0) {
            metrics.propagated(System.nanoTime() - pending.appliedAtNanos());
        }
        metrics.eventSent();
        return frames.frame(pending.type(), pending.snapshot());
    }

    /** True when events wait and the connection has accepted nothing for longer than the timeout. */
    synchronized boolean stalledFor(long timeoutNanos) {
        boolean waiting = !sealed.isEmpty() || !live.isEmpty();
        return waiting && System.nanoTime() - lastProgressNanos > timeoutNanos;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized int pendingCount() {
        return sealed.size() + live.size();
    }

    /** Ends the stream: completes the response and forgets what was queued. Idempotent. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sealed.clear();
        live.clear();
        try {
            async.complete();
        }
        catch (IllegalStateException ex) {
            // Already completed by the container (the client went away).
        }
        onClose.run();
    }

    @Override
    public void onWritePossible() {
        drain();
    }

    @Override
    public void onError(Throwable error) {
        close();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        close();
    }

    @Override
    public void onError(AsyncEvent event) {
        close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }

    /** Encodes a service event for this subscriber. */
    @FunctionalInterface
    interface FrameEncoder {

        byte[] frame(ChangeType type, ServiceSnapshot snapshot);
    }

    /** A queued item: a service event (type and snapshot) or a ready-made frame. */
    private record Pending(ChangeType type, ServiceSnapshot snapshot, byte[] frame, long appliedAtNanos) {
    }
}
