package io.discoverygateway.catalog;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether the cached data is known to be current. While the Kubernetes API cannot be
 * reached (or refuses the gateway), the catalog keeps serving the last known state; this
 * says for how long it has not been confirmed.
 */
public interface DataFreshness {

    /**
     * Empty while every watch is healthy; otherwise how long since the data was last
     * known to be current.
     */
    Optional<Duration> staleFor();

}
