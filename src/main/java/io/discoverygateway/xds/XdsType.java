package io.discoverygateway.xds;

import io.envoyproxy.controlplane.cache.Resources;

/**
 * The resource types the gateway serves, by their v3 type URLs. Routes are inline in
 * Listeners: none of their own.
 */
enum XdsType {

    LISTENER(Resources.V3.LISTENER_TYPE_URL), ROUTE(Resources.V3.ROUTE_TYPE_URL),
    CLUSTER(Resources.V3.CLUSTER_TYPE_URL), ENDPOINTS(Resources.V3.ENDPOINT_TYPE_URL);

    private final String typeUrl;

    XdsType(String typeUrl) {
        this.typeUrl = typeUrl;
    }

    String typeUrl() {
        return typeUrl;
    }

    /**
     * The type of a type URL, or null for one the gateway does not serve (secrets,
     * runtime...).
     */
    static XdsType of(String typeUrl) {
        for (XdsType type : values()) {
            if (type.typeUrl.equals(typeUrl)) {
                return type;
            }
        }
        return null;
    }

    /** The short name used in metrics and logs. */
    String label() {
        return switch (this) {
            case LISTENER -> "lds";
            case ROUTE -> "rds";
            case CLUSTER -> "cds";
            case ENDPOINTS -> "eds";
        };
    }

}
