package io.discoverygateway.catalog;

import java.util.List;

/** Topology-aware routing hints of an endpoint: the zones and nodes it should serve. */
public record EndpointHints(List<String> forZones, List<String> forNodes) {

    public EndpointHints {
        forZones = List.copyOf(forZones);
        forNodes = List.copyOf(forNodes);
    }
}
