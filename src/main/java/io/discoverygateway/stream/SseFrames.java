package io.discoverygateway.stream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.Predicate;

import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.Revisions;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.protocol.EventType;
import io.discoverygateway.protocol.ReauthenticateReason;
import io.discoverygateway.protocol.ResetReason;
import io.discoverygateway.web.JsonBuffer;

/**
 * The wire format of the stream (WHATWG server-sent events). A service event's frame is
 * built once per snapshot, type and id presence, then written as the same bytes to every
 * subscriber.
 */
final class SseFrames {

    static final byte[] HEARTBEAT = ascii(": heartbeat\n\n");

    /** The frame of a service event, kept with its snapshot. */
    private record Frame(ChangeType type, boolean withId, String scopeTag) implements ServiceSnapshot.Representation {
    }

    /** The frame of a service event with the endpoints a pod selector keeps. */
    private record FilteredFrame(ChangeType type, boolean withId, String scopeTag,
            String podSelector) implements ServiceSnapshot.Representation {
    }

    /**
     * The {@code PATCHED} frame from one held revision, for one pod selector ("" for
     * none).
     */
    private record PatchFrame(long baseRevision, String scopeTag,
            String podSelector) implements ServiceSnapshot.Representation {
    }

    /**
     * Kept in a snapshot's representations where no patch applies, so that the rule runs
     * once there too.
     */
    private static final byte[] NO_PATCH = new byte[0];

    private SseFrames() {
    }

    /**
     * A service event with the snapshot's own JSON. With {@code withId} the frame carries
     * the snapshot's revision as {@code id:} (live events); without, the client's last
     * event id stays what it was (snapshot and resume events, which are not resume points
     * on their own). {@code scopeTag} (empty without consumer authentication) is appended
     * to the id: the namespaces the subscriber could read when it was sent.
     */
    static byte[] service(ChangeType type, ServiceSnapshot snapshot, String epoch, boolean withId, String scopeTag,
            StreamMetrics metrics) {
        return snapshot.derived(new Frame(type, withId, withId ? scopeTag : ""), s -> {
            metrics.frameEncoded();
            return service(type, s, epoch, withId, scopeTag, s.json());
        });
    }

    /**
     * A service event whose endpoints are those whose pod matches a selector: encoded
     * once per snapshot, type, id presence and selector, and shared by every subscriber
     * with that selector.
     */
    static byte[] filtered(ChangeType type, ServiceSnapshot snapshot, String epoch, boolean withId, String scopeTag,
            String selector, Function<ServiceSnapshot, byte[]> document, StreamMetrics metrics) {
        return snapshot.derived(new FilteredFrame(type, withId, withId ? scopeTag : "", selector), s -> {
            metrics.frameEncoded();
            return service(type, s, epoch, withId, scopeTag, document.apply(s));
        });
    }

    /**
     * A live {@code PATCHED} event taking a client from {@code held} to {@code snapshot}
     * (see {@link EndpointPatch}), or null when the client needs the whole document.
     * Built once per snapshot, held revision, scope tag and pod selector, and shared by
     * every subscriber that holds the same revision: those that keep up.
     */
    static byte[] patch(ServiceSnapshot snapshot, ServiceSnapshot held, String epoch, String scopeTag,
            String podSelector, Predicate<Endpoint> keeps, SnapshotEncoder encoder, StreamMetrics metrics) {
        byte[] frame = snapshot.derived(new PatchFrame(held.revision(), scopeTag, podSelector),
                s -> EndpointPatch.between(held, s, keeps).map(patch -> {
                    metrics.frameEncoded();
                    return event(EventType.PATCHED, s, epoch, true, scopeTag,
                            encoder.endpointPatch(s, held.revision(), patch.endpoints(), patch.removed()));
                }).orElse(NO_PATCH));
        return frame.length == 0 ? null : frame;
    }

    /**
     * A frame with other data than the snapshot's own JSON (for a subscriber that filters
     * endpoints).
     */
    static byte[] service(ChangeType type, ServiceSnapshot snapshot, String epoch, boolean withId, String scopeTag,
            byte[] json) {
        return event(EventType.valueOf(type.name()), snapshot, epoch, withId, scopeTag, json);
    }

    private static byte[] event(EventType type, ServiceSnapshot snapshot, String epoch, boolean withId, String scopeTag,
            byte[] json) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(json.length + 64);
        if (withId) {
            frame.writeBytes(ascii("id: " + id(epoch, snapshot.revision(), scopeTag) + "\n"));
        }
        frame.writeBytes(ascii("event: " + type + "\ndata: "));
        // The JSON is compact: no line breaks, so it is one data line.
        frame.writeBytes(json);
        frame.writeBytes(ascii("\n\n"));
        return frame.toByteArray();
    }

    /**
     * Ends the initial snapshot or a resume: the client now holds the complete view at
     * this revision.
     */
    static byte[] synced(String epoch, long revision, String scopeTag) {
        return ascii("id: " + id(epoch, revision, scopeTag) + "\nevent: " + EventType.SYNCED + "\ndata: " + revision
                + "\n\n");
    }

    /**
     * An event id: the revision token, and the subscriber's scope tag when consumers are
     * authenticated.
     */
    static String id(String epoch, long revision, String scopeTag) {
        return Revisions.token(epoch, revision) + (scopeTag.isEmpty() ? "" : "-" + scopeTag);
    }

    /**
     * A service the subscriber may no longer read (access to its namespace was
     * withdrawn): DELETED with its identity only, not its current state, which the
     * subscriber is no longer allowed to see.
     */
    static byte[] revoked(ServiceSnapshot snapshot) {
        return event(EventType.DELETED,
                new JsonBuffer(128).beginObject()
                    .field("namespace", snapshot.key().namespace())
                    .field("name", snapshot.key().name())
                    .field("revision", snapshot.revision())
                    .name("endpoints")
                    .beginArray()
                    .endArray()
                    .field("reason", ReauthenticateReason.ACCESS_REVOKED.wireName())
                    .endObject());
    }

    /**
     * The last event of a stream whose token expired or is no longer accepted: the client
     * should reconnect with a fresh token (and its last event id).
     */
    static byte[] reauthenticate(ReauthenticateReason reason) {
        return event(EventType.REAUTHENTICATE,
                new JsonBuffer(48).beginObject().field("reason", reason.wireName()).endObject());
    }

    /** Tells the client to drop what it holds: a full snapshot follows. */
    static byte[] reset(ResetReason reason) {
        return event(EventType.RESET, new JsonBuffer(48).beginObject().field("reason", reason.wireName()).endObject());
    }

    /**
     * An event without an id, whose data is the buffer's JSON (one line: it has no line
     * breaks).
     */
    private static byte[] event(EventType type, JsonBuffer data) {
        byte[] json = data.toByteArray();
        ByteArrayOutputStream frame = new ByteArrayOutputStream(json.length + 32);
        frame.writeBytes(ascii("event: " + type + "\ndata: "));
        frame.writeBytes(json);
        frame.writeBytes(ascii("\n\n"));
        return frame.toByteArray();
    }

    static byte[] retry(long millis) {
        return ascii("retry: " + millis + "\n\n");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

}
