package io.discoverygateway.clusterset;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.discoverygateway.catalog.ServiceKey;

/**
 * The ServiceExports of one cluster: which Services it exports, since when (the
 * ServiceExport's creation time).
 *
 * <p>
 * Threads: written by the cluster's ServiceExport informer threads, read by the
 * publisher's thread (a concurrent map); the listener is set once before the informer
 * starts.
 */
public final class ExportIndex {

    private final Map<ServiceKey, Instant> exports = new ConcurrentHashMap<>();

    private final AtomicLong changes = new AtomicLong();

    private volatile Runnable listener = () -> {
    };

    public void exported(ServiceKey key, Instant createdAt) {
        if (!createdAt.equals(exports.put(key, createdAt))) {
            changes.incrementAndGet();
            listener.run();
        }
    }

    public void unexported(ServiceKey key) {
        if (exports.remove(key) != null) {
            changes.incrementAndGet();
            listener.run();
        }
    }

    /** When the Service's ServiceExport was created, or null when there is none. */
    Instant exportedAt(ServiceKey key) {
        return exports.get(key);
    }

    /** How many times the exports have changed: equal counts, equal exports. */
    long changes() {
        return changes.get();
    }

    void onChange(Runnable listener) {
        this.listener = listener;
    }

}
