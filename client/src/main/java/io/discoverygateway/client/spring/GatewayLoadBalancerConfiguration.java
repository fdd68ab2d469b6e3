package io.discoverygateway.client.spring;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.loadbalancer.config.LoadBalancerZoneConfig;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ZonePreferenceServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The configuration of every LoadBalancer client's own context (registered as the default
 * one): instances from the stream, not the caching discovery-client supplier; with
 * {@code spring.cloud.loadbalancer.configurations=
 * zone-preference}, those of the caller's zone first, as Spring Cloud LoadBalancer's own
 * zone preference does.
 */
@Configuration(proxyBeanMethods = false)
public class GatewayLoadBalancerConfiguration {

    @Bean
    ServiceInstanceListSupplier gatewayServiceInstanceListSupplier(Environment environment, InstanceLists lists,
            ObjectProvider<LoadBalancerZoneConfig> zoneConfig) {
        String serviceId = environment.getProperty(LoadBalancerClientFactory.PROPERTY_NAME);
        ServiceInstanceListSupplier supplier = new GatewayServiceInstanceListSupplier(serviceId, lists);
        String configurations = environment.getProperty("spring.cloud.loadbalancer.configurations", "");
        LoadBalancerZoneConfig zone = zoneConfig.getIfAvailable();
        return configurations.contains("zone-preference") && zone != null
                ? new ZonePreferenceServiceInstanceListSupplier(supplier, zone) : supplier;
    }

}
