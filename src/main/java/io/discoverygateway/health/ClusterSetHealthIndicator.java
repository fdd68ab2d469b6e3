package io.discoverygateway.health;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.clusterset.ClusterMember;
import io.discoverygateway.clusterset.ClusterSetPublisher;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The clusters of the set, under the name {@code clusterset}: each one's sync and
 * staleness. Part of the readiness group, but UP whatever the remote clusters do unless
 * {@code gateway.clusterset.remotes-in-readiness} asks for it: then OUT_OF_SERVICE until
 * every remote cluster has listed its data, and while one has been unreachable longer
 * than {@code withdraw-after}. UP, with nothing to say, without a cluster set.
 */
@Component("clustersetHealthIndicator")
class ClusterSetHealthIndicator implements HealthIndicator {

    private final ObjectProvider<ClusterSetPublisher> clusterSet;

    private final boolean remotesInReadiness;

    ClusterSetHealthIndicator(ObjectProvider<ClusterSetPublisher> clusterSet, GatewayProperties properties) {
        this.clusterSet = clusterSet;
        this.remotesInReadiness = properties.clusterset().remotesInReadiness();
    }

    @Override
    public Health health() {
        ClusterSetPublisher set = clusterSet.getIfAvailable();
        if (set == null) {
            return Health.up().withDetail("enabled", false).build();
        }
        boolean ready = true;
        Map<String, Object> clusters = new LinkedHashMap<>();
        Instant now = Instant.now();
        for (ClusterMember member : set.members()) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("local", member.local());
            detail.put("synced", member.synced());
            Optional<Instant> staleSince = member.staleSince();
            staleSince.ifPresent(since -> detail.put("staleSince", since.toString()));
            clusters.put(member.name(), detail);
            if (!member.local() && (!member.synced() || set.withdrawn(member, now))) {
                ready = false;
            }
        }
        Health.Builder health = !remotesInReadiness || ready ? Health.up() : Health.outOfService();
        return health.withDetail("remotesInReadiness", remotesInReadiness)
            .withDetail("clusters", clusters)
            .withDetail("services", set.view().services().size())
            .build();
    }

}
