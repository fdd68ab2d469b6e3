package io.discoverygateway.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import io.discoverygateway.catalog.ChangeEvent;

/**
 * The most recent changes, in revision order, for resuming streams. Revisions are consecutive (every revision is
 * exactly one change), so the journal can tell exactly whether it still holds every change after a given revision.
 * Used on the catalog's writer thread only.
 */
final class ChangeJournal {

    private final int capacity;
    private final Deque<ChangeEvent> events = new ArrayDeque<>();

    ChangeJournal(int capacity) {
        this.capacity = capacity;
    }

    void append(List<ChangeEvent> changes) {
        for (ChangeEvent change : changes) {
            events.addLast(change);
            if (events.size() > capacity) {
                events.removeFirst();
            }
        }
    }

    /**
     * Every change after {@code revision}, or null when some of them are no longer held (or {@code revision} is
     * ahead of {@code current}).
     */
    List<ChangeEvent> after(long revision, long current) {
        if (revision > current) {
            return null;
        }
        if (revision == current) {
            return List.of();
        }
        if (events.isEmpty() || events.peekFirst().revision() > revision + 1) {
            return null;
        }
        List<ChangeEvent> after = new ArrayList<>();
        for (ChangeEvent event : events) {
            if (event.revision() > revision) {
                after.add(event);
            }
        }
        return after;
    }
}
