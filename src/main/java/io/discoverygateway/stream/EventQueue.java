package io.discoverygateway.stream;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;

/**
 * What one stream still has to send, and the rules for queueing it; no I/O and no locking
 * (its {@link Subscriber} guards it).
 * <ul>
 * <li><b>Sealed</b> items go out in order and are never merged: the initial snapshot or a
 * resume, SYNCED, RESET, heartbeats. Snapshot and resume events carry no {@code id:}, so
 * the id a client holds only ever moves to a complete resume point (SYNCED, or a live
 * event).</li>
 * <li><b>Live</b> changes after the last sealed item are kept at most one per service,
 * ordered by the revision of their latest change: a newer change replaces an undelivered
 * older one, so a client that falls behind skips intermediate states but always gets the
 * latest. A change undone before delivery (the latest state is the one the client holds)
 * is sent only to a client that builds on the revisions it holds ({@code PATCHED}
 * events): it moves that revision, which the next patch names as its base; a plain client
 * gets nothing for it. Each live event carries its revision as id: when the client has
 * it, it has every earlier change that concerns it (the others are later in the queue
 * because they changed again later).</li>
 * </ul>
 */
final class EventQueue {

    /**
     * One queued item: a service event or a ready-made frame.
     *
     * @param held for a live MODIFIED or DELETED event, the state of the service the
     * client holds (the state before the first of the changes it merges), which a
     * {@code PATCHED} event can build on; otherwise null
     * @param withId whether the event's frame carries its revision as {@code id:} (live
     * events only)
     * @param appliedAtNanos when the catalog applied a live change (0 for other items),
     * for the latency metric
     * @param scopeTag for a scope switch only (no type, snapshot or frame): the tag the
     * ids of the items after it carry, so that the items queued before a change of scope
     * keep the tag they were sent under
     */
    record Item(ChangeType type, ServiceSnapshot snapshot, ServiceSnapshot held, boolean withId, byte[] frame,
            long appliedAtNanos, String scopeTag) {

        static Item frame(byte[] frame) {
            return new Item(null, null, null, false, frame, 0, null);
        }

        static Item snapshotEvent(ChangeType type, ServiceSnapshot snapshot) {
            return new Item(type, snapshot, null, false, null, 0, null);
        }

        static Item scopeSwitch(String scopeTag) {
            return new Item(null, null, null, false, null, 0, scopeTag);
        }
    }

    /**
     * Whether the subscriber builds on the revisions it holds ({@code PATCHED} events),
     * so that a change undone before delivery must still move its revision.
     */
    private final boolean revisionsMatter;

    private final Deque<Item> sealed = new ArrayDeque<>();

    private final LinkedHashMap<ServiceKey, Item> live = new LinkedHashMap<>();

    /**
     * Live changes at or below this revision are already in what the subscriber got on
     * registration.
     */
    private long liveAfter = Long.MAX_VALUE;

    /** A queue for a subscriber without {@code PATCHED} events. */
    EventQueue() {
        this(false);
    }

    /**
     * @param revisionsMatter whether the subscriber gets {@code PATCHED} events
     */
    EventQueue(boolean revisionsMatter) {
        this.revisionsMatter = revisionsMatter;
    }

    /** A frame written as it is, after everything queued before it. */
    void addFrame(byte[] frame) {
        sealLive();
        sealed.addLast(Item.frame(frame));
    }

    /**
     * Items of the opening (a snapshot or a resume, SYNCED...): in order, never merged.
     */
    void addSealed(List<Item> items) {
        sealLive();
        sealed.addAll(items);
    }

    /**
     * From now on live changes above this revision are queued (the ones up to it were in
     * the snapshot).
     */
    void liveAfter(long revision) {
        liveAfter = revision;
    }

    /**
     * Queues the changes of a batch that concern the filter: a service that stops
     * matching is DELETED for this stream, one that starts matching is ADDED. Returns
     * whether anything was queued.
     */
    boolean addLive(List<ChangeEvent> changes, StreamFilter filter) {
        boolean queued = false;
        for (ChangeEvent change : changes) {
            if (change.revision() <= liveAfter) {
                continue;
            }
            boolean matchesNow = change.type() != ChangeType.DELETED && filter.matches(change.snapshot());
            boolean matchedBefore = change.previous() != null && filter.matches(change.previous());
            ChangeType type = matchesNow ? (matchedBefore ? ChangeType.MODIFIED : ChangeType.ADDED)
                    : matchedBefore ? ChangeType.DELETED : null;
            if (type != null) {
                addLive(type, change.snapshot(), matchedBefore ? change.previous() : null, change.appliedAtNanos());
                queued = true;
            }
        }
        return queued;
    }

    /**
     * Merges with an undelivered event of the same service, keeping what the client
     * already knows: the type it must see, and the state it holds.
     */
    private void addLive(ChangeType type, ServiceSnapshot snapshot, ServiceSnapshot held, long appliedAtNanos) {
        Item previous = live.remove(snapshot.key());
        ChangeType merged = type;
        if (previous != null) {
            if (previous.type() == ChangeType.ADDED && type == ChangeType.DELETED) {
                // The client never heard of it: nothing to say.
                return;
            }
            if (previous.type() == ChangeType.ADDED) {
                merged = ChangeType.ADDED;
            }
            else if (previous.type() == ChangeType.DELETED && type == ChangeType.ADDED) {
                merged = ChangeType.MODIFIED;
            }
            appliedAtNanos = previous.appliedAtNanos();
            held = previous.held();
            if (!revisionsMatter && merged == ChangeType.MODIFIED && held != null
                    && held.state().equals(snapshot.state())) {
                // Changed and changed back before delivery: the client holds this very
                // state already.
                return;
            }
        }
        live.put(snapshot.key(),
                new Item(merged, snapshot, merged == ChangeType.ADDED ? null : held, true, null, appliedAtNanos, null));
    }

    /** A heartbeat comment, unless something is waiting to be sent anyway. */
    void heartbeatIfIdle(byte[] heartbeat) {
        if (isEmpty()) {
            sealed.addLast(Item.frame(heartbeat));
        }
    }

    /** The next item to send, or null. */
    Item poll() {
        Item item = sealed.pollFirst();
        if (item != null) {
            return item;
        }
        Iterator<Map.Entry<ServiceKey, Item>> first = live.entrySet().iterator();
        if (!first.hasNext()) {
            return null;
        }
        item = first.next().getValue();
        first.remove();
        return item;
    }

    boolean isEmpty() {
        return sealed.isEmpty() && live.isEmpty();
    }

    int size() {
        return sealed.size() + live.size();
    }

    void clear() {
        sealed.clear();
        live.clear();
    }

    private void sealLive() {
        sealed.addAll(live.values());
        live.clear();
    }

}
