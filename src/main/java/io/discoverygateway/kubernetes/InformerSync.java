package io.discoverygateway.kubernetes;

import java.time.Instant;
import java.util.Map;

import io.discoverygateway.WatchScope;
import io.discoverygateway.catalog.SyncState;

/**
 * Whether the informers have delivered their initial lists and the catalog holds them:
 * what readiness needs.
 */
public interface InformerSync extends SyncState {

    /** When that happened, or null before. */
    Instant syncedAt();

    /**
     * Per informer (for example "Services in demo"): whether it has listed its resources.
     */
    Map<String, Boolean> informerSyncState();

    WatchScope scope();

}
