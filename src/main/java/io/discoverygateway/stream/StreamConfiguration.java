package io.discoverygateway.stream;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.clusterset.ClusterSetPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

@Configuration(proxyBeanMethods = false)
class StreamConfiguration {

    /** The stream of this cluster's services. */
    @Bean
    @Primary
    StreamHub streamHub(CatalogReader catalog, SnapshotEncoder encoder, GatewayProperties properties,
            MeterRegistry registry) {
        StreamHub hub = new StreamHub(catalog, encoder, properties.stream(), properties.auth().recheckInterval(),
                registry);
        catalog.addListener(hub);
        return hub;
    }

    /**
     * The stream of the cluster set's services, with the cluster set on (null, no bean,
     * otherwise): the same hub on the catalog that mirrors the cluster-set view.
     */
    @Bean
    @Nullable StreamHub clusterSetStreamHub(ObjectProvider<ClusterSetPublisher> clusterSet, SnapshotEncoder encoder,
            GatewayProperties properties, MeterRegistry registry) {
        ClusterSetPublisher set = clusterSet.getIfAvailable();
        if (set == null) {
            return null;
        }
        StreamHub hub = new StreamHub(set.catalog(), encoder, properties.stream(), properties.auth().recheckInterval(),
                registry, "gateway.clusterset.stream");
        set.catalog().addListener(hub);
        return hub;
    }

}
