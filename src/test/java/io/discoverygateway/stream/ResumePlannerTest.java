package io.discoverygateway.stream;

import java.util.List;
import java.util.stream.Stream;

import io.discoverygateway.access.NamespaceScope;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a resume sends for one service, by the labels it went through after the client's
 * id (filter {@code group=in}): a table of histories and the planned event.
 */
class ResumePlannerTest {

    private static final StreamFilter FILTER = CatalogDriver.GROUP_IN;

    private final CatalogDriver driver = new CatalogDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    static Stream<Arguments> histories() {
        return Stream.of(Arguments.of("absent at the id, created matching", "", List.of("in"), "ADDED"),
                Arguments.of("matching at the id, changed", "in", List.of("in2"), "MODIFIED"),
                Arguments.of("matching at the id, moved out", "in", List.of("out"), "DELETED"),
                Arguments.of("matching at the id, deleted", "in", List.of("-"), "DELETED"),
                Arguments.of("outside at the id, changed outside", "out", List.of("out2"), "nothing"),
                Arguments.of("outside at the id, moved in", "out", List.of("in"), "ADDED"),
                Arguments.of("outside at the id, in for a while, out again", "out", List.of("in", "out2"), "DELETED"),
                Arguments.of("absent, created matching, deleted", "", List.of("in", "-"), "DELETED"),
                Arguments.of("matching, deleted, re-created matching", "in", List.of("-", "in"), "MODIFIED"),
                Arguments.of("absent, created outside, deleted", "", List.of("out", "-"), "nothing"));
    }

    /**
     * "Matched at any revision since the id" decides DELETED, not "matched at the id": a
     * client may hold the service from an interrupted resume, whose events carry no id.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void aServiceChangedSinceTheIdIsSentOnceInItsCurrentState(String description, String atTheId, List<String> since,
            String expected) {
        ChangeJournal journal = new ChangeJournal(100);
        if (!atTheId.isEmpty()) {
            journal.append(driver.step(atTheId));
        }
        long id = driver.catalog().view().revision();
        for (String step : since) {
            journal.append(driver.step(step));
        }

        List<ResumePlanner.PlannedEvent> plan = ResumePlanner.plan(
                journal.after(id, driver.catalog().view().revision(), NamespaceScope.EVERYTHING),
                driver.catalog().view()::find, FILTER);

        assertThat(plan.isEmpty() ? "nothing" : plan.get(0).type().name()).isEqualTo(expected);
        assertThat(plan).hasSizeLessThanOrEqualTo(1);
    }

}
