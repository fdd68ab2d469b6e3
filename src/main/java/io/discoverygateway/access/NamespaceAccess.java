package io.discoverygateway.access;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.discoverygateway.GatewayProperties;
import io.discoverygateway.WatchScope;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.runtime.DaemonThreads;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Which namespaces a consumer may read: those where a SubjectAccessReview for the
 * consumer's user, groups, uid and extra allows the configured verb on the configured
 * resource (by default {@code list endpointslices}), decided by Kubernetes RBAC.
 * Decisions are remembered per identity and namespace, an allow for {@code allow-ttl} and
 * a deny for {@code deny-ttl}; concurrent requests for one unknown decision wait for one
 * review. An API that does not answer is not remembered: the request fails closed.
 *
 * <p>
 * Threads: called on request threads and the stream's access-check thread, which wait
 * while the {@code auth-reviews} threads send the reviews of a scope; the caches are
 * thread-safe.
 */
public final class NamespaceAccess implements AutoCloseable {

    private final Reviews reviews;

    private final Reviews.ResourceAttributes attributes;

    private final WatchScope watchScope;

    private final Cache<Decision, Boolean> decisions;

    private final AccessMetrics metrics;

    private final ReviewBudget budget;

    /**
     * Present with {@code gateway.auth.role-binding-prefilter}: the namespaces worth
     * reviewing for a consumer not allowed cluster-wide.
     */
    private final @Nullable BoundNamespaces bound;

    /**
     * Sends the reviews of one scope at once (at most review-concurrency); their request
     * thread waits.
     */
    private final ExecutorService concurrent;

    /**
     * With every namespace watched: per identity, the namespaces decided and the scope
     * they made.
     */
    private final Cache<String, DecidedScope> scopes;

    private record DecidedScope(Set<String> candidates, Set<String> readable) {
    }

    private record Decision(String identity, String namespace) {
    }

    NamespaceAccess(Reviews reviews, GatewayProperties.Auth properties, WatchScope watchScope, MeterRegistry registry,
            ReviewBudget budget, @Nullable BoundNamespaces bound) {
        this.reviews = reviews;
        this.budget = budget;
        this.bound = bound;
        this.concurrent = Executors.newFixedThreadPool(properties.reviewConcurrency(),
                DaemonThreads.named("auth-reviews"));
        this.scopes = Caffeine.newBuilder()
            .maximumSize(properties.cacheSize())
            .expireAfterWrite(properties.allowTtl())
            .build();
        this.attributes = new Reviews.ResourceAttributes(properties.verb(), properties.group(), properties.resource());
        this.watchScope = watchScope;
        this.metrics = new AccessMetrics(registry, "authorization");
        this.decisions = Caffeine.newBuilder()
            .maximumSize(properties.cacheSize())
            .expireAfter(Expiry.<Decision, Boolean>creating(
                    (decision, allowed) -> allowed ? properties.allowTtl() : properties.denyTtl()))
            .build();
    }

