package io.discoverygateway.stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.protocol.ResetReason;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

/**
 * One open stream: its {@link EventQueue} and the servlet non-blocking writes that empty
 * it. A stream whose client stops reading only stops draining; it holds no thread, and
 * the hub drops it after the stall timeout.
 *
 * <p>
 * Threads: everything below is guarded by this object's monitor, because five kinds of
 * thread touch it. The catalog's writer thread queues the initial snapshot or resume
 * ({@link StreamHub} registers subscribers there); the hub's fan-out thread queues live
 * changes; the hub's timer queues heartbeats and checks for stalls; a thread of the hub's
 * writer pool drains ({@link #scheduleDrain}, at most one drain queued at a time); and
 * Jetty's threads call {@link #onWritePossible} and the async listener methods. No method
 * waits on I/O while holding the monitor: writes are non-blocking. {@link #drain} may
 * wait briefly on a snapshot's monitor while another subscriber's drain encodes the same
 * frame ({@link ServiceSnapshot#derived}); encoders take no other lock, so this cannot
 * deadlock, and the frame is encoded once for both.
 */
final class Subscriber implements WriteListener, AsyncListener {

    private final long id;

    private final FrameEncoder frames;

    /**
     * What the client may read, to check again while the stream is open
     * ({@link ReadAccess#unrestricted}).
     */
    private final ReadAccess access;

    private final AsyncContext async;

    private final ServletOutputStream out;

    private final Executor executor;

    private final StreamMetrics metrics;

    private final Runnable onClose;

    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    // Guarded by this.
    private final EventQueue queue;

    private StreamFilter filter;

    /**
     * The scope tag of the ids written now; switched by the queue's scope-switch items.
     */
    private String scopeTag;

    private boolean closed;

    /** The last frame is queued: the stream ends once it is written. */
    private boolean finishing;

    /**
     * Bytes were written since the last flush: a drain that finds nothing more to send
     * must still flush them.
     */
    private boolean unflushed;

    private long lastProgressNanos = System.nanoTime();

