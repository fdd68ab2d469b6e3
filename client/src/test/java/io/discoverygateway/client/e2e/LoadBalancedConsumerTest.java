package io.discoverygateway.client.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.discoverygateway.client.DiscoveryStream;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;
import io.discoverygateway.wire.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end: a Spring Boot consumer with the client starter and a {@code @LoadBalanced}
 * RestClient calls backends registered as the endpoints of service {@code backend} in the
 * embedded Kubernetes API, through the real gateway running as a process of its own;
 * gateways are stopped, restarted, cut off and stalled under it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadBalancedConsumerTest {

    private EmbeddedKubernetesApi api;

    private Backends backends;

    private GatewayProcess gateway;

    private ConfigurableApplicationContext consumer;

    @TempDir
    Path temp;

    @BeforeAll
    void startApiBackendsAndGateway() {
        api = EmbeddedKubernetesApi.start();
        backends = new Backends(3);
        api.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "backend"));
        api.create(ApiResource.ENDPOINT_SLICES, "shop", slice(backends.addresses(), List.of()));
        gateway = Gateways.start(api.url());
    }

    @AfterEach
    void stopConsumer() {
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
        api.replace(ApiResource.ENDPOINT_SLICES, "shop", slice(backends.addresses(), List.of()));
    }

    @AfterAll
    void stopEverything() {
        gateway.close();
        backends.close();
        api.close();
    }

    @Test
    void callsAreSpreadOverEveryReadyBackend() {
        consumer = consumer(gateway.url().toString());

        Map<String, Integer> answers = call(30);

        assertThat(answers).containsOnlyKeys(backends.addresses());
        assertThat(answers.values()).allSatisfy(count -> assertThat(count).isGreaterThanOrEqualTo(5));
    }

    @Test
    void aBackendTurnedNotReadyGetsNoRequestOnceTheEventHasArrived() {
        consumer = consumer(gateway.url().toString());
        String leaving = backends.addresses().get(1);
        call(6);

        double patchedBefore = gateway.metric("gateway.stream.events.patched");
        long written = System.nanoTime();
        api.replace(ApiResource.ENDPOINT_SLICES, "shop", slice(backends.addresses(), List.of(leaving)));
        await().atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(1))
            .until(() -> instances().stream().noneMatch(i -> i.getHost().equals(leaving)));
        long propagatedMillis = (System.nanoTime() - written) / 1_000_000;
        int before = backends.requests(leaving);
        Map<String, Integer> answers = call(30);

        System.out.printf("Not-ready endpoint left the consumer's instances %d ms after the API write%n",
                propagatedMillis);
        assertThat(backends.requests(leaving)).isEqualTo(before);
        assertThat(answers).doesNotContainKey(leaving).hasSize(2);
        assertThat(gateway.metric("gateway.stream.events.patched")).as("the change came as a PATCHED event")
            .isGreaterThan(patchedBefore);
    }

    @Test
    void aGatewayRestartConvergesWithoutEverEmptyingTheLoadBalancersList() {
        consumer = consumer(gateway.url().toString());
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        Disposable recording = supplier().get().subscribe(list -> sizes.add(list.size()));
        long resetsBefore = stream().status().resets();
        try {
            gateway.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> health().getDetails().get("stale").equals(true));
            assertThat(health().getStatus()).as("the last view is still served").isEqualTo(Status.UP);
            assertThat(instances()).hasSize(3);
            String gone = backends.addresses().get(2);
            api.replace(ApiResource.ENDPOINT_SLICES, "shop", slice(backends.addresses(), List.of(gone)));
            gateway.start();
            gateway.awaitReady(Duration.ofSeconds(60));

            await().atMost(Duration.ofSeconds(20)).until(() -> instances().size() == 2);
            assertThat(stream().status().resets()).as("a new gateway epoch: a full snapshot")
                .isGreaterThan(resetsBefore);
            assertThat(sizes).isNotEmpty().doesNotContain(0).endsWith(2);
            assertThat(call(12)).doesNotContainKey(gone);
        }
        finally {
            recording.dispose();
        }
    }

    @Test
    void withTwoGatewaysTheClientFailsOverWhenOneStops() {
        try (GatewayProcess second = Gateways.start(api.url())) {
            consumer = consumer(second.url() + "," + gateway.url());
            await().atMost(Duration.ofSeconds(5)).until(() -> second.url().equals(stream().status().connected()));

            second.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.url().equals(stream().status().connected()));
            String leaving = backends.addresses().get(0);
            api.replace(ApiResource.ENDPOINT_SLICES, "shop", slice(backends.addresses(), List.of(leaving)));

            await().atMost(Duration.ofSeconds(5)).until(() -> instances().size() == 2);
            assertThat(call(10)).doesNotContainKey(leaving);
        }
    }

    @Test
    void cutConnectionsAreResumedAndAStalledOneIsReplaced() throws IOException {
        try (TcpProxy proxy = new TcpProxy(gateway.url())) {
            consumer = consumer(proxy.url().toString(), "discovery-gateway.client.stall-timeout", "3s");
            long resets = stream().status().resets();
            long reconnects = stream().status().reconnects();

            proxy.cut();
            await().atMost(Duration.ofSeconds(15))
                .until(() -> stream().status().reconnects() > reconnects && stream().status().connected() != null);
            assertThat(stream().status().resets()).as("a resume, not a snapshot").isEqualTo(resets);

            proxy.stall(true);
            String leaving = backends.addresses().get(2);
            api.replace(ApiResource.ENDPOINT_SLICES, "shop", slice(backends.addresses(), List.of(leaving)));
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(instances()).as("nothing gets through a stalled connection").hasSize(3);
            proxy.stall(false);
            proxy.cut();

            await().atMost(Duration.ofSeconds(10)).until(() -> instances().size() == 2);
        }
    }

    @Test
    void aRotatedTokenIsReadAgainWhenTheGatewayAsksForAFreshOne() throws IOException {
        api.create(ApiResource.SERVICE_ACCOUNTS, "shop", KubeObjects.serviceAccount("shop", "consumer"));
        api.create(ApiResource.ROLES, "shop",
                KubeObjects.role("shop", "reader", List.of(KubeObjects.Rule.listEndpointSlices())));
        api.create(ApiResource.ROLE_BINDINGS, "shop",
                KubeObjects.binding("shop", "consumer", "Role", "reader", "shop", "consumer"));
        Path tokenFile = temp.resolve("token");
        try (GatewayProcess secured = Gateways.start(api.url(), "--gateway.auth.mode=kubernetes")) {
            // Long enough for the consumer to start and connect with it on a busy machine
            // (about 3 s seen in CI).
            Files.writeString(tokenFile,
                    api.issueToken("shop", "consumer", List.of("discovery-gateway"), Duration.ofSeconds(8)));
            consumer = consumer(secured.url().toString(), "discovery-gateway.client.token-file", tokenFile.toString());
            long reconnects = stream().status().reconnects();
            // As the kubelet does before a projected token expires.
            Files.writeString(tokenFile,
                    api.issueToken("shop", "consumer", List.of("discovery-gateway"), Duration.ofMinutes(10)));

            await().atMost(Duration.ofSeconds(15))
                .until(() -> stream().status().reconnects() > reconnects && stream().status().connected() != null);
            String leaving = backends.addresses().get(1);
            api.replace(ApiResource.ENDPOINT_SLICES, "shop", slice(backends.addresses(), List.of(leaving)));
            await().atMost(Duration.ofSeconds(5)).until(() -> instances().size() == 2);
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void theConsumerStartsWithoutLoadBalancersWarningAboutACacheItDoesNotUse(CapturedOutput output) {
        consumer = consumer(gateway.url().toString());

        assertThat(instances()).hasSize(3);
        assertThat(consumer.getEnvironment().getProperty("spring.cloud.loadbalancer.cache.enabled")).isEqualTo("false");
        assertThat(output.getAll()).doesNotContain("working with the default cache");
    }

    private ConfigurableApplicationContext consumer(String urls, String... properties) {
        Map<String, Object> settings = new HashMap<>(Map.of("discovery-gateway.client.urls", urls,
                "discovery-gateway.client.namespaces", "shop", "discovery-gateway.client.initial-backoff", "100ms",
                "discovery-gateway.client.max-backoff", "1s"));
        for (int i = 0; i + 1 < properties.length; i += 2) {
            settings.put(properties[i], properties[i + 1]);
        }
        ConfigurableApplicationContext context = ConsumerApplication.run(settings);
        await().atMost(Duration.ofSeconds(10)).until(() -> context.getBean(DiscoveryStream.class).ready());
        return context;
    }

    private Health health() {
        return (Health) consumer.getBean("discoveryGatewayHealthIndicator", HealthIndicator.class).health(true);
    }

    private DiscoveryStream stream() {
        return consumer.getBean(DiscoveryStream.class);
    }

    private List<ServiceInstance> instances() {
        return consumer.getBean(DiscoveryClient.class).getInstances("backend");
    }

    private ServiceInstanceListSupplier supplier() {
        return consumer.getBean(LoadBalancerClientFactory.class)
            .getInstance("backend", ServiceInstanceListSupplier.class);
    }

    /**
     * Calls the service by name through the load balancer; answers by backend address.
     */
    private Map<String, Integer> call(int times) {
        RestClient client = consumer.getBean(RestClient.Builder.class).build();
        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < times; i++) {
            answers.merge(client.get().uri("http://backend/").retrieve().body(String.class), 1, Integer::sum);
        }
        return answers;
    }

    /**
     * The backends as the service's endpoints, the given ones not ready, on the backends'
     * port.
     */
    private String slice(List<String> addresses, List<String> notReady) {
        List<EndpointSpec> endpoints = addresses.stream()
            .sorted()
            .map(a -> notReady.contains(a) ? EndpointSpec.notReady(a) : EndpointSpec.ready(a))
            .toList();
        return KubeObjects.slice("shop", "backend-1", "backend", endpoints)
            .replace("\"port\":8080", "\"port\":" + backends.port());
    }

}
