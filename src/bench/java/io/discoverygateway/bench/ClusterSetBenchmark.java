package io.discoverygateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.discoverygateway.SseClient;
import io.discoverygateway.clusterset.RemoteCluster;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.RecordedRequest;
import io.discoverygateway.process.GatewayProcess;

/**
 * The cluster set's figures (issue 27): the heap one remote cluster costs, and each of
 * its exported endpoints; how long a change written to a remote cluster's API takes to
 * reach a consumer of the cluster set's stream, against one written to this cluster's;
 * and the requests the gateway makes to each cluster's API. Two embedded APIs in this
 * JVM, the gateway in its own. Run with
 * {@code bench/run.sh clusterset [services] [changes]} (default 1,000 services of 10
 * endpoints, 50 changes).
 */
public final class ClusterSetBenchmark {

    private ClusterSetBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        String javaHome = args.length > 2 ? args[2] : System.getProperty("java.home");
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        List<String> report = new ArrayList<>();
        try (EmbeddedKubernetesApi east = EmbeddedKubernetesApi.start();
                EmbeddedKubernetesApi west = EmbeddedKubernetesApi.start()) {
            east.create(ApiResource.SERVICES, "shop", exported(KubeObjects.service("shop", "lat")));
            east.create(ApiResource.ENDPOINT_SLICES, "shop", slice("lat", 0, 3));
            west.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "lat"));
            west.create(ApiResource.ENDPOINT_SLICES, "shop", slice("lat", 1, 3));
            west.create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "lat"));
            Path kubeconfig = out.resolve("clusterset-west.kubeconfig");
            RemoteCluster.writeKubeconfig(kubeconfig, "west", west.url().toString(), null);
            long single;
            try (GatewayProcess gateway = BenchGateways.start(javaHome, "1g", east.url(), List.of("shop"), List.of(),
                    out.resolve("clusterset-single.log"))) {
                gateway.awaitReady(Duration.ofMinutes(2));
                single = gateway.heapAfterGc();
            }
            west.clearRequests();
            east.clearRequests();
            try (GatewayProcess gateway = BenchGateways.start(javaHome, "1g", east.url(), List.of("shop"),
                    List.of("--gateway.clusterset.enabled=true", "--gateway.clusterset.name=east",
                            "--gateway.clusterset.remotes[0].name=west",
                            "--gateway.clusterset.remotes[0].kubeconfig=" + kubeconfig),
                    out.resolve("clusterset-gateway.log"))) {
                gateway.awaitReady(Duration.ofMinutes(2));
                await(() -> gateway.metric("gateway.clusterset.services") >= 1);
                long withRemote = gateway.heapAfterGc();
                for (int s = 0; s < services; s++) {
                    west.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "svc-" + s));
                    west.create(ApiResource.ENDPOINT_SLICES, "shop", slice("svc-" + s, 10 + s, 10));
                    west.create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "svc-" + s));
                }
                await(() -> gateway.metric("gateway.clusterset.services") >= services + 1);
                long loaded = gateway.heapAfterGc();
                List<Long> remote = propagation(gateway, west, changes, 1);
                List<Long> local = propagation(gateway, east, changes, 0);
                report.add("# Cluster set: two clusters, %,d services of 10 endpoints exported by the remote one"
                    .formatted(services));
                report.add("");
                report.add("Embedded Kubernetes APIs in the benchmark's JVM, the gateway in its own (%s), 2 cores."
                    .formatted(javaHome));
                report.add("");
                report.add("| Figure | Value |");
                report.add("|---|---|");
                report.add(("| Heap after GC: one cluster / with an empty remote cluster / with its %,d endpoints"
                        + " | %.1f / %.1f / %.1f MiB |")
                    .formatted(services * 10, single / 1048576.0, withRemote / 1048576.0, loaded / 1048576.0));
                report.add("| Heap of one (empty) remote cluster | %.1f MiB |"
                    .formatted((withRemote - single) / 1048576.0));
                report.add(("| Heap per exported remote endpoint (its informer store, catalog, cluster-set view,"
                        + " mirror) | %,.0f bytes |")
                    .formatted((double) (loaded - withRemote) / (services * 10)));
                report
                    .add("| Remote change → cluster-set stream event: p50 / p99 / max | %s |".formatted(stats(remote)));
                report.add("| This cluster's change → cluster-set stream event: p50 / p99 / max | %s |"
                    .formatted(stats(local)));
                report.add("");
                report.add("Requests the gateway made to each cluster's API over the run (list and watch per kind:"
                        + " one watch per kind and namespace and cluster, renewed when a watch times out):");
                report.add("");
                report.add("| Cluster | Requests (verb resource: count) |");
                report.add("|---|---|");
                report.add("| east (this one) | %s |".formatted(requests(east.requests())));
                report.add("| west (remote) | %s |".formatted(requests(west.requests())));
            }
        }
        Files.write(out.resolve("report-clusterset.md"), report);
        report.forEach(System.out::println);
    }

    /**
     * Replaces the slice of "lat" in the cluster {@code changes} times, each time with a
     * new address, and measures until the cluster set's stream shows it.
     */
    private static List<Long> propagation(GatewayProcess gateway, EmbeddedKubernetesApi api, int changes, int cluster)
            throws Exception {
        List<Long> samples = new ArrayList<>();
        try (SseClient stream = SseClient.connect(gateway.port(), "/api/v1/clusterset/stream?service=shop/lat")) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(30));
            for (int i = 0; i < changes; i++) {
                String marker = "10." + (200 + cluster) + "." + (i / 250) + "." + (i % 250 + 1);
                String slice = slice("lat", cluster, 3).replaceFirst("\"addresses\":\\[\"[^\"]+\"\\]",
                        "\"addresses\":[\"" + marker + "\"]");
                long written = System.nanoTime();
                api.replace(ApiResource.ENDPOINT_SLICES, "shop", slice);
                stream.awaitEvent(event -> event.data() != null && event.data().contains(marker),
                        Duration.ofSeconds(20));
                samples.add(System.nanoTime() - written);
            }
        }
        return samples;
    }

    private static String stats(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return "%.1f / %.1f / %.1f ms".formatted(sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
    }

    private static String requests(List<RecordedRequest> requests) {
        Map<String, Long> counts = requests.stream()
            .collect(Collectors.groupingBy(r -> r.verb() + " " + r.resource(), TreeMap::new, Collectors.counting()));
        return counts.entrySet()
            .stream()
            .map(entry -> entry.getKey() + ": " + entry.getValue())
            .collect(Collectors.joining(", "));
    }

    private static String exported(String service) {
        return service.replace("\"labels\":{}",
                "\"labels\":{},\"annotations\":{\"discovery-gateway.io/export\":\"true\"}");
    }

    /** {@code count} ready endpoints at addresses of block {@code block}. */
    private static String slice(String service, int block, int count) {
        List<EndpointSpec> endpoints = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            endpoints.add(EndpointSpec.ready("10." + (block / 250 + 1) + "." + (block % 250) + "." + (i + 1)));
        }
        return KubeObjects.slice("shop", service + "-1", service, endpoints);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out");
            }
            Thread.sleep(100);
        }
    }

}
