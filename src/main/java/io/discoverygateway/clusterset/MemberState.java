package io.discoverygateway.clusterset;

import java.time.Instant;
import java.util.Map;

import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;

/**
 * A cluster of the set at one moment, as the merge reads it: whether its data is served,
 * and the Services it exports.
 *
 * @param staleSince since when its API could not be watched, or null
 * @param reason why, or null
 * @param exported its exported Services that it has
 */
record MemberState(String cluster, boolean local, Availability availability, Instant staleSince, String reason,
        Map<ServiceKey, Export> exported) {

    /** How far a cluster's data can be trusted. */
    enum Availability {

        /** Not listed yet: it takes no part. */
        SYNCING,
        /** Watched: its data is current. */
        CURRENT,
        /** Its API cannot be watched: its last known data is served, marked stale. */
        STALE,
        /** Stale for longer than withdraw-after: its endpoints are not served. */
        WITHDRAWN

    }

    /**
     * An exported Service.
     *
     * @param exportedAt when its ServiceExport was created, or null for an export by
     * annotation
     */
    record Export(ServiceSnapshot snapshot, Instant exportedAt) {
    }

}
