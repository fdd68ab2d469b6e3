package io.discoverygateway.clusterset;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * This cluster's name in the set comes from the About API's
 * {@code cluster.clusterset.k8s.io} ClusterProperty where the cluster has one, before the
 * configured name.
 */
class ClusterPropertyTest {

    @Test
    void aRemoteClustersClusterPropertyNamesItAndItsEndpoints() {
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();
                RemoteCluster west = RemoteCluster.start("west")) {
            west.api().create(ApiResource.CLUSTER_PROPERTIES, "", """
                    {"apiVersion":"about.k8s.io/v1alpha1","kind":"ClusterProperty",
                     "metadata":{"name":"cluster.clusterset.k8s.io"},"spec":{"value":"us-west-2"}}""");
            try (ConfigurableApplicationContext gateway = new SpringApplication(DiscoveryGatewayApplication.class).run(
                    "--gateway.kubernetes.api-url=" + api.url(), "--gateway.namespaces=shop", "--server.port=0",
                    "--management.server.port=0", "--spring.main.banner-mode=off", "--gateway.clusterset.enabled=true",
                    "--gateway.clusterset.name=east", "--gateway.clusterset.remotes[0].name=west",
                    "--gateway.clusterset.remotes[0].kubeconfig=" + west.kubeconfig())) {

                String clusters = GatewayClient.of(gateway.getEnvironment()).get("/api/v1/clusterset/clusters").body();

                assertThat(clusters).contains("\"name\":\"east\",\"local\":true",
                        "\"name\":\"us-west-2\",\"local\":false");
            }
        }
    }

    @Test
    void theClusterPropertyNamesThisCluster() {
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start()) {
            api.create(ApiResource.CLUSTER_PROPERTIES, "", """
                    {"apiVersion":"about.k8s.io/v1alpha1","kind":"ClusterProperty",
                     "metadata":{"name":"cluster.clusterset.k8s.io"},"spec":{"value":"eu-central-1"}}""");
            try (ConfigurableApplicationContext gateway = new SpringApplication(DiscoveryGatewayApplication.class).run(
                    "--gateway.kubernetes.api-url=" + api.url(), "--gateway.namespaces=shop", "--server.port=0",
                    "--management.server.port=0", "--spring.main.banner-mode=off", "--gateway.clusterset.enabled=true",
                    "--gateway.clusterset.name=configured")) {

                String clusters = GatewayClient.of(gateway.getEnvironment()).get("/api/v1/clusterset/clusters").body();

                assertThat(clusters).contains("\"name\":\"eu-central-1\",\"local\":true").doesNotContain("configured");
            }
        }
    }

}
