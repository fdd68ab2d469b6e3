package io.discoverygateway.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A port of a Service's spec; {@code targetPort} is a number or a port name, as in
 * Kubernetes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServicePort(String name, int port, String targetPort, String protocol, String appProtocol) {
}
