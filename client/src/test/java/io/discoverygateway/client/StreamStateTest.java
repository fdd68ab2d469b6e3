package io.discoverygateway.client;

import java.time.Clock;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The client's side of the stream protocol: what is published when, and which id is kept.
 */
class StreamStateTest {

    private final StreamState state = new StreamState(Clock.systemUTC());

    @Test
    void theFirstSnapshotIsPublishedWholeAtSynced() {
        state.connected();
        assertThat(state.apply(event("RESET", "{\"reason\":\"no-event-id\"}", null)))
            .isEqualTo(StreamState.Outcome.PENDING);
        assertThat(state.apply(service("ADDED", "web", 1, null))).isEqualTo(StreamState.Outcome.PENDING);
        assertThat(state.view().services()).isEmpty();

        assertThat(state.apply(event("SYNCED", "1", "e-1"))).isEqualTo(StreamState.Outcome.PUBLISHED);
        assertThat(state.view().services()).containsOnlyKeys("shop/web");
        assertThat(state.view().lastEventId()).isEqualTo("e-1");
    }

    @Test
    void aResetAfterAReconnectKeepsTheOldViewUntilTheNewSnapshotIsComplete() {
        synced("web", "db");
        state.connected();
        state.apply(event("RESET", "{\"reason\":\"unknown-event-id\"}", null));
        state.apply(service("ADDED", "web", 7, null));

        assertThat(state.view().services()).containsOnlyKeys("shop/web", "shop/db");
        state.apply(event("SYNCED", "7", "f-7"));
        assertThat(state.view().services()).containsOnlyKeys("shop/web");
    }

    @Test
    void aConnectionLostDuringItsOpeningLeavesTheViewAndTheIdAsTheyWere() {
        synced("web");
        state.connected();
        state.apply(service("DELETED", "web", 3, null));
        state.connected();

        assertThat(state.view().services()).containsOnlyKeys("shop/web");
        assertThat(state.view().lastEventId()).isEqualTo("e-1");
    }

    @Test
    void aResumeAppliesOnTopOfTheViewAndLiveEventsArePublishedAtOnceWithTheirId() {
        synced("web");
        state.connected();
        state.apply(service("ADDED", "db", 2, null));
        state.apply(event("SYNCED", "2", "e-2"));

        assertThat(state.apply(service("DELETED", "web", 3, "e-3"))).isEqualTo(StreamState.Outcome.PUBLISHED);
        assertThat(state.view().services()).containsOnlyKeys("shop/db");
        assertThat(state.view().lastEventId()).isEqualTo("e-3");
    }

    @Test
    void aRequestForAFreshTokenAndUnreadableDataAreReported() {
        synced("web");

        assertThat(state.apply(event("REAUTHENTICATE", "{\"reason\":\"token-expired\"}", null)))
            .isEqualTo(StreamState.Outcome.REAUTHENTICATE);
        assertThat(state.apply(event("MODIFIED", "{not json", "e-9"))).isEqualTo(StreamState.Outcome.MALFORMED);
        assertThat(state.view().lastEventId()).isEqualTo("e-1");
    }

    @Test
    void aPatchChangesTheEndpointsOfTheServiceHeldAtItsBaseRevision() {
        synced("web");

        assertThat(state.apply(event("PATCHED",
                "{\"namespace\":\"shop\",\"name\":\"web\",\"revision\":5,"
                        + "\"baseRevision\":1,\"endpoints\":[{\"addresses\":[\"10.0.0.1\"],\"ready\":false,\"ports\":"
                        + "[{\"name\":\"http\",\"port\":8080}]},{\"addresses\":[\"10.0.0.3\"],\"ports\":[{\"name\":"
                        + "\"http\",\"port\":8080}]}],\"removed\":[]}",
                "e-5")))
            .isEqualTo(StreamState.Outcome.PUBLISHED);

        ServiceEntry web = state.view().services().get("shop/web");
        assertThat(web.revision()).isEqualTo(5);
        assertThat(web.endpoints()).extracting(Endpoint::address, Endpoint::ready)
            .containsExactly(tuple("10.0.0.1", false), tuple("10.0.0.3", true));
        assertThat(state.view().lastEventId()).isEqualTo("e-5");
    }

    @Test
    void aPatchRemovesTheEndpointsItLists() {
        synced("web");

        state.apply(event("PATCHED",
                "{\"namespace\":\"shop\",\"name\":\"web\",\"revision\":2,"
                        + "\"baseRevision\":1,\"endpoints\":[],\"removed\":[{\"addresses\":[\"10.0.0.1\"],\"ports\":"
                        + "[{\"name\":\"http\",\"port\":8080}]}]}",
                "e-2"));

        assertThat(state.view().services().get("shop/web").endpoints()).isEmpty();
    }

    @Test
    void aPatchForARevisionTheClientDoesNotHoldIsRefusedAndChangesNothing() {
        synced("web");

        assertThat(state.apply(event("PATCHED",
                "{\"namespace\":\"shop\",\"name\":\"web\",\"revision\":9,"
                        + "\"baseRevision\":8,\"endpoints\":[],\"removed\":[]}",
                "e-9")))
            .isEqualTo(StreamState.Outcome.MALFORMED);
        assertThat(state.view().services().get("shop/web").revision()).isEqualTo(1);
        assertThat(state.view().lastEventId()).as("the resume starts before the refused patch").isEqualTo("e-1");
    }

    private void synced(String... names) {
        state.connected();
        state.apply(event("RESET", "{}", null));
        for (String name : names) {
            state.apply(service("ADDED", name, 1, null));
        }
        state.apply(event("SYNCED", "1", "e-1"));
    }

    private static ServerSentEvents.Event service(String type, String name, long revision, String id) {
        return event(type,
                "{\"namespace\":\"shop\",\"name\":\"" + name + "\",\"revision\":" + revision
                        + ",\"endpoints\":[{\"addresses\":[\"10.0.0.1\"],\"ready\":true,\"ports\":[{\"name\":\"http\","
                        + "\"port\":8080}]}]}",
                id);
    }

    private static ServerSentEvents.Event event(String type, String data, String id) {
        return new ServerSentEvents.Event(type, data, id);
    }

}
