package io.discoverygateway.stream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.Revisions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With consumer authentication, event ids carry the tag of the namespaces the client
 * could read: a resume is answered as a resume only for an id of the stream's current
 * scope.
 */
class ScopedResumeTest {

    private static final StreamFilter FILTER = CatalogDriver.GROUP_IN;

    private final CatalogDriver driver = new CatalogDriver();

    private final ChangeJournal journal = new ChangeJournal(100);

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void anIdOfTheSameScopeResumes() {
        String tag = NamespaceScope.of(Set.of("ns")).tag();
        String id = idAfter("in1", tag);
        journal.append(driver.step("in2"));

        List<String> frames = frames(ResumePlanner.opening(view(), journal, id, FILTER, tag));

        assertThat(frames.get(0)).startsWith("event: MODIFIED");
        assertThat(frames.get(frames.size() - 1)).contains("-" + tag + "\nevent: SYNCED");
    }

    @Test
    void anIdOfAnotherScopeGetsAResetAndTheFullSnapshot() {
        String id = idAfter("in1", NamespaceScope.of(Set.of("ns", "other")).tag());
        String now = NamespaceScope.of(Set.of("ns")).tag();

        List<String> frames = frames(ResumePlanner.opening(view(), journal, id, FILTER, now));

        assertThat(frames.get(0)).contains("event: RESET", "access-changed");
        assertThat(frames.get(1)).startsWith("event: ADDED");
    }

    @Test
    void anUntaggedIdIsNotResumedFromWhenConsumersAreAuthenticated() {
        String id = idAfter("in1", "");

        List<String> frames = frames(
                ResumePlanner.opening(view(), journal, id, FILTER, NamespaceScope.EVERYTHING.tag()));

        assertThat(frames.get(0)).contains("access-changed");
    }

    @Test
    void aConsumerIsShownTheRevisionOfItsNamespacesNotTheCatalogs() {
        String tag = NamespaceScope.of(Set.of("ns")).tag();
        String id = idAfter("in1", tag);
        long ours = view().revision();
        busyElsewhere(5);

        List<String> frames = frames(ResumePlanner.opening(view(), journal, null, scoped(), tag));

        assertThat(view().revision()).isEqualTo(ours + 5);
        assertThat(frames.get(frames.size() - 1)).isEqualTo("id: " + id + "\nevent: SYNCED\ndata: " + ours + "\n\n");
    }

    @Test
    void anIdPastItsNamespacesRevisionIsAheadWhateverChangedElsewhere() {
        String tag = NamespaceScope.of(Set.of("ns")).tag();
        idAfter("in1", tag);
        busyElsewhere(5);
        // A forged id below the catalog's revision: answering "expired" would tell that
        // much changed elsewhere.
        String forged = SseFrames.id(view().epoch(), view().revision() - 1, tag);

        List<String> frames = frames(ResumePlanner.opening(view(), journal, forged, scoped(), tag));

        assertThat(frames.get(0)).contains("event: RESET", "event-id-ahead");
    }

    @Test
    void aQuietNamespaceResumesAfterTheJournalDroppedAnotherNamespacesChanges() {
        String tag = NamespaceScope.of(Set.of("ns")).tag();
        ChangeJournal small = new ChangeJournal(3);
        small.append(driver.step("in1"));
        String id = SseFrames.id(view().epoch(), view().revision(), tag);
        for (int i = 0; i < 10; i++) {
            small.append(otherNamespaceChange(i));
        }

        List<String> frames = frames(ResumePlanner.opening(view(), small, id, scoped(), tag));

        assertThat(frames).singleElement().satisfies(frame -> assertThat(frame).contains("event: SYNCED"));
        assertThat(small.after(Revisions.parse(id, view().epoch()).getAsLong(), view().revision(),
                NamespaceScope.EVERYTHING))
            .as("a client of every namespace has lost changes")
            .isNull();
    }

    @Test
    void aNamespaceWhoseOwnChangesWereDroppedGetsAFullSnapshot() {
        String tag = NamespaceScope.of(Set.of("ns")).tag();
        ChangeJournal small = new ChangeJournal(3);
        small.append(driver.step("in1"));
        String id = SseFrames.id(view().epoch(), view().revision(), tag);
        small.append(driver.step("in2"));
        for (int i = 0; i < 3; i++) {
            small.append(otherNamespaceChange(i));
        }

        List<String> frames = frames(ResumePlanner.opening(view(), small, id, scoped(), tag));

        assertThat(frames.get(0)).contains("event: RESET", "event-id-expired");
    }

    @Test
    void scopeTagsDifferByNamespacesAndNotByOrder() {
        assertThat(NamespaceScope.of(Set.of("a", "b")).tag()).isEqualTo(NamespaceScope.of(Set.of("b", "a")).tag())
            .isNotEqualTo(NamespaceScope.of(Set.of("a")).tag())
            .isNotEqualTo(NamespaceScope.EVERYTHING.tag());
        assertThat(NamespaceScope.of(Set.of()).tag()).isNotEqualTo(NamespaceScope.EVERYTHING.tag());
    }

    private static StreamFilter scoped() {
        return FILTER.withReadable(NamespaceScope.of(Set.of("ns")));
    }

    private void busyElsewhere(int changes) {
        for (int i = 0; i < changes; i++) {
            journal.append(otherNamespaceChange(i));
        }
    }

    private List<ChangeEvent> otherNamespaceChange(int version) {
        return driver.changeElsewhere(version);
    }

    private String idAfter(String step, String tag) {
        journal.append(driver.step(step));
        return SseFrames.id(view().epoch(), view().revision(), tag);
    }

    private CatalogView view() {
        return driver.catalog().view();
    }

    private static List<String> frames(List<EventQueue.Item> items) {
        return items.stream()
            .map(item -> item.frame() != null ? new String(item.frame(), StandardCharsets.UTF_8)
                    : "event: " + item.type() + "\n")
            .toList();
    }

}
