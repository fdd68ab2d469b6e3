package io.discoverygateway.stream;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StreamConfiguration {

    @Bean
    StreamHub streamHub(CatalogReader catalog, SnapshotEncoder encoder, GatewayProperties properties,
            MeterRegistry registry) {
        StreamHub hub = new StreamHub(catalog, encoder, properties.stream(), properties.auth().recheckInterval(),
                registry);
        catalog.addListener(hub);
        return hub;
    }

}
