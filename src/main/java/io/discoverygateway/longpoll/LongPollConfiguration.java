package io.discoverygateway.longpoll;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.CatalogReader;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class LongPollConfiguration {

    @Bean
    ChangeWaiters changeWaiters(CatalogReader catalog, GatewayProperties properties, MeterRegistry registry) {
        ChangeWaiters waiters = new ChangeWaiters(catalog, properties.longPoll(), registry);
        catalog.addListener(waiters);
        return waiters;
    }

}
