package io.discoverygateway.catalog;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The immutable state of one service at one revision, with its JSON encoded once, when it
 * was made. Readers write these bytes as they are; other representations are derived on
 * first use and kept with the snapshot.
 */
public final class ServiceSnapshot {

    private final ServiceState state;

    private final long revision;

    private final Instant changedAt;

    private final String etag;

    private final byte[] json;

    private final byte[] summaryJson;

    private volatile Map<Representation, byte[]> derived = Map.of();

    ServiceSnapshot(ServiceState state, String epoch, long revision, Instant changedAt, SnapshotEncoder encoder) {
        this.state = state;
        this.revision = revision;
        this.changedAt = changedAt;
        this.etag = Revisions.etag(epoch, revision);
        this.json = encoder.document(state, revision);
        this.summaryJson = encoder.summary(state, revision);
    }

    public ServiceKey key() {
        return state.key();
    }

    public ServiceState state() {
        return state;
    }

    /** The catalog revision at which this service last changed. */
    public long revision() {
        return revision;
    }

    public Instant changedAt() {
        return changedAt;
    }

    /**
     * A strong entity tag, quoted, made of the gateway's epoch and this snapshot's
     * revision.
     */
    public String etag() {
        return etag;
    }

    /**
     * The service with all its endpoints, as {@code GET
     * /api/v1/namespaces/{ns}/services/{name}} returns it.
     */
    public byte[] json() {
        return json;
    }

    /** The service without endpoints, with counts, as lists return it. */
    public byte[] summaryJson() {
        return summaryJson;
    }

    /**
     * Names a representation derived from a snapshot (the ready endpoints only, an SSE
     * frame, the discovery server's instances...). Each surface defines its own, as enum
     * constants or records with value equality.
     */
    public interface Representation {

    }

    /**
     * Another representation of this snapshot, computed once per snapshot and kind.
     * Representations of one snapshot are computed one at a time under its monitor: a
     * thread that asks for one while another thread computes it waits and takes that
     * result rather than encoding it a second time (the encoders take no other lock, so
     * this cannot deadlock); reads of a computed one take no lock.
     */
    public byte[] derived(Representation kind, Function<ServiceSnapshot, byte[]> encoder) {
        byte[] bytes = derived.get(kind);
        if (bytes != null) {
            return bytes;
        }
        synchronized (this) {
            bytes = derived.get(kind);
            if (bytes == null) {
                bytes = encoder.apply(this);
                Map<Representation, byte[]> copy = new HashMap<>(derived);
                copy.put(kind, bytes);
                derived = Map.copyOf(copy);
            }
            return bytes;
        }
    }

}
