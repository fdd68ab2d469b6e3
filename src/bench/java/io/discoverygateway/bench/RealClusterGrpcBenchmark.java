package io.discoverygateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.discoverygateway.deploy.GatewayRbac;
import io.discoverygateway.process.GatewayProcess;
import io.discoverygateway.realkube.LoopbackAliases;
import io.discoverygateway.realkube.RealCluster;
import io.discoverygateway.realkube.Workloads;
import io.discoverygateway.xds.GrpcBackends;
import io.discoverygateway.xds.ProxylessClient;

/**
 * A pod's readiness written on the real cluster (the simulated kubelet's probe) to
 * grpc-java's calls through the gateway's xDS, over the EndpointSlice controller: how
 * long until the pod gets no more calls when it turns not ready, and its first call when
 * it is ready again. The pods' addresses are put on the loopback interface (root) with
 * gRPC servers on their container port. Run with {@code bench/run.sh realgrpc [flips]}.
 */
public final class RealClusterGrpcBenchmark {

    private RealClusterGrpcBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int flips = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String javaHome = args.length > 1 ? args[1] : System.getProperty("java.home");
        int status = 0;
        try {
            run(flips, javaHome);
        }
        catch (Exception ex) {
            ex.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    private static void run(int flips, String javaHome) throws Exception {
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        try (RealCluster cluster = RealCluster
            .start(new RealCluster.Options("grpcbench", true, Duration.ofMinutes(5)))) {
            String own = cluster.createNamespaceNamed("discovery-gateway");
            String namespace = cluster.createNamespaceNamed("grpc");
            GatewayRbac.apply(cluster.admin(), new GatewayRbac.Layout(false, false, false), own, List.of(namespace));
            Path token = out.resolve("grpcbench-gateway.token");
            Files.writeString(token, cluster.token(own, "discovery-gateway", List.of(), Duration.ofHours(1)));
            Workloads.deployed(cluster.admin(), namespace, "echo", 3);
            Map<String, String> pods = new TreeMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (pods.size() < 3 && System.nanoTime() < deadline) {
                pods.clear();
                for (var endpoint : Workloads.endpoints(cluster.admin(), namespace, "echo")) {
                    if (endpoint.path("conditions").path("ready").asBoolean(false)) {
                        pods.put(endpoint.path("addresses").get(0).asString(),
                                endpoint.path("targetRef").path("name").asString());
                    }
                }
                Thread.sleep(200);
            }
            List<String> addresses = List.copyOf(pods.keySet());
            int xdsPort = GrpcBackends.freePort("127.0.0.1");
            try (LoopbackAliases aliases = LoopbackAliases.add(addresses)
                .orElseThrow(() -> new IllegalStateException(
                        "pod addresses cannot be put on the loopback interface (root needed)"));
                    GrpcBackends backends = GrpcBackends.on(addresses, 8080);
                    GatewayProcess gateway = BenchGateways.start(javaHome, "1g", cluster.url(), List.of(namespace),
                            List.of("--gateway.kubernetes.ca-file=" + cluster.caCertificate(),
                                    "--gateway.kubernetes.token-file=" + token, "--gateway.xds.enabled=true",
                                    "--gateway.xds.port=" + xdsPort),
                            out.resolve("grpcbench-gateway.log"));
                    ProxylessClient client = new ProxylessClient(xdsPort, "echo." + namespace + ":80")) {
                gateway.awaitReady(Duration.ofMinutes(2));
                String flipping = addresses.get(0);
                ConcurrentLinkedQueue<long[]> calls = new ConcurrentLinkedQueue<>();
                AtomicBoolean calling = new AtomicBoolean(true);
                Thread caller = new Thread(() -> {
                    while (calling.get()) {
                        try {
                            String answered = client.call();
                            calls.add(new long[] { System.nanoTime(), answered.equals(flipping) ? 1 : 0 });
                        }
                        catch (RuntimeException failed) {
                            calls.add(new long[] { System.nanoTime(), -1 });
                        }
                    }
                });
                caller.start();
                awaitCallTo(calls, System.nanoTime());
                double[] stopped = new double[flips];
                double[] resumed = new double[flips];
                for (int i = 0; i < flips; i++) {
                    long notReady = System.nanoTime();
                    Workloads.setReady(cluster.admin(), namespace, pods.get(flipping), false);
                    stopped[i] = (lastCallToItAfter(calls, notReady) - notReady) / 1e6;
                    long ready = System.nanoTime();
                    Workloads.setReady(cluster.admin(), namespace, pods.get(flipping), true);
                    resumed[i] = (awaitCallTo(calls, ready) - ready) / 1e6;
                }
                calling.set(false);
                caller.join();
                List<String> report = new ArrayList<>();
                report.add("# Pod readiness on the real cluster → grpc-java calls through xDS (%d flips)\n"
                    .formatted(flips));
                report.add("| change | until | p50 ms | p99 ms | max ms |");
                report.add("|---|---|---|---|---|");
                report.add(row("pod written not ready", "its last call", stopped));
                report.add(row("pod written ready", "its first call", resumed));
                Files.write(out.resolve("report-realgrpc.md"), report);
                report.forEach(System.out::println);
            }
        }
    }

    /**
     * Waits until the pod has had no call for a second after the change; returns its last
     * call's time.
     */
    private static long lastCallToItAfter(ConcurrentLinkedQueue<long[]> calls, long since) throws InterruptedException {
        long last = since;
        while (true) {
            for (long[] call : calls) {
                if (call[0] > since && call[1] == 1) {
                    last = Math.max(last, call[0]);
                }
            }
            if (System.nanoTime() - last > 1_000_000_000L) {
                calls.clear();
                return last;
            }
            Thread.sleep(50);
        }
    }

    /** Waits for the pod's first call after the change; returns its time. */
    private static long awaitCallTo(ConcurrentLinkedQueue<long[]> calls, long since) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (long[] call : calls) {
                if (call[0] > since && call[1] == 1) {
                    calls.clear();
                    return call[0];
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the pod got no call within 30 s of turning ready");
    }

    private static String row(String change, String until, double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return "| %s | %s | %.0f | %.0f | %.0f |".formatted(change, until, sorted[sorted.length / 2],
                sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
                sorted[sorted.length - 1]);
    }

}
