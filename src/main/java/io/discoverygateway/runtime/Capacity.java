package io.discoverygateway.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A limit on what is held open at once (streams, xDS clients, held long-poll requests): a
 * place is taken or refused, and given back exactly once however many times its holder's
 * end is reported.
 *
 * <p>
 * Threads: any; the count is atomic and so is each place's release.
 */
public final class Capacity {

    private final int limit;

    private final AtomicInteger held = new AtomicInteger();

    public Capacity(int limit) {
        this.limit = limit;
    }

    /** A place, or null when {@code limit} places are held. */
    public Place tryTake() {
        if (held.incrementAndGet() > limit) {
            held.decrementAndGet();
            return null;
        }
        return new Place();
    }

    /** The places held now. */
    public int held() {
        return held.get();
    }

    public int limit() {
        return limit;
    }

    /** One taken place; {@link #release} gives it back, once. */
    public final class Place implements Runnable {

        private final AtomicBoolean released = new AtomicBoolean();

        private Place() {
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                held.decrementAndGet();
            }
        }

        @Override
        public void run() {
            release();
        }

    }

}
