package io.discoverygateway.client;

import java.util.function.Consumer;

/**
 * The WHATWG server-sent-events wire format, one line at a time: {@code event:},
 * {@code data:} (several joined with newlines), {@code id:}, comments; a blank line
 * dispatches. A pure parser with no I/O. The {@code retry:} field is ignored like any
 * unknown one: it is a browser's reconnection delay, and {@link DiscoveryStream}
 * reconnects by its own rule (at once after a healthy connection, else by its back-off).
 */
public final class ServerSentEvents {

    /**
     * One dispatched event.
     *
     * @param type its {@code event:} field ("message" when none)
     * @param data its data lines joined by newlines
     * @param id its {@code id:} field, or null when it had none (the last event id then
     * stays what it was)
     */
    public record Event(String type, String data, String id) {
    }

    private final Consumer<Event> sink;

    private String type;

    private StringBuilder data;

    private String id;

    public ServerSentEvents(Consumer<Event> sink) {
        this.sink = sink;
    }

    /** Feeds one line, without its line terminator. */
    public void line(String line) {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.charAt(0) == ':') {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> type = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                }
                else {
                    data.append('\n').append(value);
                }
            }
            case "id" -> {
                if (value.indexOf('\u0000') < 0) {
                    id = value;
                }
            }
            default -> {
                // Unknown fields are ignored, as the standard says.
            }
        }
    }

    private void dispatch() {
        if (data != null || type != null) {
            sink.accept(new Event(type == null ? "message" : type, data == null ? "" : data.toString(), id));
        }
        type = null;
        data = null;
        id = null;
    }

}
