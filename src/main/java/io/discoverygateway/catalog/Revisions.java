package io.discoverygateway.catalog;

import java.util.OptionalLong;

/**
 * The gateway's version tokens. A revision is a counter that grows by one with every
 * change of any service; the epoch is a random id chosen at start-up, so a token from
 * another replica or an earlier run is never mistaken for one of ours. A token reads
 * {@code <epoch>-<revision>}; an entity tag is the same, quoted.
 */
public final class Revisions {

    private Revisions() {
    }

    public static String token(String epoch, long revision) {
        return epoch + '-' + revision;
    }

    public static String etag(String epoch, long revision) {
        return '"' + token(epoch, revision) + '"';
    }

    /**
     * The revision in a token (or entity tag) of this epoch; empty for a token of another
     * epoch or anything malformed. A suffix after the revision (an entity tag of another
     * representation) is ignored.
     */
    public static OptionalLong parse(String token, String epoch) {
        if (token == null) {
            return OptionalLong.empty();
        }
        String trimmed = token.strip();
        if (trimmed.startsWith("W/")) {
            trimmed = trimmed.substring(2);
        }
        if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        if (!trimmed.startsWith(epoch + "-")) {
            return OptionalLong.empty();
        }
        String rest = trimmed.substring(epoch.length() + 1);
        int end = 0;
        while (end < rest.length() && Character.isDigit(rest.charAt(end)) && rest.charAt(end) < 128) {
            end++;
        }
        if (end == 0 || end > 18 || (end < rest.length() && rest.charAt(end) != '-')) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(rest.substring(0, end)));
    }

}
