package io.discoverygateway.xds;

import java.time.Duration;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ConsumerAccess;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.SyncState;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The xDS server, with {@code gateway.xds.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "gateway.xds", name = "enabled", havingValue = "true")
class XdsConfiguration {

    @Bean
    XdsMetrics xdsMetrics(MeterRegistry registry) {
        return new XdsMetrics(registry);
    }

    @Bean
    XdsCache xdsCache(CatalogReader catalog, XdsMetrics metrics) {
        return new XdsCache(catalog, metrics);
    }

    @Bean
    XdsServer xdsServer(GatewayProperties properties, XdsCache cache, SyncState sync,
            ObjectProvider<ConsumerAccess> access, CatalogReader catalog, XdsMetrics metrics) {
        GatewayProperties.Xds xds = properties.xds();
        ConsumerAccess consumerAccess = access.getIfAvailable();
        Duration age = xds.maxConnectionAge();
        if (consumerAccess != null) {
            // What RBAC allows is decided when a stream opens: connections move on at least this often so that a
            // revoked grant (or an expired token) ends within one recheck interval, as on the stream API.
            Duration recheck = properties.auth().recheckInterval();
            age = age.isZero() || recheck.compareTo(age) < 0 ? recheck : age;
        }
        return new XdsServer(xds, age, cache, sync, consumerAccess, catalog, metrics);
    }
}
