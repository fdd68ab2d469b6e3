package io.discoverygateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.SseClient;
import io.discoverygateway.deploy.GatewayRbac;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;
import io.discoverygateway.realkube.KubeRest;
import io.discoverygateway.realkube.RealCluster;
import io.discoverygateway.realkube.Workloads;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Figures from a real control plane
 * ({@code bench/run.sh realkube [services] [endpoints-per-service]}): the gateway in its
 * own JVM, with its own ServiceAccount token and k8s/base's RBAC, on kube-apiserver,
 * kube-controller-manager and etcd built from source; the changes and the measuring
 * clients in this JVM.
 * <ul>
 * <li>a change written to the API (a Service's label, merge patch as
 * {@code kubectl label} sends) → the stream's event, and → the answer of a held
 * long-poll;</li>
 * <li>a pod's readiness flipped → the stream's event, through the simulated kubelet, the
 * API and the EndpointSlice controller;</li>
 * <li>start-up to readiness and heap after a full GC with {@code services × endpoints}
 * written through the real API (the gateway's lists are paginated by the real
 * server);</li>
 * <li>the gateway's API requests in a quiet period, from the API server's audit log.</li>
 * </ul>
 */
public final class RealClusterBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RealClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int endpointsPerService = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String javaHome = args.length > 2 ? args[2] : System.getProperty("java.home");
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        List<String> report = new ArrayList<>();
        try (RealCluster cluster = RealCluster.start(new RealCluster.Options("bench", true, Duration.ofMinutes(5)))) {
            KubeRest admin = cluster.admin();
            String own = cluster.createNamespaceNamed("discovery-gateway");
            String prop = cluster.createNamespaceNamed("propagation");
            String large = cluster.createNamespaceNamed("large");
            GatewayRbac.apply(admin, new GatewayRbac.Layout(false, false, false), own, List.of(prop, large));
            Path token = out.resolve("realkube-gateway.token");
            Files.writeString(token, cluster.token(own, "discovery-gateway", List.of(), Duration.ofHours(4)));
            List<String> connection = List.of("--gateway.kubernetes.ca-file=" + cluster.caCertificate(),
                    "--gateway.kubernetes.token-file=" + token);
            report.add("# Real cluster figures (kube-apiserver v1.37.2, etcd v3.7.3, 2 cores)\n");

            try (GatewayProcess gateway = BenchGateways.start(javaHome, "1g", cluster.url(), List.of(prop), connection,
                    out.resolve("realkube-gateway-propagation.log"))) {
                gateway.awaitReady(Duration.ofSeconds(120));
                propagation(cluster, gateway, prop, report);
                requestsWhileQuiet(cluster, report);
            }

            long writeStart = System.nanoTime();
            seed(admin, large, services, endpointsPerService);
            double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
            try (GatewayProcess gateway = BenchGateways.start(javaHome, "2g", cluster.url(), List.of(large), connection,
                    out.resolve("realkube-gateway-startup.log"))) {
                gateway.awaitReady(Duration.ofMinutes(5));
                long heap = gateway.heapAfterGc();
                report.add("\n## Start-up at %,d services / %,d endpoints\n".formatted(services,
                        services * endpointsPerService));
                report.add("| written through the API | gateway process start → ready | informers start → ready |"
                        + " heap after full GC |");
                report.add("|---|---|---|---|");
                report.add("| %.0f s (%,d objects) | %.2f s | %.2f s | %.0f MB |".formatted(writeSeconds, services * 2,
                        gateway.secondsToReady(), gateway.secondsFromHttpUpToReady(), heap / 1e6));
            }
        }
        Path file = out.resolve("report-realkube.md");
        Files.write(file, report);
        report.forEach(System.out::println);
        System.out.println("\nwritten to " + file);
    }

    private static void propagation(RealCluster cluster, GatewayProcess gateway, String namespace, List<String> report)
            throws Exception {
        KubeRest admin = cluster.admin();
        Workloads.deployed(admin, namespace, "web", 3);
        HttpClient http = HttpClient.newHttpClient();
        String path = "/api/v1/namespaces/" + namespace + "/services/web";
        awaitReady(http, gateway, path, 3);
        int samples = 50;
        double[] toStream = new double[samples];
        double[] toLongPoll = new double[samples];
        try (SseClient stream = SseClient.connect(gateway.port(), "/api/v1/stream?namespace=" + namespace)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(10));
            for (int i = 0; i < samples; i++) {
                String etag = http.send(request(gateway, path), HttpResponse.BodyHandlers.discarding())
                    .headers()
                    .firstValue("ETag")
                    .orElseThrow();
                CompletableFuture<HttpResponse<Void>> held = http.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + path + "?wait=30s"))
                            .header("If-None-Match", etag)
                            .build(),
                        HttpResponse.BodyHandlers.discarding());
                awaitHeld(gateway);
                String marker = "\"sample\":\"" + i + "\"";
                long written = System.nanoTime();
                ObjectNode patch = JSON.createObjectNode();
                patch.putObject("metadata").putObject("labels").put("sample", Integer.toString(i));
                admin.mergePatch("/api/v1/namespaces/" + namespace + "/services/web", patch);
                CompletableFuture<Long> answered = held.thenApply(response -> System.nanoTime());
                stream.awaitEvent(e -> e.data() != null && e.data().contains(marker), Duration.ofSeconds(10));
                toStream[i] = (System.nanoTime() - written) / 1e6;
                toLongPoll[i] = (answered.get(10, TimeUnit.SECONDS) - written) / 1e6;
            }
            int flips = 20;
            double[] flipToStream = new double[flips];
            List<String> pods = Workloads.podNames(admin, namespace, "web");
            for (int i = 0; i < flips; i++) {
                boolean ready = i % 2 == 1;
                int before = stream.namedEvents().size();
                long written = System.nanoTime();
                Workloads.setReady(admin, namespace, pods.get(0), ready);
                int expected = ready ? 3 : 2;
                stream.awaitEvent(e -> stream.namedEvents().size() > before && readyIn(e.data()) == expected,
                        Duration.ofSeconds(30));
                flipToStream[i] = (System.nanoTime() - written) / 1e6;
            }
            report.add("## Propagation (%d changes each)\n".formatted(samples));
            report.add("| change | to | p50 ms | p99 ms | max ms |");
            report.add("|---|---|---|---|---|");
            report.add(row("Service label (API write)", "stream event", toStream));
            report.add(row("Service label (API write)", "held long-poll answered", toLongPoll));
            report.add(row("pod readiness (" + flips + " flips)", "stream event, via kubelet and controller",
                    flipToStream));
        }
    }

    private static void requestsWhileQuiet(RealCluster cluster, List<String> report) throws Exception {
        String user = "system:serviceaccount:discovery-gateway:discovery-gateway";
        int before = cluster.requestsOf(user).size();
        long started = System.nanoTime();
        TimeUnit.SECONDS.sleep(120);
        List<RealCluster.AuditedRequest> quiet = cluster.requestsOf(user);
        double seconds = (System.nanoTime() - started) / 1e9;
        List<RealCluster.AuditedRequest> window = quiet.subList(before, quiet.size());
        report.add("\n## The gateway's API requests while nothing changes\n");
        report.add(("%d requests in %.0f s (%s) with 2 watches open (Services and EndpointSlices of one namespace)."
                + " Each watch asks for a timeout of 5 to 10 minutes (client-go's rule), so at steady state each is"
                + " re-opened about 8 times an hour, from the last bookmark: no list.")
            .formatted(window.size(), seconds, summary(window)));
    }

    private static String summary(List<RealCluster.AuditedRequest> requests) {
        Map<String, Long> byVerb = new java.util.TreeMap<>();
        requests.forEach(r -> byVerb.merge(r.verb() + " " + r.resource(), 1L, Long::sum));
        return byVerb.isEmpty() ? "none" : byVerb.toString();
    }

    private static void seed(KubeRest admin, String namespace, int services, int endpointsPerService) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int s = 0; s < services; s++) {
            int index = s;
            writes.add(CompletableFuture.runAsync(() -> {
                String name = "svc-" + index;
                ObjectNode service = (ObjectNode) JSON.readTree(KubeObjects.service(namespace, name));
                service.withObject("spec").remove(List.of("clusterIP", "clusterIPs"));
                admin.post("/api/v1/namespaces/" + namespace + "/services", service);
                List<EndpointSpec> endpoints = new ArrayList<>();
                for (int e = 0; e < endpointsPerService; e++) {
                    endpoints.add(EndpointSpec.ready("10.200." + (e / 250) + "." + (e % 250 + 1)));
                }
                admin.post("/apis/discovery.k8s.io/v1/namespaces/" + namespace + "/endpointslices",
                        JSON.readTree(KubeObjects.slice(namespace, name + "-1", name, endpoints)));
            }, writers));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        writers.shutdown();
    }

    private static HttpRequest request(GatewayProcess gateway, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + path)).build();
    }

    private static void awaitReady(HttpClient http, GatewayProcess gateway, String path, int ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(request(gateway, path), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && readyIn(response.body()) == ready) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("the service never had " + ready + " ready endpoints");
    }

    /**
     * Waits until the gateway holds at least one long-poll (its gauge), so the write
     * comes after it.
     */
    private static void awaitHeld(GatewayProcess gateway) throws Exception {
        for (int i = 0; i < 200 && gateway.metric("gateway.longpoll.waiting") < 1; i++) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private static int readyIn(String json) {
        if (json == null || !json.startsWith("{")) {
            return -1;
        }
        int ready = 0;
        for (var endpoint : JSON.readTree(json).path("endpoints")) {
            if (endpoint.path("ready").asBoolean()) {
                ready++;
            }
        }
        return ready;
    }

    private static String row(String change, String to, double[] millis) {
        double[] sorted = Arrays.stream(millis).sorted().toArray();
        return "| %s | %s | %.1f | %.1f | %.1f |".formatted(change, to, sorted[sorted.length / 2],
                sorted[(int) Math.ceil(sorted.length * 0.99) - 1], sorted[sorted.length - 1]);
    }

}
