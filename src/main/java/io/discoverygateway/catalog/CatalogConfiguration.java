package io.discoverygateway.catalog;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CatalogConfiguration {

    @Bean
    SnapshotEncoder snapshotEncoder(JsonMapper mapper) {
        return new SnapshotEncoder(mapper);
    }

    /**
     * The epoch is random per process, so revisions of different replicas or runs can
     * never be confused.
     */
    @Bean(destroyMethod = "close")
    Catalog catalog(SnapshotEncoder encoder, MeterRegistry registry) {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        Catalog catalog = new Catalog(HexFormat.of().formatHex(random), encoder, Clock.systemUTC());
        Gauge.builder("gateway.catalog.services", catalog, c -> c.view().serviceCount())
            .description("Services in the cache")
            .register(registry);
        Gauge.builder("gateway.catalog.endpoints", catalog, c -> c.view().endpointCount())
            .description("Endpoints in the cache, over all services")
            .register(registry);
        Gauge.builder("gateway.catalog.revision", catalog, c -> c.view().revision())
            .description("The catalog's latest revision")
            .register(registry);
        return catalog;
    }

}
