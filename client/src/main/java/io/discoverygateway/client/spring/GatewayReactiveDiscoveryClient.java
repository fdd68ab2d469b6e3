package io.discoverygateway.client.spring;

import io.discoverygateway.client.DiscoveryStream;
import reactor.core.publisher.Flux;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;

/** A {@link ReactiveDiscoveryClient} that answers from the stream's local view. */
public final class GatewayReactiveDiscoveryClient implements ReactiveDiscoveryClient {

    private final DiscoveryStream stream;

    private final ServiceInstances instances;

    GatewayReactiveDiscoveryClient(DiscoveryStream stream, ServiceInstances instances) {
        this.stream = stream;
        this.instances = instances;
    }

    @Override
    public String description() {
        return "Discovery gateway client (server-sent events)";
    }

    @Override
    public Flux<ServiceInstance> getInstances(String serviceId) {
        return Flux.defer(() -> Flux.fromIterable(instances.of(stream.view(), serviceId)));
    }

    @Override
    public Flux<String> getServices() {
        return Flux.defer(() -> Flux.fromIterable(instances.serviceIds(stream.view())));
    }

}
