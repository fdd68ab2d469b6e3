package io.discoverygateway.client.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.discoverygateway.client.DiscoveryStream;
import io.discoverygateway.client.DiscoveryStreamOptions;
import io.discoverygateway.client.DiscoveryView;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Change written to the Kubernetes API → a consumer's LoadBalancer list updated: with the
 * client starter (1 consumer, its Spring Cloud LoadBalancer list; 100 consumers, their
 * views), and with the stock pattern of polling {@code /apps/{name}} behind Spring Cloud
 * LoadBalancer's default cached instance list (35 s), as Spring Cloud Kubernetes' HTTP
 * discovery client does (its starter is not published for Spring Cloud 2025, so the
 * baseline is a discovery client making the same request). {@code bench/run.sh client};
 * the report goes to {@code client/target/bench/propagation.md}.
 */
public final class PropagationBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final List<String> ADDRESSES = List.of("10.1.0.1", "10.1.0.2", "10.1.0.3");

    private static final String TOGGLED = "10.1.0.3";

    private final EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();

    private final StringBuilder report = new StringBuilder();

    private boolean toggledReady = true;

    private PropagationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int baselineConsumers = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        PropagationBenchmark benchmark = new PropagationBenchmark();
        try {
            benchmark.run(changes, baselineConsumers);
        }
        finally {
            benchmark.api.close();
        }
        System.exit(0);
    }

    private void run(int changes, int baselineConsumers) throws Exception {
        api.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "target"));
        writeSlice();
        line("# Client propagation benchmark");
        line("");
        line("- Date: %s; %d cores; Java %s; the gateway in its own JVM, consumers and the embedded API in this one",
                Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        line("- Each change flips the readiness of one of three endpoints of `shop/target` in the API; latency is from"
                + " before the write to the consumer holding a list that reflects it.");
        line("");
        line("| Consumers | Path | Samples | p50 | p99 | max |");
        line("|---|---|---|---|---|---|");
        try (GatewayProcess gateway = Gateways.start(api.url())) {
            loadBalancerList(gateway, changes);
            views(gateway, changes, 100);
            stockBaseline(gateway, baselineConsumers);
        }
        line("");
        Path file = Path.of("target", "bench", "propagation.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, report);
        System.out.println(report);
        System.out.println("Report written to " + file.toAbsolutePath());
    }

    /**
     * One consumer application: its Spring Cloud LoadBalancer list, as a
     * {@code @LoadBalanced} client gets it.
     */
    private void loadBalancerList(GatewayProcess gateway, int changes) throws Exception {
        try (ConfigurableApplicationContext consumer = ConsumerApplication.run(Map.of("discovery-gateway.client.urls",
                gateway.url().toString(), "discovery-gateway.client.namespaces", "shop"))) {
            ServiceInstanceListSupplier supplier = consumer.getBean(LoadBalancerClientFactory.class)
                .getInstance("target", ServiceInstanceListSupplier.class);
            Map<Integer, Long> seen = new ConcurrentHashMap<>();
            int[] expected = new int[1];
            Disposable subscription = supplier.get().subscribe(list -> {
                long now = System.nanoTime();
                if (matches(list, expected[0])) {
                    seen.putIfAbsent(expected[0], now);
                }
            });
            double[] latencies = new double[changes];
            for (int change = 0; change < changes; change++) {
                expected[0] = change + 1;
                long written = System.nanoTime();
                flip();
                awaitTrue(() -> seen.containsKey(expected[0]), Duration.ofSeconds(10));
                latencies[change] = (seen.get(expected[0]) - written) / 1e6;
                Thread.sleep(200);
            }
            subscription.dispose();
            row(1, "client starter: the LoadBalancer's instance list", latencies);
        }
    }

    /**
     * Many consumers: each a stream core in this JVM (the LoadBalancer list is computed
     * in the same listener).
     */
    private void views(GatewayProcess gateway, int changes, int consumers) throws Exception {
        List<DiscoveryStream> streams = new ArrayList<>();
        List<double[]> all = new ArrayList<>();
        long[] writtenAt = new long[1];
        Map<DiscoveryStream, Long> seen = new ConcurrentHashMap<>();
        boolean[] wantReady = new boolean[1];
        for (int i = 0; i < consumers; i++) {
            DiscoveryStream stream = new DiscoveryStream(
                    DiscoveryStreamOptions.of(List.of(gateway.url())).withNamespaces(List.of("shop")));
            stream.addListener(view -> {
                if (toggledReadyIn(view) == wantReady[0]) {
                    seen.putIfAbsent(stream, System.nanoTime());
                }
            });
            streams.add(stream.start());
        }
        awaitTrue(() -> streams.stream().allMatch(DiscoveryStream::ready), Duration.ofSeconds(30));
        for (int change = 0; change < changes; change++) {
            seen.clear();
            wantReady[0] = !toggledReady;
            writtenAt[0] = System.nanoTime();
            flip();
            awaitTrue(() -> seen.size() == consumers, Duration.ofSeconds(10));
            all.add(seen.values().stream().mapToDouble(at -> (at - writtenAt[0]) / 1e6).toArray());
            Thread.sleep(200);
        }
        streams.forEach(DiscoveryStream::close);
        row(consumers, "client core: the view (what the LoadBalancer list is computed from)",
                all.stream().flatMapToDouble(Arrays::stream).toArray());
    }

    /**
     * The stock pattern: a discovery client that asks {@code /apps/{name}} on every call,
     * behind Spring Cloud LoadBalancer's default configuration (cached instance lists, 35
     * s). Consumers start spread over one cache period, as real ones are; each polls its
     * LoadBalancer list every 100 ms after the change.
     */
    private void stockBaseline(GatewayProcess gateway, int consumers) throws Exception {
        List<ConfigurableApplicationContext> contexts = new ArrayList<>();
        long spacing = Duration.ofSeconds(35).toMillis() / consumers;
        try {
            for (int i = 0; i < consumers; i++) {
                ConfigurableApplicationContext context = new SpringApplicationBuilder(StockConsumer.class)
                    .web(WebApplicationType.NONE)
                    .properties(Map.of("spring.main.banner-mode", "off", "discovery-server-url",
                            gateway.url().toString(), "spring.cloud.discovery.reactive.enabled", "false"))
                    .run();
                contexts.add(context);
                // Fill its cache now, as a consumer making calls does.
                supplierOf(context).get().blockFirst();
                Thread.sleep(spacing);
            }
            List<Double> latencies = new ArrayList<>();
            for (int change = 0; change < 2; change++) {
                boolean wantReady = !toggledReady;
                long written = System.nanoTime();
                flip();
                Map<Integer, Long> seen = new ConcurrentHashMap<>();
                awaitTrue(() -> {
                    for (int i = 0; i < contexts.size(); i++) {
                        if (!seen.containsKey(i)) {
                            List<ServiceInstance> list = supplierOf(contexts.get(i)).get().blockFirst();
                            if (list != null && list.stream().anyMatch(s -> s.getHost().equals(TOGGLED)) == wantReady) {
                                seen.put(i, System.nanoTime());
                            }
                        }
                    }
                    return seen.size() == contexts.size();
                }, Duration.ofSeconds(60));
                seen.values().forEach(at -> latencies.add((at - written) / 1e6));
            }
            row(consumers, "stock: `/apps/{name}` behind LoadBalancer's default 35 s cache",
                    latencies.stream().mapToDouble(Double::doubleValue).toArray());
        }
        finally {
            contexts.forEach(ConfigurableApplicationContext::close);
        }
    }

    private static ServiceInstanceListSupplier supplierOf(ConfigurableApplicationContext context) {
        return context.getBean(LoadBalancerClientFactory.class)
            .getInstance("target", ServiceInstanceListSupplier.class);
    }

    /**
     * A consumer of the stock pattern: its discovery client reads {@code /apps/{name}} on
     * every call.
     */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class StockConsumer {

        @Bean
        DiscoveryClient appsDiscoveryClient(org.springframework.core.env.Environment environment) {
            URI server = URI.create(environment.getProperty("discovery-server-url"));
            HttpClient http = HttpClient.newHttpClient();
            return new DiscoveryClient() {

                @Override
                public String description() {
                    return "GET /apps/{name} per call, as Spring Cloud Kubernetes' HTTP discovery client";
                }

                @Override
                public List<ServiceInstance> getInstances(String serviceId) {
                    try {
                        JsonNode apps = JSON
                            .readTree(http.send(HttpRequest.newBuilder(server.resolve("/apps/" + serviceId)).build(),
                                    HttpResponse.BodyHandlers.ofString())
                                .body());
                        List<ServiceInstance> instances = new ArrayList<>();
                        for (JsonNode instance : apps) {
                            instances.add(new DefaultServiceInstance(instance.path("instanceId").asString(), serviceId,
                                    instance.path("host").asString(), instance.path("port").asInt(), false));
                        }
                        return instances;
                    }
                    catch (Exception ex) {
                        return List.of();
                    }
                }

                @Override
                public List<String> getServices() {
                    return List.of("target");
                }
            };
        }

    }

    private boolean matches(List<ServiceInstance> list, int changeNumber) {
        boolean wantReady = changeNumber % 2 == 0;
        return list.stream().anyMatch(s -> s.getHost().equals(TOGGLED)) == wantReady;
    }

    private static boolean toggledReadyIn(DiscoveryView view) {
        return view.service("shop", "target")
            .map(service -> service.endpoints().stream().anyMatch(e -> e.address().equals(TOGGLED) && e.ready()))
            .orElse(false);
    }

    private void flip() {
        toggledReady = !toggledReady;
        writeSlice();
    }

    private void writeSlice() {
        List<EndpointSpec> endpoints = ADDRESSES.stream()
            .map(a -> a.equals(TOGGLED) && !toggledReady ? EndpointSpec.notReady(a) : EndpointSpec.ready(a))
            .toList();
        api.replace(ApiResource.ENDPOINT_SLICES, "shop", KubeObjects.slice("shop", "target-1", "target", endpoints));
    }

    private void row(int consumers, String path, double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        line("| %d | %s | %d | %s | %s | %s |", consumers, path, sorted.length, format(quantile(sorted, 0.5)),
                format(quantile(sorted, 0.99)), format(sorted[sorted.length - 1]));
    }

    private static String format(double millis) {
        return millis >= 1000 ? String.format(Locale.ROOT, "%.1f s", millis / 1000)
                : String.format(Locale.ROOT, "%.1f ms", millis);
    }

    private static double quantile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within " + timeout);
            }
            Thread.sleep(1);
        }
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

}
