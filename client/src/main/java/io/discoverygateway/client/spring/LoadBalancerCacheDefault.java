package io.discoverygateway.client.spring;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns Spring Cloud LoadBalancer's instance-list cache off by default where the client
 * library serves the lists ({@code discovery-gateway.client.urls} is set): its lists are
 * pushed on every change and never cached, so the cache would hold nothing, and its
 * start-up warning ("working with the default cache...") would only mislead. A property
 * source of the lowest precedence: an application that sets
 * {@code spring.cloud.loadbalancer.cache.enabled} keeps its own value.
 */
public final class LoadBalancerCacheDefault implements EnvironmentPostProcessor {

    static final String SOURCE = "discovery-gateway-client-defaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty("discovery-gateway.client.urls")) {
            environment.getPropertySources()
                .addLast(new MapPropertySource(SOURCE, Map.of("spring.cloud.loadbalancer.cache.enabled", "false")));
        }
    }

}
