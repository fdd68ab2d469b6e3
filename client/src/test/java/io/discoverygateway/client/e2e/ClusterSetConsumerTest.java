package io.discoverygateway.client.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.discoverygateway.client.DiscoveryStream;
import io.discoverygateway.clusterset.RemoteCluster;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.process.GatewayProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end across two clusters: a Spring Boot consumer with
 * {@code discovery-gateway.client.cluster-set=true} calls service {@code backend}, which
 * this cluster ("east", the gateway's) and a remote one ("west") both export, through the
 * real gateway process reading both APIs. Its calls stay in its own cluster, move to the
 * other when its own has no ready instance, and come back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterSetConsumerTest {

    private EmbeddedKubernetesApi east;

    private EmbeddedKubernetesApi west;

    private Backends backends;

    private GatewayProcess gateway;

    private ConfigurableApplicationContext consumer;

    private Path kubeconfig;

    @BeforeAll
    void startClustersBackendsAndGateway() throws IOException {
        east = EmbeddedKubernetesApi.start();
        west = EmbeddedKubernetesApi.start();
        backends = new Backends(2);
        east.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "backend")
            .replace("\"labels\":{}", "\"labels\":{},\"annotations\":{\"discovery-gateway.io/export\":\"true\"}"));
        east.create(ApiResource.ENDPOINT_SLICES, "shop", slice(eastBackend(), true));
        west.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "backend"));
        west.create(ApiResource.ENDPOINT_SLICES, "shop", slice(westBackend(), true));
        west.create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "backend"));
        kubeconfig = Files.createTempFile("west-", ".kubeconfig");
        RemoteCluster.writeKubeconfig(kubeconfig, "west", west.url().toString(), null);
        gateway = Gateways.start(east.url(), "--gateway.clusterset.enabled=true", "--gateway.clusterset.name=east",
                "--gateway.clusterset.remotes[0].name=west",
                "--gateway.clusterset.remotes[0].kubeconfig=" + kubeconfig);
    }

    @AfterAll
    void stopAll() {
        if (consumer != null) {
            consumer.close();
        }
        gateway.close();
        backends.close();
        west.close();
        east.close();
        try {
            Files.deleteIfExists(kubeconfig);
        }
        catch (IOException ex) {
            // A temporary file: the system's cleanup takes it.
        }
    }

    @Test
    void callsStayInTheLocalClusterFailOverWhenItHasNoReadyInstanceAndComeBack() {
        Map<String, Object> settings = new HashMap<>(Map.of("discovery-gateway.client.urls", gateway.url().toString(),
                "discovery-gateway.client.namespaces", "shop", "discovery-gateway.client.cluster-set", "true",
                "discovery-gateway.client.initial-backoff", "100ms"));
        consumer = ConsumerApplication.run(settings);
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.getBean(DiscoveryStream.class).ready());

        awaitOnlyCallsTo(eastBackend());
        east.replace(ApiResource.ENDPOINT_SLICES, "shop", slice(eastBackend(), false));
        awaitOnlyCallsTo(westBackend());
        east.replace(ApiResource.ENDPOINT_SLICES, "shop", slice(eastBackend(), true));
        awaitOnlyCallsTo(eastBackend());

        assertThat(consumer.getBean(DiscoveryStream.class).localCluster()).hasValue("east");
    }

    /**
     * Waits until a call reaches the backend, then checks that the next 10 calls all do.
     */
    private void awaitOnlyCallsTo(String backend) {
        RestClient client = consumer.getBean(RestClient.Builder.class).build();
        await().atMost(Duration.ofSeconds(15))
            .ignoreExceptions()
            .until(() -> backend.equals(client.get().uri("http://backend/").retrieve().body(String.class)));
        for (int i = 0; i < 10; i++) {
            assertThat(client.get().uri("http://backend/").retrieve().body(String.class)).isEqualTo(backend);
        }
    }

    private String eastBackend() {
        return backends.addresses().get(0);
    }

    private String westBackend() {
        return backends.addresses().get(1);
    }

    private String slice(String address, boolean ready) {
        List<EndpointSpec> endpoints = List.of(ready ? EndpointSpec.ready(address) : EndpointSpec.notReady(address));
        return KubeObjects.slice("shop", "backend-1", "backend", endpoints)
            .replace("\"port\":8080", "\"port\":" + backends.port());
    }

}
