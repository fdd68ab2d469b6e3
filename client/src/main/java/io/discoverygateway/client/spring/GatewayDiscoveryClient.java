package io.discoverygateway.client.spring;

import java.util.List;

import io.discoverygateway.client.DiscoveryStream;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * A {@link DiscoveryClient} that answers from the stream's local view: no HTTP request
 * per call.
 */
public final class GatewayDiscoveryClient implements DiscoveryClient {

    private final DiscoveryStream stream;

    private final ServiceInstances instances;

    GatewayDiscoveryClient(DiscoveryStream stream, ServiceInstances instances) {
        this.stream = stream;
        this.instances = instances;
    }

    @Override
    public String description() {
        return "Discovery gateway client (server-sent events)";
    }

    @Override
    public List<ServiceInstance> getInstances(String serviceId) {
        return instances.of(stream.view(), serviceId);
    }

    @Override
    public List<String> getServices() {
        return instances.serviceIds(stream.view());
    }

}
