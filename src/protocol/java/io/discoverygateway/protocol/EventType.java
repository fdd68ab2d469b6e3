package io.discoverygateway.protocol;

import java.util.Optional;

/** The {@code event:} field of the stream's frames; the name is what goes on the wire. */
public enum EventType {

    /** A service the client did not hold: its whole document. */
    ADDED,
    /** A service the client holds changed: its whole document. */
    MODIFIED,
    /**
     * A service the client holds is gone, or no longer matches its filter (or may no
     * longer be read).
     */
    DELETED,
    /**
     * With {@code patches=true}: a change of a service's endpoints only, from a revision
     * the client holds.
     */
    PATCHED,
    /**
     * Drop everything held: a full snapshot follows (the data says why,
     * {@link ResetReason}).
     */
    RESET,
    /** The client holds the complete view at this event's id. */
    SYNCED,
    /**
     * The last event of a stream: reconnect with a fresh token
     * ({@link ReauthenticateReason}).
     */
    REAUTHENTICATE;

    /**
     * The type of a received frame, or empty for one this version does not know (a client
     * skips it).
     */
    public static Optional<EventType> parse(String wire) {
        for (EventType type : values()) {
            if (type.name().equals(wire)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

}
