package io.discoverygateway.client;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServerSentEventsTest {

    private final List<ServerSentEvents.Event> events = new ArrayList<>();

    private final ServerSentEvents parser = new ServerSentEvents(events::add);

    @Test
    void aBlankLineDispatchesTheFieldsBeforeIt() {
        feed("retry: 3000", "", "id: e-5", "event: SYNCED", "data: 5", "", ": heartbeat", "");

        assertThat(events).containsExactly(new ServerSentEvents.Event("SYNCED", "5", "e-5"));
    }

    @Test
    void severalDataLinesAreJoinedAndAnEventWithoutIdHasNone() {
        feed("event: ADDED", "data: {\"a\":", "data:1}", "");

        assertThat(events).containsExactly(new ServerSentEvents.Event("ADDED", "{\"a\":\n1}", null));
    }

    @Test
    void anEventWithoutATypeIsAMessageAndUnknownFieldsAreIgnored() {
        feed("data: hello", "colour: blue", "");

        assertThat(events).containsExactly(new ServerSentEvents.Event("message", "hello", null));
    }

    private void feed(String... lines) {
        for (String line : lines) {
            parser.line(line);
        }
    }

}
