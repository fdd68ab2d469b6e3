package io.discoverygateway.catalog;

/**
 * One change of one service.
 *
 * @param snapshot the new state; for {@link ChangeType#DELETED} the last known state,
 * stamped with the revision of the deletion
 * @param previous the state before the change (null for {@link ChangeType#ADDED})
 * @param appliedAtNanos {@link System#nanoTime()} when the catalog applied the change,
 * for latency metrics
 */
public record ChangeEvent(ChangeType type, ServiceSnapshot snapshot, ServiceSnapshot previous, long appliedAtNanos) {

    public long revision() {
        return snapshot.revision();
    }

    public ServiceKey key() {
        return snapshot.key();
    }
}
