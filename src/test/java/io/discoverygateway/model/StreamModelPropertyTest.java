package io.discoverygateway.model;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.EmbeddedTestCluster;
import io.discoverygateway.kubeapi.TestCluster;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The stream's model-based contract on the embedded Kubernetes API. */
class StreamModelPropertyTest extends StreamModelContract {

    private static final AtomicInteger TRIES = new AtomicInteger();

    private static EmbeddedKubernetesApi api;

    private static ConfigurableApplicationContext gateway;

    @BeforeContainer
    static void start() {
        api = EmbeddedKubernetesApi.start(0, 20_000);
        gateway = SpringApplication.run(DiscoveryGatewayApplication.class, "--server.port=0",
                "--management.server.port=0", "--gateway.all-namespaces=true",
                "--gateway.kubernetes.api-url=" + api.url(), "--gateway.stream.heartbeat=1s",
                "--spring.main.banner-mode=off", "--logging.level.root=WARN");
    }

    @AfterContainer
    static void stop() {
        gateway.close();
        api.close();
    }

    @Property(tries = 8, shrinking = ShrinkingMode.BOUNDED)
    void everyClientEndsWithExactlyTheGatewaysStateOnTheEmbeddedApi(@ForAll("changes") List<Change> changes,
            @ForAll("seeds") long seed) {
        everyClientEndsWithExactlyTheGatewaysState(changes, seed);
    }

    @Override
    TestCluster api() {
        return new EmbeddedTestCluster(api);
    }

    @Override
    GatewayClient gateway() {
        return GatewayClient.of(gateway.getEnvironment());
    }

    @Override
    int port() {
        return ((WebServerApplicationContext) gateway).getWebServer().getPort();
    }

    @Override
    String namespaceForTry() {
        return "model-" + TRIES.incrementAndGet();
    }

}
