package io.discoverygateway.stream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.Revisions;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.protocol.ResetReason;

/**
 * What a client that resumes from a revision must receive so that it holds exactly the
 * current view: each service changed since, once, with its current state, in the order of
 * its latest change. A pure rule, next to the {@link ChangeJournal} it reads.
 *
 * <p>
 * A service that does not match the filter now is sent as DELETED when it matched at any
 * revision since the client's id, not only at that id: the client may have received it
 * from an earlier, interrupted resume (whose events carry no id, so the client comes back
 * with the same one). A client removing a service it does not hold does no harm; a client
 * keeping one it should have dropped would be silently wrong.
 */
final class ResumePlanner {

    /** One event of a resume. */
    record PlannedEvent(ChangeType type, ServiceSnapshot snapshot) {
    }

    private ResumePlanner() {
    }

    /**
     * Everything a new stream gets before its live events, from the view it registers at:
     * a resume (the changes since the client's id, when the journal still holds them all)
     * or {@code RESET} and the full snapshot; then {@code SYNCED} at the revision of the
     * subscriber's readable namespaces. A client without a usable id gets {@code RESET}
     * first, also on its first connection: it may be an EventSource reconnecting after a
     * cut inside its first snapshot, still holding part of it.
     *
     * <p>
     * With consumer authentication ids end with the tag of the namespaces the client
     * could read when it got them ({@code scopeTag}); an id of another scope than the
     * stream's now is not resumed from: the client may hold services it may no longer
     * read, or miss some it now may. Such a client is shown only the revisions of what it
     * may read ({@link NamespaceScope#revision}): its {@code SYNCED}, and the bound past
     * which an id is "ahead".
     * @param resumeToken the client's last event id, or null
     * @param scopeTag the tag of the subscriber's readable namespaces, empty without
     * consumer authentication
     */
    static List<EventQueue.Item> opening(CatalogView view, ChangeJournal journal, String resumeToken,
            StreamFilter filter, String scopeTag) {
        List<EventQueue.Item> items = new ArrayList<>();
        boolean sameScope = scopeTag.isEmpty() || (resumeToken != null && resumeToken.strip().endsWith("-" + scopeTag));
        OptionalLong since = sameScope ? Revisions.parse(resumeToken, view.epoch()) : OptionalLong.empty();
        NamespaceScope readable = filter.readable();
        long current = readable.revision(view);
        List<ChangeJournal.Entry> missed = since.isPresent() ? journal.after(since.getAsLong(), current, readable)
                : null;
        if (missed != null) {
            for (PlannedEvent event : plan(missed, view::find, filter)) {
                items.add(EventQueue.Item.snapshotEvent(event.type(), event.snapshot()));
            }
        }
        else {
            return snapshot(view, filter, scopeTag, sameScope || Revisions.parse(resumeToken, view.epoch()).isEmpty()
                    ? resetReason(resumeToken, view.epoch(), current) : ResetReason.ACCESS_CHANGED);
        }
        items.add(EventQueue.Item.frame(SseFrames.synced(view.epoch(), current, scopeTag)));
        return items;
    }

    /**
     * {@code RESET} with the reason, every service of the view the filter matches as
     * ADDED, then {@code SYNCED}.
     */
    static List<EventQueue.Item> snapshot(CatalogView view, StreamFilter filter, String scopeTag, ResetReason reason) {
        List<EventQueue.Item> items = new ArrayList<>();
        items.add(EventQueue.Item.frame(SseFrames.reset(reason)));
        for (ServiceSnapshot snapshot : view.services()) {
            if (filter.matches(snapshot)) {
                items.add(EventQueue.Item.snapshotEvent(ChangeType.ADDED, snapshot));
            }
        }
        items.add(EventQueue.Item.frame(SseFrames.synced(view.epoch(), filter.readable().revision(view), scopeTag)));
        return items;
    }

    /**
     * @param current the latest revision the client may know of (its readable
     * namespaces')
     */
    static ResetReason resetReason(String token, String epoch, long current) {
        if (token == null) {
            return ResetReason.NO_EVENT_ID;
        }
        OptionalLong revision = Revisions.parse(token, epoch);
        if (revision.isEmpty()) {
            return ResetReason.UNKNOWN_EVENT_ID;
        }
        return revision.getAsLong() > current ? ResetReason.EVENT_ID_AHEAD : ResetReason.EVENT_ID_EXPIRED;
    }

    /**
     * @param missed every change after the client's revision, in revision order (from
     * {@link ChangeJournal#after})
     * @param current the service's state in the view the resume is sent from
     */
    static List<PlannedEvent> plan(List<ChangeJournal.Entry> missed,
            Function<ServiceKey, Optional<ServiceSnapshot>> current, StreamFilter filter) {
        Map<ServiceKey, List<ChangeJournal.Entry>> byKey = new LinkedHashMap<>();
        for (ChangeJournal.Entry entry : missed) {
            // Re-inserted on every change, so the map ends up in the order of each
            // service's latest change.
            List<ChangeJournal.Entry> entries = byKey.remove(entry.key());
            if (entries == null) {
                entries = new ArrayList<>(2);
            }
            entries.add(entry);
            byKey.put(entry.key(), entries);
        }
        List<PlannedEvent> plan = new ArrayList<>();
        for (Map.Entry<ServiceKey, List<ChangeJournal.Entry>> changes : byKey.entrySet()) {
            ServiceKey key = changes.getKey();
            List<ChangeJournal.Entry> entries = changes.getValue();
            ChangeJournal.Entry first = entries.get(0);
            ChangeJournal.Entry last = entries.get(entries.size() - 1);
            boolean matchedAtStart = first.labelsBefore() != null && filter.matches(key, first.labelsBefore());
            boolean matchedSince = entries.stream()
                .anyMatch(entry -> entry.labelsBefore() != null && filter.matches(key, entry.labelsBefore()));
            ServiceSnapshot now = last.type() == ChangeType.DELETED ? null : current.apply(key).orElse(null);
            if (now != null && filter.matches(now)) {
                plan.add(new PlannedEvent(matchedAtStart ? ChangeType.MODIFIED : ChangeType.ADDED, now));
            }
            else if (matchedSince) {
                ServiceSnapshot lastKnown = now != null ? now : last.tombstone();
                if (lastKnown != null) {
                    plan.add(new PlannedEvent(ChangeType.DELETED, lastKnown));
                }
            }
        }
        return plan;
    }

}
