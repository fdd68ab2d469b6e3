package io.discoverygateway.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer authenticated by a TokenReview: the user Kubernetes says the token belongs to.
 *
 * @param username for a ServiceAccount token {@code system:serviceaccount:<namespace>:<name>}
 * @param uid the user's uid, may be empty
 * @param groups the user's groups
 * @param extra the review's extra attributes (passed on to SubjectAccessReviews, as Kubernetes requires)
 * @param expiresAt when the token expires (its {@code exp} claim), or null when it cannot be read
 */
public record Consumer(String username, String uid, List<String> groups, Map<String, List<String>> extra,
        Instant expiresAt) {

    public Consumer {
        groups = List.copyOf(groups);
        extra = Map.copyOf(extra);
    }

    /** Everything an authorization decision depends on, as one key (two tokens of one user share decisions). */
    String identity() {
        return username + '\u0000' + uid + '\u0000' + String.join(",", groups) + '\u0000' + new TreeMap<>(extra);
    }

    boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
