package io.discoverygateway.catalog;

import java.util.List;

/**
 * What the gateway keeps of an EndpointSlice: the Service it belongs to (its
 * {@code kubernetes.io/service-name} label) and its endpoints, each already carrying the
 * slice's address type and ports.
 */
public record EndpointSliceResource(String namespace, String name, String serviceName, List<Endpoint> endpoints) {

    public EndpointSliceResource {
        endpoints = List.copyOf(endpoints);
    }

    ServiceKey serviceKey() {
        return new ServiceKey(namespace, serviceName);
    }

    ObjectKey key() {
        return new ObjectKey(namespace, name);
    }
}
