package io.discoverygateway.kubeapi;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * Runs an {@link EmbeddedKubernetesApi} for the lifetime of the Spring context and points
 * the gateway at it. Tying the server to the context matters: cached test contexts would
 * otherwise keep informers running against a closed server.
 */
@TestConfiguration(proxyBeanMethods = false)
public class EmbeddedKubernetesApiConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedKubernetesApi embeddedKubernetesApi() {
        return EmbeddedKubernetesApi.start();
    }

    @Bean
    TestCluster testCluster(EmbeddedKubernetesApi api) {
        return new EmbeddedTestCluster(api);
    }

    @Bean
    DynamicPropertyRegistrar embeddedKubernetesApiUrl(EmbeddedKubernetesApi api) {
        return registry -> registry.add("gateway.kubernetes.api-url", () -> api.url().toString());
    }

}
