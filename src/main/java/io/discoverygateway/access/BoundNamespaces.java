package io.discoverygateway.access;

import java.util.Optional;
import java.util.Set;

/**
 * Where Kubernetes RBAC could grant a consumer anything in one namespace only: the
 * namespaces holding a RoleBinding whose subjects name the consumer's user or one of its
 * groups (a ServiceAccount subject names the user
 * {@code system:serviceaccount:<namespace>:<name>}). A narrowing of what to review, never
 * a decision: a namespace outside it is unreadable for RBAC, one inside it is still
 * reviewed. Implemented where the API client lives
 * ({@code gateway.auth.role-binding-prefilter}).
 */
public interface BoundNamespaces {

    /**
     * The namespaces where a RoleBinding names the consumer, or empty while they are not
     * known (the RoleBindings not listed yet, or their watch failing): then every
     * namespace must be reviewed.
     */
    Optional<Set<String>> of(Consumer consumer);

}
