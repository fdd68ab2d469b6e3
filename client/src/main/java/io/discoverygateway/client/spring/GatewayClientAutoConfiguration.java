package io.discoverygateway.client.spring;

import java.time.Clock;

import io.discoverygateway.client.DiscoveryStream;
import io.discoverygateway.client.DiscoveryStreamOptions;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the discovery gateway client when {@code discovery-gateway.client.urls} is set:
 * the stream, a {@link DiscoveryClient} (and a {@link ReactiveDiscoveryClient} with
 * Reactor), the LoadBalancer's instance lists (with Spring Cloud LoadBalancer), a health
 * indicator (with Actuator) and metrics (with Micrometer).
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "discovery-gateway.client", name = "urls")
@EnableConfigurationProperties(GatewayClientProperties.class)
public class GatewayClientAutoConfiguration {

    /**
     * Started here, and waited for up to {@code startup-wait}, so that the first calls
     * find instances.
     */
    @Bean(destroyMethod = "close")
    DiscoveryStream discoveryGatewayStream(GatewayClientProperties properties) {
        DiscoveryStreamOptions options = DiscoveryStreamOptions.of(properties.urls())
            .withNamespaces(properties.namespaces())
            .withLabelSelector(properties.labelSelector())
            .withTokenFile(properties.tokenFile())
            .withBackoff(properties.initialBackoff(), properties.maxBackoff())
            .withStallTimeout(properties.stallTimeout())
            .withCaFile(properties.caFile())
            .withClusterSet(properties.clusterSet());
        DiscoveryStream stream = new DiscoveryStream(options).start();
        long deadline = System.nanoTime() + properties.startupWait().toNanos();
        while (!stream.ready() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return stream;
    }

    @Bean
    ServiceInstances discoveryGatewayServiceInstances(GatewayClientProperties properties) {
        return new ServiceInstances(properties.readyOnly());
    }

    @Bean
    GatewayDiscoveryClient discoveryGatewayDiscoveryClient(DiscoveryStream stream, ServiceInstances instances) {
        return new GatewayDiscoveryClient(stream, instances);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "reactor.core.publisher.Flux")
    static class Reactive {

        @Bean
        GatewayReactiveDiscoveryClient discoveryGatewayReactiveDiscoveryClient(DiscoveryStream stream,
                ServiceInstances instances) {
            return new GatewayReactiveDiscoveryClient(stream, instances);
        }

    }

    /**
     * Every LoadBalancer client gets its instances from the stream (see
     * {@link GatewayLoadBalancerConfiguration}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ServiceInstanceListSupplier.class)
    @LoadBalancerClients(defaultConfiguration = GatewayLoadBalancerConfiguration.class)
    static class LoadBalancer {

        @Bean
        InstanceLists discoveryGatewayInstanceLists(DiscoveryStream stream, ServiceInstances instances,
                GatewayClientProperties properties) {
            return new InstanceLists(stream, instances, properties.clusterSet());
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {

        @Bean
        HealthIndicator discoveryGatewayHealthIndicator(DiscoveryStream stream) {
            return new GatewayClientHealthIndicator(stream, Clock.systemUTC());
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Metrics {

        @Bean
        GatewayClientMetrics discoveryGatewayClientMetrics(DiscoveryStream stream) {
            return new GatewayClientMetrics(stream);
        }

    }

}
