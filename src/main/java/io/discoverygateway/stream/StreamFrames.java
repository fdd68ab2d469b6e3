package io.discoverygateway.stream;

import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.SnapshotEncoder;

/**
 * Chooses how a subscriber's service events are encoded. Frames are built once per
 * snapshot and distinct representation, and shared by every subscriber that wants the
 * same one: one encoding of each changed service for all plain subscribers, and one per
 * distinct {@code podLabelSelector} for those that filter endpoints, however many there
 * are. With {@code patches} a live change of a service's endpoints is a {@code PATCHED}
 * event, shared by every subscriber that holds the same revision of the service (all that
 * keep up), when one applies (see {@link EndpointPatch}).
 *
 * <p>
 * Threads: stateless; the encoders it returns run on the {@code sse-writer} threads.
 */
final class StreamFrames {

    private final String epoch;

    private final SnapshotEncoder encoder;

    private final StreamMetrics metrics;

    StreamFrames(String epoch, SnapshotEncoder encoder, StreamMetrics metrics) {
        this.epoch = epoch;
        this.encoder = encoder;
        this.metrics = metrics;
    }

    Subscriber.FrameEncoder encoderFor(StreamFilter filter, boolean patches) {
        boolean everyEndpoint = filter.podSelector().isEverything();
        String podSelector = everyEndpoint ? "" : filter.podSelector().toString();
        Subscriber.FrameEncoder whole = everyEndpoint
                ? (type, snapshot, held, withId, scopeTag) -> SseFrames.service(type, snapshot, epoch, withId, scopeTag,
                        metrics)
                : (type, snapshot, held, withId, scopeTag) -> SseFrames.filtered(type, snapshot, epoch, withId,
                        scopeTag, podSelector, s -> encoder.document(s, filter::keeps), metrics);
        if (!patches) {
            return whole;
        }
        return (type, snapshot, held, withId, scopeTag) -> {
            if (type == ChangeType.MODIFIED && held != null && withId) {
                byte[] patch = SseFrames.patch(snapshot, held, epoch, scopeTag, podSelector, filter::keeps, encoder,
                        metrics);
                if (patch != null) {
                    metrics.eventPatched();
                    return patch;
                }
            }
            return whole.frame(type, snapshot, held, withId, scopeTag);
        };
    }

}
