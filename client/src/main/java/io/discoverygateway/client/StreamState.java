package io.discoverygateway.client;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import io.discoverygateway.protocol.EventType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's stream protocol on the client side, as a pure state machine fed with
 * events; no I/O, no threads (its {@link DiscoveryStream} calls it from its one reader
 * thread).
 * <ul>
 * <li>Every connection opens with a resume (changes since the id sent) or a full snapshot
 * (after {@code RESET}), ended by {@code SYNCED}. The opening is applied to a staging
 * copy and published whole at {@code SYNCED}: the published view never goes empty or
 * half-updated because of a reconnect, a restart of the gateway or a {@code RESET}, and a
 * connection lost during its opening leaves the view as it was.</li>
 * <li>After {@code SYNCED}, each live event is published at once; a {@code PATCHED} event
 * (the endpoints that changed) is applied to the service held at its base revision, and
 * refused as malformed otherwise.</li>
 * <li>Only events with an id ({@code SYNCED} and live events) move the id sent on the
 * next connection, as the protocol requires.</li>
 * </ul>
 */
final class StreamState {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What an event did. */
    enum Outcome {

        /** Nothing visible yet (an event of an opening, a heartbeat). */
        PENDING,
        /** A new view is published. */
        PUBLISHED,
        /** The server asks for a fresh token: reconnect now. */
        REAUTHENTICATE,
        /** The data could not be read: reconnect (the view stays as it was). */
        MALFORMED

    }

    private final Clock clock;

    private DiscoveryView view = DiscoveryView.EMPTY;

    /** The view being built by a connection's opening; null once live. */
    private Map<String, ServiceEntry> staging;

    private long resets;

    StreamState(Clock clock) {
        this.clock = clock;
    }

    /**
     * A new connection: its opening (a resume or, after RESET, a snapshot) builds on a
     * copy of the view.
     */
    void connected() {
        staging = new HashMap<>(view.services());
    }

    Outcome apply(ServerSentEvents.Event event) {
        EventType type = EventType.parse(event.type()).orElse(null);
        if (type == null) {
            // A type of a later version of the protocol: skipped, as EventSource skips
            // what it has no listener for.
            return Outcome.PENDING;
        }
        switch (type) {
            case RESET -> {
                resets++;
                staging = new HashMap<>();
                return Outcome.PENDING;
            }
            case SYNCED -> {
                Map<String, ServiceEntry> services = staging != null ? staging : view.services();
                staging = null;
                view = new DiscoveryView(services, event.id() != null ? event.id() : view.lastEventId(),
                        clock.instant());
                return Outcome.PUBLISHED;
            }
            case ADDED, MODIFIED, DELETED -> {
                ServiceEntry service;
                try {
                    service = ServiceEntry.parse(JSON.readTree(event.data()));
                }
                catch (RuntimeException ex) {
                    return Outcome.MALFORMED;
                }
                if (staging != null) {
                    change(staging, type, service);
                    return Outcome.PENDING;
                }
                Map<String, ServiceEntry> services = new HashMap<>(view.services());
                change(services, type, service);
                view = new DiscoveryView(services, event.id() != null ? event.id() : view.lastEventId(),
                        clock.instant());
                return Outcome.PUBLISHED;
            }
            case PATCHED -> {
                return patch(event);
            }
            case REAUTHENTICATE -> {
                return Outcome.REAUTHENTICATE;
            }
            default -> throw new IllegalStateException("unhandled " + type);
        }
    }

    /**
     * A live change of one service's endpoints. A patch for another revision than the one
     * held would be a protocol error: the event is refused (MALFORMED: reconnect, and the
     * resume sends the service whole).
     */
    private Outcome patch(ServerSentEvents.Event event) {
        Map<String, ServiceEntry> services = staging != null ? staging : view.services();
        String key;
        ServiceEntry patched;
        try {
            JsonNode patch = JSON.readTree(event.data());
            key = patch.path("namespace").asString("") + "/" + patch.path("name").asString("");
            ServiceEntry held = services.get(key);
            patched = held == null ? null : held.patched(patch);
        }
        catch (RuntimeException ex) {
            return Outcome.MALFORMED;
        }
        if (patched == null) {
            return Outcome.MALFORMED;
        }
        if (staging != null) {
            staging.put(key, patched);
            return Outcome.PENDING;
        }
        Map<String, ServiceEntry> next = new HashMap<>(services);
        next.put(key, patched);
        view = new DiscoveryView(next, event.id() != null ? event.id() : view.lastEventId(), clock.instant());
        return Outcome.PUBLISHED;
    }

    private static void change(Map<String, ServiceEntry> services, EventType type, ServiceEntry service) {
        if (type == EventType.DELETED) {
            services.remove(service.key());
        }
        else {
            services.put(service.key(), service);
        }
    }

    DiscoveryView view() {
        return view;
    }

    long resets() {
        return resets;
    }

}
