package io.discoverygateway.stream;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.SnapshotEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a stream's queue merges undelivered live changes of one service: a table of the labels a service goes through
 * (relative to the filter {@code group=in}) and what a subscriber that read nothing meanwhile then receives.
 */
class EventQueueTest {

    private static final StreamFilter FILTER = new StreamFilter(Set.of(), Set.of(), Set.of(),
            LabelSelector.parse("group=in"), LabelSelector.everything());

    private final Catalog catalog = new Catalog("e", new SnapshotEncoder(JsonMapper.builder().build()),
            Clock.systemUTC());
    private final List<ChangeEvent> changes = new java.util.concurrent.CopyOnWriteArrayList<>();

    EventQueueTest() {
        catalog.addListener((view, batch) -> changes.addAll(batch));
    }

    @AfterEach
    void close() {
        catalog.close();
    }

    static Stream<Arguments> histories() {
        return Stream.of(
                Arguments.of("created matching", List.of("in"), "ADDED"),
                Arguments.of("created, then changed", List.of("in", "in2"), "ADDED"),
                Arguments.of("created, then deleted before delivery", List.of("in", "-"), ""),
                Arguments.of("created outside the filter", List.of("out"), ""),
                Arguments.of("created outside, then moved in", List.of("out", "in"), "ADDED"),
                Arguments.of("known, then changed", List.of("+in", "in2"), "MODIFIED"),
                Arguments.of("known, then moved out", List.of("+in", "out"), "DELETED"),
                Arguments.of("known, deleted, re-created", List.of("+in", "-", "in"), "MODIFIED"),
                Arguments.of("known, moved out and back in", List.of("+in", "out", "in2"), "MODIFIED"),
                Arguments.of("known, changed, then deleted", List.of("+in", "in2", "-"), "DELETED"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void undeliveredChangesOfOneServiceAreMergedIntoWhatTheClientNeeds(String description, List<String> history,
            String expected) {
        EventQueue queue = new EventQueue();
        queue.liveAfter(0);
        for (String step : history) {
            // "+in": the service existed before the subscriber's snapshot; "-": deleted; otherwise its group label.
            boolean known = step.startsWith("+");
            String group = known ? step.substring(1) : step;
            if (group.equals("-")) {
                catalog.removeService(new ServiceKey("ns", "svc"));
            }
            else {
                catalog.upsertService(new ServiceResource(new ServiceKey("ns", "svc"), "uid", "ClusterIP", List.of(),
                        List.of(), null, List.of(), Map.of("group", group.startsWith("in") ? "in" : "out"),
                        Map.of("step", group)));
            }
            List<ChangeEvent> batch = settle();
            if (known) {
                queue.liveAfter(batch.get(batch.size() - 1).revision());
            }
            queue.addLive(batch, FILTER);
        }

        EventQueue.Item item = queue.poll();

        assertThat(item == null ? "" : item.type().name()).isEqualTo(expected);
        assertThat(queue.poll()).as("one event per service at most").isNull();
        if (item != null && item.type() != ChangeType.DELETED) {
            assertThat(item.snapshot()).isEqualTo(catalog.view().find(new ServiceKey("ns", "svc")).orElseThrow());
            assertThat(item.withId()).as("live events carry their revision as id").isTrue();
        }
    }

    /** The changes the catalog made since the last call, once it has applied everything. */
    private List<ChangeEvent> settle() {
        catalog.afterPending(() -> {
        }).join();
        List<ChangeEvent> made = List.copyOf(changes);
        changes.clear();
        return made;
    }
}
