package io.discoverygateway.client.spring;

import java.net.URI;
import java.util.Map;

import org.springframework.cloud.client.ServiceInstance;

/**
 * An instance of a service: one ready endpoint and the service's primary port, shaped
 * like Spring Cloud Kubernetes' {@code DefaultKubernetesServiceInstance}, so code written
 * against the Kubernetes discovery client reads it the same way (the metadata carries the
 * zone, which Spring Cloud LoadBalancer's zone preference reads).
 *
 * @param instanceId the pod's uid (or a stable id derived from the service and the
 * address)
 * @param namespace the service's namespace
 * @param podMetadata the pod's labels and annotations, when the gateway serves pod
 * metadata
 */
public record GatewayServiceInstance(String instanceId, String serviceId, String host, int port,
        Map<String, String> metadata, boolean secure, String namespace,
        Map<String, Map<String, String>> podMetadata) implements ServiceInstance {

    @Override
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public String getServiceId() {
        return serviceId;
    }

    @Override
    public String getHost() {
        return host;
    }

    @Override
    public int getPort() {
        return port;
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public URI getUri() {
        // As Spring Cloud Kubernetes' instances: no port for an endpoint without one. An
        // IPv6 address is bracketed, as
        // a URI needs (there, it is not).
        String authority = host.contains(":") ? "[" + host + "]" : host;
        return URI.create(getScheme() + "://" + authority + (port == 0 ? "" : ":" + port));
    }

    @Override
    public Map<String, String> getMetadata() {
        return metadata;
    }

    @Override
    public String getScheme() {
        return secure ? "https" : "http";
    }

    public String getNamespace() {
        return namespace;
    }

    public Map<String, Map<String, String>> getPodMetadata() {
        return podMetadata;
    }
}
