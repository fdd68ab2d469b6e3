package io.discoverygateway.health;

import java.time.Duration;
import java.util.Optional;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.DataFreshness;
import io.discoverygateway.kubernetes.InformerSync;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The state of the cache, under the name {@code catalog}: OUT_OF_SERVICE until every
 * informer has listed its resources and the catalog holds them, UP after, and
 * OUT_OF_SERVICE again when the Kubernetes API has been unreachable for longer than
 * {@code gateway.readiness-max-staleness}. Part of the readiness group, never of
 * liveness: an unreachable API server must not get the gateway restarted.
 */
@Component
class CatalogHealthIndicator implements HealthIndicator {

    private final CatalogReader catalog;

    private final InformerSync watchers;

    private final DataFreshness freshness;

    private final Duration maxStaleness;

    CatalogHealthIndicator(CatalogReader catalog, InformerSync watchers, DataFreshness freshness,
            GatewayProperties properties) {
        this.catalog = catalog;
        this.watchers = watchers;
        this.freshness = freshness;
        this.maxStaleness = properties.readinessMaxStaleness();
    }

    @Override
    public Health health() {
        CatalogView view = catalog.view();
        Optional<Duration> stale = freshness.staleFor();
        boolean tooStale = stale.isPresent() && stale.get().compareTo(maxStaleness) > 0;
        Health.Builder health = watchers.synced() && !tooStale ? Health.up() : Health.outOfService();
        health.withDetail("synced", watchers.synced()).withDetail("stale", stale.isPresent());
        stale.ifPresent(age -> health.withDetail("staleForSeconds", age.toSeconds())
            .withDetail("readinessMaxStalenessSeconds", maxStaleness.toSeconds()));
        health.withDetail("watching", watchers.scope().toString())
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
