package io.discoverygateway.health;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.kubernetes.KubernetesWatchers;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The state of the cache, under the name {@code catalog}: OUT_OF_SERVICE until every informer has listed its
 * resources and the catalog holds them, UP after. Part of the readiness group, never of liveness: an unreachable
 * API server must not get the gateway restarted.
 */
@Component
class CatalogHealthIndicator implements HealthIndicator {

    private final Catalog catalog;
    private final KubernetesWatchers watchers;

    CatalogHealthIndicator(Catalog catalog, KubernetesWatchers watchers) {
        this.catalog = catalog;
        this.watchers = watchers;
    }

    @Override
    public Health health() {
        CatalogView view = catalog.view();
        Health.Builder health = watchers.synced() ? Health.up() : Health.outOfService();
        health.withDetail("synced", watchers.synced())
                .withDetail("watching", watchers.scope().toString())
                .withDetail("informers", watchers.informerSyncState())
                .withDetail("services", view.serviceCount())
                .withDetail("endpoints", view.endpointCount())
                .withDetail("epoch", view.epoch())
                .withDetail("revision", view.revision());
        if (watchers.syncedAt() != null) {
            health.withDetail("syncedAt", watchers.syncedAt().toString());
        }
        if (view.lastChangeAt() != null) {
            health.withDetail("lastChangeAt", view.lastChangeAt().toString());
        }
        return health.build();
    }
}
