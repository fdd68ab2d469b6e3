package io.discoverygateway.xds;

import java.time.Duration;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ConsumerAccess;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.clusterset.ClusterSetPublisher;
import io.discoverygateway.catalog.SyncState;
import io.discoverygateway.tls.ServerTls;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The xDS server, with {@code gateway.xds.enabled=true}. Decided when the beans are
 * created rather than by a bean condition, so that the set of bean definitions is the
 * same whatever the settings and a build's Spring AOT processing serves every
 * configuration: with xDS off each method returns null (no bean, no metric, no port).
 */
@Configuration(proxyBeanMethods = false)
class XdsConfiguration {

    @Bean
    @Nullable XdsMetrics xdsMetrics(GatewayProperties properties, MeterRegistry registry) {
        return properties.xds().enabled() ? new XdsMetrics(registry) : null;
    }

    @Bean
    @Nullable XdsCache xdsCache(CatalogReader catalog, @Nullable XdsMetrics metrics,
            ObjectProvider<ClusterSetPublisher> clusterSet) {
        return metrics != null ? new XdsCache(catalog, metrics, clusterSet.getIfAvailable()) : null;
    }

    @Bean
    @Nullable XdsServer xdsServer(GatewayProperties properties, @Nullable XdsCache cache, SyncState sync,
            ObjectProvider<ConsumerAccess> access, CatalogReader catalog, @Nullable XdsMetrics metrics,
            ObjectProvider<ServerTls> tls) {
        if (cache == null || metrics == null) {
            return null;
        }
        GatewayProperties.Xds xds = properties.xds();
        ConsumerAccess consumerAccess = access.getIfAvailable();
        Duration age = xds.maxConnectionAge();
        if (consumerAccess != null) {
            // What RBAC allows is decided when a stream opens: connections move on at
            // least this often so that a
            // revoked grant (or an expired token) ends within one recheck interval, as on
            // the stream API.
            Duration recheck = properties.auth().recheckInterval();
            age = age.isZero() || recheck.compareTo(age) < 0 ? recheck : age;
        }
        return new XdsServer(xds, age, cache, sync, consumerAccess, catalog, metrics, tls.getIfAvailable());
    }

}
