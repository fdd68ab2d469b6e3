package io.discoverygateway.clusterset;

import java.time.Instant;
import java.util.Optional;

import io.discoverygateway.catalog.CatalogReader;

/**
 * A cluster of the set as the cluster-set view reads it: its own catalog (its own
 * watches), its ServiceExports, and whether its data is current. Implemented where the
 * API clients live.
 */
public interface ClusterMember {

    /** Its name in the set. */
    String name();

    /** Whether it is the cluster the gateway runs in. */
    boolean local();

    CatalogReader catalog();

    ExportIndex exports();

    /** Whether its watches have listed everything once. */
    boolean synced();

    /** Since when its API cannot be watched, or empty while it can. */
    Optional<Instant> staleSince();

    /** Why its API cannot be watched, or null while it can. */
    String staleReason();

}