    /**
     * @param patches whether the subscriber asked for {@code PATCHED} events
     */
    Subscriber(long id, StreamFilter filter, boolean patches, ReadAccess access, FrameEncoder frames,
            AsyncContext async, ServletOutputStream out, Executor executor, StreamMetrics metrics, Runnable onClose) {
        this.id = id;
        this.queue = new EventQueue(patches);
        this.filter = filter;
        this.access = access;
        this.scopeTag = tagOf(filter);
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

    synchronized StreamFilter filter() {
        return filter;
    }

    synchronized String scopeTag() {
        return scopeTag;
    }

    ReadAccess access() {
        return access;
    }

    /**
     * On the fan-out thread, after every batch up to the view's revision: the subscriber
     * may now read other namespaces. Services it may no longer read become DELETED (with
     * their identity only), services it now may read ADDED, and a SYNCED with an id of
     * the new scope follows. Live events queued before keep the old scope's tag: a client
     * cut before the SYNCED resumes with an id of the old scope, and gets a full
     * snapshot.
     */
    synchronized void rescope(NamespaceScope scope, CatalogView view) {
        if (closed || finishing || scope.equals(filter.readable())) {
            return;
        }
        StreamFilter next = filter.withReadable(scope);
        String tag = tagOf(next);
        List<EventQueue.Item> items = new ArrayList<>();
        for (ServiceSnapshot snapshot : view.services()) {
            boolean before = filter.matches(snapshot);
            boolean after = next.matches(snapshot);
            if (before && !after) {
                items.add(EventQueue.Item.frame(SseFrames.revoked(snapshot)));
            }
            else if (after && !before) {
                items.add(EventQueue.Item.snapshotEvent(ChangeType.ADDED, snapshot));
            }
        }
        items.add(EventQueue.Item.scopeSwitch(tag));
        items.add(EventQueue.Item.frame(SseFrames.synced(view.epoch(), next.readable().revision(view), tag)));
        queue.addSealed(items);
        filter = next;
    }

    /**
     * On the fan-out thread: starts over from this view, dropping what was queued:
     * {@code RESET} with the reason, the snapshot of what the filter matches,
     * {@code SYNCED}; live changes after the view's revision follow.
     */
    synchronized void resync(CatalogView view, ResetReason reason) {
        if (closed || finishing) {
            return;
        }
        String tag = tagOf(filter);
        queue.clear();
        List<EventQueue.Item> items = new ArrayList<>();
        // A scope switch still queued is gone with the rest: the filter's own tag holds
        // from here.
        items.add(EventQueue.Item.scopeSwitch(tag));
        items.addAll(ResumePlanner.snapshot(view, filter, tag, reason));
        queue.addSealed(items);
        queue.liveAfter(view.revision());
    }

    /**
     * The tag the ids carry under this filter: its readable namespaces', with consumer
     * authentication only.
     */
    private String tagOf(StreamFilter streamFilter) {
        return access.consumer().isPresent() ? streamFilter.readable().tag() : "";
    }

    /**
     * Queues a last frame; the stream is completed once it is written (the client then
     * reconnects).
     */
    synchronized void finish(byte[] lastFrame) {
        if (!closed && !finishing) {
            queue.addFrame(lastFrame);
            finishing = true;
        }
    }

    /** A frame that is written as it is, after everything queued before it. */
    synchronized void enqueueFrame(byte[] frame) {
        if (!closed) {
            queue.addFrame(frame);
        }
    }

    /**
     * What the stream gets before its live events (see {@link ResumePlanner#opening});
     * live changes up to the revision it was planned at are already in it.
     */
    synchronized void open(List<EventQueue.Item> opening, long revision) {
        if (!closed) {
            queue.addSealed(opening);
            queue.liveAfter(revision);
        }
    }

    /**
     * Queues the changes of a batch that concern this subscriber; returns whether
     * anything was queued.
     */
    synchronized boolean enqueueLive(List<ChangeEvent> changes) {
        return !closed && queue.addLive(changes, filter);
    }

    synchronized void heartbeat() {
        if (!closed) {
            queue.heartbeatIfIdle(SseFrames.HEARTBEAT);
        }
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

    /**
     * Writes while the connection accepts bytes without blocking, then flushes. When a
     * write leaves the connection not ready, Jetty calls {@link #onWritePossible} once it
     * has sent what it buffered; that drain flushes even when nothing new is queued, so
     * an event larger than the socket buffers leaves as soon as the socket accepts it
     * rather than at the next heartbeat.
     */
    synchronized void drain() {
        if (closed) {
            return;
        }
        try {
            while (out.isReady()) {
                byte[] frame = next();
                if (frame == null) {
                    lastProgressNanos = System.nanoTime();
                    if (!unflushed) {
                        if (finishing) {
                            close();
                        }
                        return;
                    }
                    unflushed = false;
                    out.flush();
                    continue;
                }
                out.write(frame);
                unflushed = true;
                lastProgressNanos = System.nanoTime();
            }
        }
        catch (IOException | IllegalStateException ex) {
            close();
        }
    }

    private byte[] next() {
        EventQueue.Item item = queue.poll();
        while (item != null && item.scopeTag() != null) {
            scopeTag = item.scopeTag();
            item = queue.poll();
        }
        if (item == null) {
            return null;
        }
        if (item.frame() != null) {
            return item.frame();
        }
        if (item.appliedAtNanos() != 0) {
            metrics.propagated(System.nanoTime() - item.appliedAtNanos());
        }
        metrics.eventSent();
        return frames.frame(item.type(), item.snapshot(), item.held(), item.withId(), scopeTag);
    }

    /**
     * True when events wait and the connection has accepted nothing for longer than the
     * timeout.
     */
    synchronized boolean stalledFor(long timeoutNanos) {
        return !queue.isEmpty() && System.nanoTime() - lastProgressNanos > timeoutNanos;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized int pendingCount() {
        return queue.size();
    }

    /**
     * Ends the stream: completes the response and forgets what was queued. Idempotent.
     */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.clear();
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

        /**
         * @param held the state the client holds of a live MODIFIED service, or null (see
         * {@link EventQueue.Item})
         */
        byte[] frame(ChangeType type, ServiceSnapshot snapshot, ServiceSnapshot held, boolean withId, String scopeTag);

    }

}
