package io.discoverygateway.protocol;

import java.util.Arrays;
import java.util.List;

/** Why a stream sends {@code RESET}: its data is {@code {"reason":"<wire name>"}}. */
public enum ResetReason {

    /** A new stream, or one that resumed without an id. */
    NO_EVENT_ID("no-event-id"),
    /**
     * The id is not of this gateway's epoch (another replica's, or from before a
     * restart), or not an id at all.
     */
    UNKNOWN_EVENT_ID("unknown-event-id"),
    /** The change journal no longer reaches back to the id. */
    EVENT_ID_EXPIRED("event-id-expired"),
    /** The id names a revision this gateway has not reached. */
    EVENT_ID_AHEAD("event-id-ahead"),
    /** The id was sent under other read permissions than the consumer has now. */
    ACCESS_CHANGED("access-changed"),
    /**
     * The gateway fell too far behind with the stream's changes: it starts over from the
     * current state.
     */
    OVERLOADED("overloaded"),
    /**
     * The gateway failed to deliver a change to the stream: it starts over from the
     * current state.
     */
    INTERNAL_ERROR("internal-error");

    private final String wireName;

    ResetReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Every wire name, in declaration order (the OpenAPI enum). */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(ResetReason::wireName).toList();
    }

}
