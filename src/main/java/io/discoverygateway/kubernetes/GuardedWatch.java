package io.discoverygateway.kubernetes;

import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;

import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import okhttp3.Call;

/**
 * A watch whose liveness the gateway can see: it counts what the watch delivers and when
 * it last did, so that the {@link Watchdog} can abandon a watch that has gone silent (a
 * hung proxy, a half-open connection), and its lister can judge, when it ends, whether it
 * was a failure.
 *
 * <p>
 * Threads: the informer's reflector thread iterates and closes it; the watchdog thread
 * reads the activity fields (volatile), confirms that a watch open for a while works, and
 * may {@link #abandon} it, which cancels the HTTP call so that the reflector's blocked
 * read fails and it starts over.
 */
final class GuardedWatch<T> implements Watchable<T> {

    /**
     * Told once that the watch works (its first event, or the watchdog seeing it open
     * long enough), and of its end.
     */
    interface Listener {

        void works();

        void ended(GuardedWatch<?> watch);

    }

    private final Watch<T> watch;

    private final Call call;

    private final Listener listener;

    private final boolean bookmarks;

    private final Integer timeoutSeconds;

    private final long openedNanos = System.nanoTime();

    private volatile long lastActivityNanos = openedNanos;

    private volatile long events;

    private volatile String abandonedBecause;

    private final AtomicBoolean works = new AtomicBoolean();

    private boolean closed;

    GuardedWatch(Watch<T> watch, Call call, Listener listener, boolean bookmarks, Integer timeoutSeconds) {
        this.watch = watch;
        this.call = call;
        this.listener = listener;
        this.bookmarks = bookmarks;
        this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public boolean hasNext() {
        boolean more = watch.hasNext();
        lastActivityNanos = System.nanoTime();
        return more;
    }

    @Override
    public Watch.Response<T> next() {
        Watch.Response<T> response = watch.next();
        lastActivityNanos = System.nanoTime();
        events++;
        confirmWorks();
        return response;
    }

    @Override
    public Iterator<Watch.Response<T>> iterator() {
        return this;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            watch.close();
        }
        finally {
            listener.ended(this);
        }
    }

    /** The watch works: said once, on whichever thread notices first. */
    void confirmWorks() {
        if (abandonedBecause == null && works.compareAndSet(false, true)) {
            listener.works();
        }
    }

    /** Ends a silent watch from outside: its reader's blocked read fails at once. */
    void abandon(String reason) {
        abandonedBecause = reason;
        call.cancel();
    }

    Duration silentFor() {
        return Duration.ofNanos(System.nanoTime() - lastActivityNanos);
    }

    Duration openFor() {
        return Duration.ofNanos(System.nanoTime() - openedNanos);
    }

    long events() {
        return events;
    }

    boolean bookmarks() {
        return bookmarks;
    }

    Integer timeoutSeconds() {
        return timeoutSeconds;
    }

    /** Why the watchdog abandoned it, or null. */
    String abandonedBecause() {
        return abandonedBecause;
    }

}
