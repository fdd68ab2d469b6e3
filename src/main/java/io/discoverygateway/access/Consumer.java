package io.discoverygateway.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer authenticated by a TokenReview: the user Kubernetes says the token belongs
 * to. Immutable; its identity key is computed once, since every authorization decision of
 * every request looks it up.
 */
public final class Consumer {

    private final String username;

    private final String uid;

    private final List<String> groups;

    private final Map<String, List<String>> extra;

    private final Instant expiresAt;

    private final String identity;

    /**
     * @param username for a ServiceAccount token
     * {@code system:serviceaccount:<namespace>:<name>}
     * @param uid the user's uid, may be empty
     * @param groups the user's groups
     * @param extra the review's extra attributes (passed on to SubjectAccessReviews, as
     * Kubernetes requires)
     * @param expiresAt when the token expires (its {@code exp} claim), or null when it
     * cannot be read
     */
    public Consumer(String username, String uid, List<String> groups, Map<String, List<String>> extra,
            Instant expiresAt) {
        this.username = username;
        this.uid = uid;
        this.groups = List.copyOf(groups);
        this.extra = Map.copyOf(extra);
        this.expiresAt = expiresAt;
        this.identity = username + '\u0000' + uid + '\u0000' + String.join(",", this.groups) + '\u0000'
                + new TreeMap<>(this.extra);
    }

    public String username() {
        return username;
    }

    public String uid() {
        return uid;
    }

    public List<String> groups() {
        return groups;
    }

    public Map<String, List<String>> extra() {
        return extra;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    /**
     * Everything an authorization decision depends on, as one key (two tokens of one user
     * share decisions).
     */
    String identity() {
        return identity;
    }

    boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return username;
    }

}
