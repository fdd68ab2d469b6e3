package io.discoverygateway.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;

/**
 * The most recent changes, in revision order, for resuming streams. Revisions are consecutive (every revision is
 * exactly one change), so the journal can tell exactly whether it still holds every change after a given revision.
 * It keeps little per change: a resume sends each changed service's current state (from the catalog's view), so
 * only deletions keep their last state; the labels before a change tell whether the service matched a filter.
 * Used on the catalog's writer thread only.
 */
final class ChangeJournal {

    /**
     * One change.
     *
     * @param labelsBefore the service's labels before the change, null when it did not exist
     * @param tombstone the last state of a deleted service, null for other changes
     */
    record Entry(long revision, ServiceKey key, ChangeType type, Map<String, String> labelsBefore,
            ServiceSnapshot tombstone) {
    }

    private final int capacity;
    private final Deque<Entry> entries = new ArrayDeque<>();

    ChangeJournal(int capacity) {
        this.capacity = capacity;
    }

    void append(List<ChangeEvent> changes) {
        for (ChangeEvent change : changes) {
            entries.addLast(new Entry(change.revision(), change.key(), change.type(),
                    change.previous() == null ? null : change.previous().state().service().labels(),
                    change.type() == ChangeType.DELETED ? change.snapshot() : null));
            if (entries.size() > capacity) {
                entries.removeFirst();
            }
        }
    }

    /**
     * Every change after {@code revision}, or null when some of them are no longer held (or {@code revision} is
     * ahead of {@code current}).
     */
    List<Entry> after(long revision, long current) {
        if (revision > current) {
            return null;
        }
        if (revision == current) {
            return List.of();
        }
        if (entries.isEmpty() || entries.peekFirst().revision() > revision + 1) {
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
