package io.discoverygateway.access;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.WatchScope;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Which namespaces a consumer may read: those where a SubjectAccessReview for the consumer's user, groups, uid and
 * extra allows the configured verb on the configured resource (by default {@code list endpointslices}), decided by
 * Kubernetes RBAC. Decisions are remembered per identity and namespace, an allow for {@code allow-ttl} and a deny
 * for {@code deny-ttl}; concurrent requests for one unknown decision wait for one review. An API that does not
 * answer is not remembered: the request fails closed.
 *
 * <p>Threads: called on request threads and the stream's access-check thread; the cache is thread-safe.
 */
public final class NamespaceAccess {

    private final Reviews reviews;
    private final Reviews.ResourceAttributes attributes;
    private final WatchScope watchScope;
    private final Cache<Decision, Boolean> decisions;
    private final AccessMetrics metrics;

    private record Decision(String identity, String namespace) {
    }

    NamespaceAccess(Reviews reviews, GatewayProperties.Auth properties, WatchScope watchScope,
            MeterRegistry registry) {
        this.reviews = reviews;
        this.attributes = new Reviews.ResourceAttributes(properties.verb(), properties.group(), properties.resource());
        this.watchScope = watchScope;
        this.metrics = new AccessMetrics(registry, "authorization");
        this.decisions = Caffeine.newBuilder().maximumSize(properties.cacheSize())
                .expireAfter(Expiry.<Decision, Boolean>creating((decision, allowed) -> allowed
                        ? properties.allowTtl() : properties.denyTtl()))
                .build();
    }

    /** Whether the consumer may read the namespace ("" asks for every namespace at once, as RBAC means it). */
    boolean mayRead(Consumer consumer, String namespace) {
        boolean[] reviewed = new boolean[1];
        boolean allowed;
        try {
            allowed = decisions.get(new Decision(consumer.identity(), namespace), key -> {
                reviewed[0] = true;
                return metrics.review(() -> reviews.allowed(consumer, attributes, namespace));
            });
        }
        catch (Reviews.ReviewUnavailableException ex) {
            metrics.unavailable();
            throw ex;
        }
        metrics.lookup(!reviewed[0]);
        metrics.decision(allowed);
        return allowed;
    }

    /**
     * The namespaces of the view the consumer may read. With every namespace watched, one review for all of them
     * first (a ClusterRoleBinding answers it), then one per namespace that has services; otherwise one per watched
     * namespace.
     */
    NamespaceScope scope(Consumer consumer, CatalogView view) {
        if (watchScope.allNamespaces() && mayRead(consumer, "")) {
            return NamespaceScope.EVERYTHING;
        }
        Collection<String> candidates = watchScope.allNamespaces() ? view.namespaces() : watchScope.namespaces();
        Set<String> readable = new LinkedHashSet<>();
        for (String namespace : candidates) {
            if (mayRead(consumer, namespace)) {
                readable.add(namespace);
            }
        }
        return NamespaceScope.of(readable);
    }

    /** What a 403 says: the review that failed, so the consumer's operator knows which Role to grant. */
    /** The permission that decides, as "list discovery.k8s.io/endpointslices". */
    String permission() {
        return attributes.verb() + " " + (attributes.group().isEmpty() ? "" : attributes.group() + "/")
                + attributes.resource();
    }

    String refusal(Consumer consumer, String namespace) {
        return "Kubernetes does not let " + consumer.username() + " " + attributes.verb() + " "
                + (attributes.group().isEmpty() ? "" : attributes.group() + "/") + attributes.resource()
                + " in namespace '" + namespace + "', so the gateway does not show it its services";
    }
}
