package io.discoverygateway.access;

import io.discoverygateway.access.Reviews.TokenVerdict;
import io.discoverygateway.catalog.CatalogView;

/**
 * The access decisions for a surface that is not HTTP (the xDS server): who a bearer
 * token belongs to, and which namespaces that consumer may read. The same caches and
 * reviews as the HTTP API, so both surfaces always agree. Present only with
 * {@code gateway.auth.mode=kubernetes}.
 */
public final class ConsumerAccess {

    private final ConsumerAuthenticator authenticator;

    private final NamespaceAccess access;

    ConsumerAccess(ConsumerAuthenticator authenticator, NamespaceAccess access) {
        this.authenticator = authenticator;
        this.access = access;
    }

    /**
     * The verdict on a token (cached), sent from this client address (null when unknown).
     * @throws Reviews.ReviewUnavailableException when the Kubernetes API cannot review it
     * now
     */
    public TokenVerdict authenticate(String token, String source) {
        try {
            return authenticator.authenticate(token, source);
        }
        catch (ReviewBudget.BusyException ex) {
            authenticator.busy(ex);
            throw ex;
        }
        catch (Reviews.ReviewUnavailableException ex) {
            authenticator.unavailable();
            throw ex;
        }
    }

    /**
     * The namespaces of the view the consumer may read (cached decisions).
     * @throws Reviews.ReviewUnavailableException when the Kubernetes API cannot decide
     * now
     */
    public NamespaceScope scope(Consumer consumer, CatalogView view) {
        return access.scope(consumer, view);
    }

}
