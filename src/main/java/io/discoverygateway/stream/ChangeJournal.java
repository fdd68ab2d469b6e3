package io.discoverygateway.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;

/**
 * The most recent changes, in revision order, for resuming streams. Revisions are
 * consecutive (every revision is exactly one change), so the journal can tell exactly
 * whether it still holds every change after a given revision. It keeps little per change:
 * a resume sends each changed service's current state (from the catalog's view), so only
 * deletions keep their last state; the labels before a change tell whether the service
 * matched a filter. Used on the catalog's writer thread only.
 */
final class ChangeJournal {

    /**
     * One change.
     *
     * @param labelsBefore the service's labels before the change, null when it did not
     * exist
     * @param tombstone the last state of a deleted service, null for other changes
     */
    record Entry(long revision, ServiceKey key, ChangeType type, Map<String, String> labelsBefore,
            ServiceSnapshot tombstone) {
    }

    private final int capacity;

    private final Deque<Entry> entries = new ArrayDeque<>();

    /**
     * The revision before the first change journaled: nothing is known of the changes up
     * to it.
     */
    private long floor = -1;

    /**
     * Per namespace, the latest of its changes that no longer fits: a resume from before
     * it is incomplete.
     */
    private final Map<String, Long> droppedUpTo = new HashMap<>();

    ChangeJournal(int capacity) {
        this.capacity = capacity;
    }

    void append(List<ChangeEvent> changes) {
        for (ChangeEvent change : changes) {
            if (floor < 0) {
                floor = change.revision() - 1;
            }
            entries.addLast(new Entry(change.revision(), change.key(), change.type(),
                    change.previous() == null ? null : change.previous().state().service().labels(),
                    change.type() == ChangeType.DELETED ? change.snapshot() : null));
            if (entries.size() > capacity) {
                Entry dropped = entries.removeFirst();
                droppedUpTo.put(dropped.key().namespace(), dropped.revision());
            }
        }
    }

    /**
     * Every change after {@code revision}, or null when some of them that the scope
     * covers are no longer held (or {@code revision} is ahead of {@code current}, the
     * scope's latest revision). A scope of some namespaces can resume from further back
     * than the journal reaches, as long as none of its own changes were dropped: a
     * consumer of a quiet namespace is not sent a full snapshot because other namespaces
     * were busy.
     */
    List<Entry> after(long revision, long current, NamespaceScope scope) {
        if (revision > current) {
            return null;
        }
        if (revision == current) {
            return List.of();
        }
        if (floor < 0 || revision < floor) {
            // Changes before the journal began (or none journaled at all while the view
            // moved on): unknown.
            return null;
        }
        boolean dropped = scope.everything() ? entries.isEmpty() || entries.peekFirst().revision() > revision + 1
                : scope.namespaces().stream().anyMatch(namespace -> droppedUpTo.getOrDefault(namespace, 0L) > revision);
        if (dropped) {
            return null;
        }
        List<Entry> after = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.revision() > revision) {
                after.add(entry);
            }
        }
        return after;
    }

}
