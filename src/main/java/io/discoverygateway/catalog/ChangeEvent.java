package io.discoverygateway.catalog;

/**
 * One change of one service. For {@link ChangeType#DELETED} the snapshot holds the last known state, stamped with
 * the revision of the deletion.
 */
public record ChangeEvent(ChangeType type, ServiceSnapshot snapshot) {

    public long revision() {
        return snapshot.revision();
    }

    public ServiceKey key() {
        return snapshot.key();
    }
}
