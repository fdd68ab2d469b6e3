package io.discoverygateway.access;

import java.time.Instant;
import java.util.Optional;

import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.protocol.ReauthenticateReason;
import io.discoverygateway.web.ApiException;
import io.discoverygateway.web.RequestValidator;

/**
 * What the consumer of one request may read; a controller method gets it as a parameter.
 * Without authentication everything is readable and nothing is asked of Kubernetes.
 */
public final class ReadAccess {

    private static final ReadAccess UNRESTRICTED = new ReadAccess(null, null, null, null);

    private final Consumer consumer;

    private final String token;

    private final ConsumerAuthenticator authenticator;

    private final NamespaceAccess access;

    ReadAccess(Consumer consumer, String token, ConsumerAuthenticator authenticator, NamespaceAccess access) {
        this.consumer = consumer;
        this.token = token;
        this.authenticator = authenticator;
        this.access = access;
    }

    public static ReadAccess unrestricted() {
        return UNRESTRICTED;
    }

    /** The authenticated consumer; empty without authentication. */
    public Optional<Consumer> consumer() {
        return Optional.ofNullable(consumer);
    }

    /**
     * When the consumer's token expires; empty without authentication or when the token
     * does not say.
     */
    public Optional<Instant> expiresAt() {
        return consumer == null ? Optional.empty() : Optional.ofNullable(consumer.expiresAt());
    }

    /**
     * For an open stream: why it must end now, {@code token-expired} or
     * {@code token-refused} (a TokenReview, when the cached one has lapsed, no longer
     * accepts the token: its ServiceAccount was deleted, say). While the API does not
     * answer, the stream goes on with what was last decided.
     */
    public Optional<ReauthenticateReason> endReason(Instant now) {
        if (consumer == null) {
            return Optional.empty();
        }
        if (consumer.expiredAt(now)) {
            return Optional.of(ReauthenticateReason.TOKEN_EXPIRED);
        }
        try {
            if (authenticator.authenticate(token).isAuthenticated()) {
                return Optional.empty();
            }
            // Refused as it expired while being reviewed, or for another reason (its
            // ServiceAccount deleted...).
            return Optional.of(consumer.expiredAt(Instant.now()) ? ReauthenticateReason.TOKEN_EXPIRED
                    : ReauthenticateReason.TOKEN_REFUSED);
        }
        catch (Reviews.ReviewUnavailableException ex) {
            authenticator.unavailable();
            return Optional.empty();
        }
    }

    /**
     * A valid name of a namespace that the gateway watches and the consumer may read.
     * Access is decided first, so a consumer learns nothing of a namespace it may not
     * read, not even whether the gateway watches it (403 either way), and a 404 for one
     * it may read names no other namespace. Without consumer authentication every watched
     * namespace is listed anyway, and the 404 says which they are.
     */
    public void requireReadableNamespace(String namespace, RequestValidator validator) {
        validator.name("namespace name", namespace);
        requireNamespace(namespace);
        validator.watchedNamespace(namespace, consumer == null);
    }

    /**
     * Throws a 403 problem unless the consumer may read the namespace (503 when that
     * cannot be decided now).
     */
    public void requireNamespace(String namespace) {
        if (consumer != null && !decide(() -> access.mayRead(consumer, namespace))) {
            throw ApiException.forbidden(access.refusal(consumer, namespace));
        }
    }

    /**
     * The namespaces of the view the consumer may read (503 when that cannot be decided
     * now); a 403 when it may read none of them: a consumer Kubernetes lets read nothing
     * here is served nothing, and holds no stream or long-poll that other consumers would
     * need.
     */
    public NamespaceScope scope(CatalogView view) {
        if (consumer == null) {
            return NamespaceScope.EVERYTHING;
        }
        NamespaceScope scope = decide(() -> access.scope(consumer, view));
        if (!scope.everything() && scope.namespaces().isEmpty()) {
            authenticator.emptyScopeRefused();
            throw ApiException.forbidden(
                    "Kubernetes lets " + consumer.username() + " read no namespace this" + " gateway watches (it may "
                            + access.permission() + " in none), so the gateway serves it" + " nothing");
        }
        return scope;
    }

    /**
     * For an open stream's recheck: what the consumer may read now, the namespaces it
     * held asked again of Kubernetes (see {@link NamespaceAccess#revalidate}); possibly
     * nothing. Throws {@link Reviews.ReviewUnavailableException} when the API does not
     * answer: the stream keeps what it has.
     */
    public NamespaceScope recheckScope(CatalogView view, NamespaceScope held) {
        return consumer == null ? NamespaceScope.EVERYTHING : access.revalidate(consumer, held, view);
    }

    /**
     * What the consumer's access decisions depend on (streams of one identity are
     * rechecked together).
     */
    public String identity() {
        return consumer == null ? "" : consumer.identity();
    }

    private <T> T decide(java.util.function.Supplier<T> decision) {
        try {
            return decision.get();
        }
        catch (ReviewBudget.BusyException ex) {
            authenticator.busy(ex);
            throw ApiException.unavailable("Too many reviews at once", ex.getMessage(), 1);
        }
        catch (Reviews.ReviewUnavailableException ex) {
            throw ApiException.unavailable("Access cannot be checked", "The Kubernetes API, which decides what"
                    + " this consumer may read, does not answer; retry later or against another replica", 5);
        }
    }

}