    /**
     * Whether the consumer may read the namespace ("" asks for every namespace at once,
     * as RBAC means it).
     */
    boolean mayRead(Consumer consumer, String namespace) {
        boolean[] reviewed = new boolean[1];
        boolean allowed;
        try {
            allowed = decisions.get(new Decision(consumer.identity(), namespace), key -> {
                reviewed[0] = true;
                return budget.inFlight(() -> metrics.review(() -> reviews.allowed(consumer, attributes, namespace)));
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
     * The namespaces of the view the consumer may read. With every namespace watched, one
     * review for all of them first (a ClusterRoleBinding answers it); otherwise one per
     * namespace that has services, sent at once, and the scope they make remembered for
     * {@code allow-ttl} per identity: a later request reviews only namespaces that have
     * appeared since, so a consumer's request costs no review at steady state however
     * many namespaces there are. With {@link BoundNamespaces}, only the namespaces where
     * a RoleBinding names the consumer are reviewed (RBAC grants nothing namespaced
     * elsewhere, once the cluster-wide review has said no), so the first request costs a
     * few reviews too. With the namespaces listed, one decision per watched namespace
     * (each cached), also sent at once.
     */
    NamespaceScope scope(Consumer consumer, CatalogView view) {
        if (watchScope.allNamespaces()) {
            if (mayRead(consumer, "")) {
                return NamespaceScope.EVERYTHING;
            }
            Set<String> candidates = candidates(consumer, view);
            DecidedScope decided = scopes.getIfPresent(consumer.identity());
            if (decided == null || !decided.candidates().containsAll(candidates)) {
                Set<String> known = decided == null ? Set.of() : decided.candidates();
                Set<String> readable = new HashSet<>(decided == null ? Set.of() : decided.readable());
                readable.addAll(decideAll(consumer, candidates.stream().filter(n -> !known.contains(n)).toList()));
                Set<String> all = new HashSet<>(known);
                all.addAll(candidates);
                decided = new DecidedScope(Set.copyOf(all), Set.copyOf(readable));
                scopes.put(consumer.identity(), decided);
            }
            Set<String> readable = new LinkedHashSet<>();
            for (String namespace : candidates) {
                if (decided.readable().contains(namespace)) {
                    readable.add(namespace);
                }
            }
            return NamespaceScope.of(readable);
        }
        return NamespaceScope.of(decideAll(consumer, List.copyOf(watchScope.namespaces())));
    }

    /**
     * The namespaces of the view that RBAC could open to a consumer not allowed
     * cluster-wide: all, or with the prefilter those where a RoleBinding names it.
     */
    private Set<String> candidates(Consumer consumer, CatalogView view) {
        Set<String> namespaces = Set.copyOf(view.namespaces());
        Optional<Set<String>> named = bound == null ? Optional.empty() : bound.of(consumer);
        if (named.isEmpty()) {
            return namespaces;
        }
        Set<String> candidates = new HashSet<>(named.get());
        candidates.retainAll(namespaces);
        return candidates;
    }

    /**
     * For a consumer's open streams at each recheck: its scope, with the namespaces it
     * could read until now asked again of Kubernetes rather than taken from the caches,
     * so that a deleted binding ends access within one recheck interval whatever
     * {@code allow-ttl} is. Namespaces it may newly read come through the caches, as for
     * requests. Costs one review per namespace held (one in all for a consumer allowed
     * cluster-wide).
     */
    NamespaceScope revalidate(Consumer consumer, NamespaceScope held, CatalogView view) {
        String identity = consumer.identity();
        if (held.everything()) {
            decisions.invalidate(new Decision(identity, ""));
        }
        else {
            held.namespaces().forEach(namespace -> decisions.invalidate(new Decision(identity, namespace)));
            Set<String> still = decideAll(consumer, List.copyOf(held.namespaces()));
            DecidedScope decided = scopes.getIfPresent(identity);
            if (decided != null && !still.containsAll(held.namespaces())) {
                Set<String> readable = new HashSet<>(decided.readable());
                held.namespaces().stream().filter(namespace -> !still.contains(namespace)).forEach(readable::remove);
                scopes.put(identity, new DecidedScope(decided.candidates(), Set.copyOf(readable)));
            }
        }
        return scope(consumer, view);
    }

    /**
     * The namespaces among these the consumer may read: the cached decisions, and the
     * others reviewed at once.
     */
    private Set<String> decideAll(Consumer consumer, List<String> namespaces) {
        Set<String> readable = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String namespace : namespaces) {
            Boolean cached = decisions.getIfPresent(new Decision(consumer.identity(), namespace));
            if (cached == null) {
                unknown.add(namespace);
            }
            else {
                metrics.lookup(true);
                metrics.decision(cached);
                if (cached) {
                    readable.add(namespace);
                }
            }
        }
        if (unknown.size() == 1) {
            if (mayRead(consumer, unknown.get(0))) {
                readable.add(unknown.get(0));
            }
        }
        else if (!unknown.isEmpty()) {
            readable.addAll(budget.inFlight(() -> reviewConcurrently(consumer, unknown)));
        }
        return readable;
    }

    private Set<String> reviewConcurrently(Consumer consumer, List<String> namespaces) {
        List<Future<Boolean>> answers = new ArrayList<>(namespaces.size());
        for (String namespace : namespaces) {
            answers.add(concurrent.submit(() -> decisions.get(new Decision(consumer.identity(), namespace), key -> {
                metrics.lookup(false);
                return metrics.review(() -> reviews.allowed(consumer, attributes, namespace));
            })));
        }
        Set<String> readable = new LinkedHashSet<>();
        Reviews.ReviewUnavailableException failure = null;
        for (int i = 0; i < answers.size(); i++) {
            try {
                boolean allowed = answers.get(i).get();
                metrics.decision(allowed);
                if (allowed) {
                    readable.add(namespaces.get(i));
                }
            }
            catch (ExecutionException ex) {
                if (ex.getCause() instanceof Reviews.ReviewUnavailableException unavailable) {
                    failure = unavailable;
                }
                else {
                    throw new IllegalStateException("A SubjectAccessReview failed", ex.getCause());
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new Reviews.ReviewUnavailableException("Interrupted while waiting for reviews", ex);
            }
        }
        if (failure != null) {
            metrics.unavailable();
            throw failure;
        }
        return readable;
    }

    /**
     * What a 403 says: the review that failed, so the consumer's operator knows which
     * Role to grant.
     */
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

    @Override
    public void close() {
        concurrent.shutdownNow();
    }

}
