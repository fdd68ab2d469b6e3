package io.discoverygateway.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.Revisions;

/**
 * The namespaces a consumer may read: every one (no authentication, or a consumer allowed
 * cluster-wide), or a set.
 *
 * @param everything whether every namespace is readable
 * @param namespaces the readable namespaces when not everything
 */
public record NamespaceScope(boolean everything, Set<String> namespaces) {

    public static final NamespaceScope EVERYTHING = new NamespaceScope(true, Set.of());

    public NamespaceScope {
        namespaces = Set.copyOf(namespaces);
    }

    public static NamespaceScope of(Set<String> namespaces) {
        return new NamespaceScope(false, namespaces);
    }

    public boolean includes(String namespace) {
        return everything || namespaces.contains(namespace);
    }

    /**
     * The revision of the latest change the scope covers: the view's, or the latest of
     * its namespaces'. What a consumer limited to some namespaces is shown (in ETags,
     * {@code SYNCED}...) so that a change where it may not read moves nothing it sees.
     */
    public long revision(CatalogView view) {
        if (everything) {
            return view.revision();
        }
        long revision = 0;
        for (String namespace : namespaces) {
            revision = Math.max(revision, view.revision(namespace));
        }
        return revision;
    }

    /** The ETag of an answer that covers the whole scope: its {@link #revision}. */
    public String etag(CatalogView view) {
        return Revisions.etag(view.epoch(), revision(view));
    }

    /**
     * A short tag that changes whenever the scope does: the stream appends it to its
     * event ids, so that a client resuming with an id handed out under another scope gets
     * a full snapshot, never a resume that would leave it holding services it may no
     * longer read (or missing ones it now may).
     */
    public String tag() {
        if (everything) {
            return "sall";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(String.join(",", new TreeSet<>(namespaces)).getBytes(StandardCharsets.UTF_8));
            return "s" + HexFormat.of().formatHex(digest, 0, 6);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every JDK", ex);
        }
    }
}
