package io.discoverygateway.client.spring;

import java.util.List;

import reactor.core.publisher.Flux;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

/**
 * Spring Cloud LoadBalancer's instances of one service, straight from the stream: a new
 * list on every change, no cache in between, so a {@code @LoadBalanced} client stops
 * choosing a removed or not-ready endpoint as soon as the event arrives.
 */
public final class GatewayServiceInstanceListSupplier implements ServiceInstanceListSupplier {

    private final String serviceId;

    private final InstanceLists lists;

    GatewayServiceInstanceListSupplier(String serviceId, InstanceLists lists) {
        this.serviceId = serviceId;
        this.lists = lists;
    }

    @Override
    public String getServiceId() {
        return serviceId;
    }

    @Override
    public Flux<List<ServiceInstance>> get() {
        return lists.of(serviceId);
    }

}
