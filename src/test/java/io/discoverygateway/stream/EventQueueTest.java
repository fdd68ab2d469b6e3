package io.discoverygateway.stream;

import java.util.List;
import java.util.stream.Stream;

import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.ServiceSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a stream's queue merges undelivered live changes of one service: a table of the
 * labels a service goes through (relative to the filter {@code group=in}) and what a
 * subscriber that read nothing meanwhile then receives.
 */
class EventQueueTest {

    private static final StreamFilter FILTER = CatalogDriver.GROUP_IN;

    private final CatalogDriver driver = new CatalogDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    static Stream<Arguments> histories() {
        return Stream.of(Arguments.of("created matching", List.of("in"), "ADDED"),
                Arguments.of("created, then changed", List.of("in", "in2"), "ADDED"),
                Arguments.of("created, then deleted before delivery", List.of("in", "-"), ""),
                Arguments.of("created outside the filter", List.of("out"), ""),
                Arguments.of("created outside, then moved in", List.of("out", "in"), "ADDED"),
                Arguments.of("known, then changed", List.of("+in", "in2"), "MODIFIED"),
                Arguments.of("known, then moved out", List.of("+in", "out"), "DELETED"),
                Arguments.of("known, deleted, re-created", List.of("+in", "-", "in2"), "MODIFIED"),
                Arguments.of("known, deleted, re-created the same", List.of("+in", "-", "in"), ""),
                Arguments.of("known, moved out and back in", List.of("+in", "out", "in2"), "MODIFIED"),
                Arguments.of("known, changed, then deleted", List.of("+in", "in2", "-"), "DELETED"),
                Arguments.of("known, changed and changed back", List.of("+in", "in2", "in"), ""),
                Arguments.of("known, moved out and back unchanged", List.of("+in", "out", "in"), ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void undeliveredChangesOfOneServiceAreMergedIntoWhatTheClientNeeds(String description, List<String> history,
            String expected) {
        EventQueue queue = new EventQueue();
        queue.liveAfter(0);
        ServiceSnapshot held = null;
        for (String step : history) {
            // "+in": the service existed before the subscriber's snapshot; "-": deleted;
            // otherwise its group label.
            boolean known = step.startsWith("+");
            List<ChangeEvent> batch = driver.step(known ? step.substring(1) : step);
            if (known) {
                queue.liveAfter(batch.get(batch.size() - 1).revision());
                held = batch.get(batch.size() - 1).snapshot();
            }
            queue.addLive(batch, FILTER);
        }

        EventQueue.Item item = queue.poll();
        if (item != null) {
            assertThat(item.held()).as("the state the client holds, which a patch builds on")
                .isSameAs(item.type() == ChangeType.ADDED ? null : held);
        }

        assertThat(item == null ? "" : item.type().name()).isEqualTo(expected);
        assertThat(queue.poll()).as("one event per service at most").isNull();
        if (item != null && item.type() != ChangeType.DELETED) {
            assertThat(item.snapshot()).isEqualTo(driver.catalog().view().find(CatalogDriver.KEY).orElseThrow());
            assertThat(item.withId()).as("live events carry their revision as id").isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("undone")
    void aChangeUndoneBeforeDeliveryStillMovesThePatchingClientsRevision(String description, List<String> history) {
        EventQueue queue = new EventQueue(true);
        List<ChangeEvent> first = driver.step(history.get(0));
        queue.liveAfter(first.get(first.size() - 1).revision());
        ServiceSnapshot held = first.get(first.size() - 1).snapshot();
        for (String step : history.subList(1, history.size())) {
            queue.addLive(driver.step(step), FILTER);
        }

        EventQueue.Item item = queue.poll();

        // Its later PATCHED events name the current revision as their base: it must hold
        // it.
        assertThat(item).isNotNull();
        assertThat(item.type()).isEqualTo(ChangeType.MODIFIED);
        assertThat(item.held()).as("what the client holds, the patch's base").isSameAs(held);
        assertThat(item.snapshot().state()).isEqualTo(held.state());
        assertThat(item.snapshot().revision()).isGreaterThan(held.revision());
        assertThat(queue.poll()).isNull();
    }

    static Stream<Arguments> undone() {
        return Stream.of(Arguments.of("changed and changed back", List.of("in", "in2", "in")),
                Arguments.of("deleted and re-created the same", List.of("in", "-", "in")),
                Arguments.of("moved out and back unchanged", List.of("in", "out", "in")));
    }

}
