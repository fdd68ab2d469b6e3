package io.discoverygateway.catalog;

import java.util.List;
import java.util.Objects;

/**
 * The content of a service snapshot: the Service and the merged endpoints of all its
 * slices.
 */
public record ServiceState(ServiceResource service, List<Endpoint> endpoints) {

    public ServiceState {
        Objects.requireNonNull(service, "a service's state has its Service");
        endpoints = List.copyOf(endpoints);
    }

    public ServiceKey key() {
        return service.key();
    }

    public long readyEndpointCount() {
        return endpoints.stream().filter(Endpoint::ready).count();
    }
}
