package io.discoverygateway.stream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.Revisions;
import io.discoverygateway.catalog.ServiceSnapshot;

/**
 * The wire format of the stream (WHATWG server-sent events). A service event's frame is built once per snapshot,
 * type and id presence, then written as the same bytes to every subscriber.
 */
final class SseFrames {

    static final byte[] HEARTBEAT = ascii(": heartbeat\n\n");

    /** The frame of a service event, kept with its snapshot. */
    private record Frame(ChangeType type, boolean withId) implements ServiceSnapshot.Representation {
    }

    /** The frame of a service event with the endpoints a pod selector keeps. */
    private record FilteredFrame(ChangeType type, boolean withId, String podSelector)
            implements ServiceSnapshot.Representation {
    }

    private SseFrames() {
    }

    /**
     * A service event with the snapshot's own JSON. With {@code withId} the frame carries the snapshot's revision as
     * {@code id:} (live events); without, the client's last event id stays what it was (snapshot and resume events,
     * which are not resume points on their own).
     */
    static byte[] service(ChangeType type, ServiceSnapshot snapshot, String epoch, boolean withId,
            StreamMetrics metrics) {
        return snapshot.derived(new Frame(type, withId), s -> {
            metrics.frameEncoded();
            return service(type, s, epoch, withId, s.json());
        });
    }

    /**
     * A service event whose endpoints are those whose pod matches a selector: encoded once per snapshot, type, id
     * presence and selector, and shared by every subscriber with that selector.
     */
    static byte[] filtered(ChangeType type, ServiceSnapshot snapshot, String epoch, boolean withId, String selector,
            Function<ServiceSnapshot, byte[]> document, StreamMetrics metrics) {
        return snapshot.derived(new FilteredFrame(type, withId, selector), s -> {
            metrics.frameEncoded();
            return service(type, s, epoch, withId, document.apply(s));
        });
    }

    /** A frame with other data than the snapshot's own JSON (for a subscriber that filters endpoints). */
    static byte[] service(ChangeType type, ServiceSnapshot snapshot, String epoch, boolean withId, byte[] json) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(json.length + 64);
        if (withId) {
            frame.writeBytes(ascii("id: " + Revisions.token(epoch, snapshot.revision()) + "\n"));
        }
        frame.writeBytes(ascii("event: " + type + "\ndata: "));
        // The JSON is compact: no line breaks, so it is one data line.
        frame.writeBytes(json);
        frame.writeBytes(ascii("\n\n"));
        return frame.toByteArray();
    }

    /** Ends the initial snapshot or a resume: the client now holds the complete view at this revision. */
    static byte[] synced(String epoch, long revision) {
        return ascii("id: " + Revisions.token(epoch, revision) + "\nevent: SYNCED\ndata: " + revision + "\n\n");
    }

    /** Tells the client to drop what it holds: a full snapshot follows. */
    static byte[] reset(String reason) {
        return ("event: RESET\ndata: {\"reason\":\"" + reason + "\"}\n\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] retry(long millis) {
        return ascii("retry: " + millis + "\n\n");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
