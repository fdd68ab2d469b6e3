package io.discoverygateway.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A port of an EndpointSlice; the port number is absent when the slice means "all ports".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointPort(String name, Integer port, String protocol, String appProtocol) {
}
