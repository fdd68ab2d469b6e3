package io.discoverygateway.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.process.GatewayProcess;
import io.discoverygateway.xds.GrpcBackends;
import io.discoverygateway.xds.ProxylessClient;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;

/**
 * The xDS figures (section 9, {@code bench/run.sh xds}): how fast a proxyless gRPC client
 * stops calling a backend that turned not ready, and what connected xDS clients cost a
 * replica (heap per client, push time to all of them).
 */
final class XdsBenchmark {

    private static final String NAMESPACE = "bench";

    private static final String SERVICE = "grpc-echo";

    private static final String TARGET = SERVICE + "." + NAMESPACE + ":50051";

    private final EmbeddedKubernetesApi api;

    private final String javaHome;

    private final Path out;

    private final List<String> report = new ArrayList<>();

    XdsBenchmark(EmbeddedKubernetesApi api, String javaHome, Path out) {
        this.api = api;
        this.javaHome = javaHome;
        this.out = out;
    }

    List<String> run(int changes, List<Integer> clientLevels) throws Exception {
        try (GrpcBackends backends = GrpcBackends.start(3)) {
            api.create(ApiResource.SERVICES, NAMESPACE, service());
            api.create(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(backends, null));
            int xdsPort = GrpcBackends.freePort("127.0.0.1");
            try (GatewayProcess gateway = BenchGateways.start(
                    javaHome, "1g", api.url(), List.of(NAMESPACE), List.of("--gateway.xds.enabled=true",
                            "--gateway.xds.port=" + xdsPort, "--gateway.xds.max-clients=20000"),
                    out.resolve("gateway-xds.log"))) {
                gateway.awaitReady(Duration.ofMinutes(2));
                line("## 9. xDS: proxyless gRPC");
                line("");
                stopCalling(backends, xdsPort, changes);
                clients(gateway, backends, xdsPort, clientLevels);
            }
        }
        return report;
    }

    /**
     * Change written to the API → the client's last call to the backend that turned not
     * ready, and back.
     */
    private void stopCalling(GrpcBackends backends, int xdsPort, int changes) throws Exception {
        List<Long> stopped = new ArrayList<>();
        List<Long> resumed = new ArrayList<>();
        ConcurrentLinkedQueue<long[]> calls = new ConcurrentLinkedQueue<>();
        List<String> addresses = backends.addresses();
        AtomicBoolean calling = new AtomicBoolean(true);
        try (ProxylessClient client = new ProxylessClient(xdsPort, TARGET)) {
            awaitAll(client, addresses);
            // One client calling back to back, as fast as it can (one call in flight):
            // each call's start and backend.
            Thread caller = new Thread(() -> {
                while (calling.get()) {
                    long start = System.nanoTime();
                    try {
                        calls.add(new long[] { start, addresses.indexOf(client.call()) });
                    }
                    catch (RuntimeException ex) {
                        calls.add(new long[] { start, -1 });
                    }
                }
            }, "xds-bench-caller");
            caller.setDaemon(true);
            caller.start();
            for (int change = 0; change < changes; change++) {
                String leaving = addresses.get(change % addresses.size());
                int index = addresses.indexOf(leaving);
                calls.clear();
                long t0 = System.nanoTime();
                api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(backends, leaving));
                stopped.add(awaitQuiet(calls, index, t0) - t0);
                calls.clear();
                long t1 = System.nanoTime();
                api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(backends, null));
                resumed.add(awaitFirst(calls, index, t1) - t1);
            }
            calling.set(false);
            caller.join();
        }
        long[] stop = sorted(stopped);
        long[] back = sorted(resumed);
        line("One grpc-java client (grpc-xds %s) calling `xds:///%s` back to back over 3 backends on loopback;"
                + " %d times a backend's endpoint is written not ready, then ready again.",
                io.grpc.xds.XdsNameResolverProvider.class.getPackage().getImplementationVersion(), TARGET, changes);
        line("");
        line("| Figure | p50 | p99 | max | Target |");
        line("|---|---|---|---|---|");
        line("| Change written → last call to the not-ready backend started | %.1f ms | %.1f ms | %.1f ms |"
                + " milliseconds |", ms(HttpLoad.percentile(stop, 0.5)), ms(HttpLoad.percentile(stop, 0.99)),
                ms(stop[stop.length - 1]));
        line("| Change written → first call to the backend ready again | %.1f ms | %.1f ms | %.1f ms | |",
                ms(HttpLoad.percentile(back, 0.5)), ms(HttpLoad.percentile(back, 0.99)), ms(back[back.length - 1]));
        line("");
    }

    /**
     * When the last call to the backend started, once 300 calls in a row went elsewhere.
     */
    private static long awaitQuiet(ConcurrentLinkedQueue<long[]> calls, int backend, long since)
            throws InterruptedException {
        long deadline = since + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            long[][] seen = calls.toArray(new long[0][]);
            int run = 0;
            long last = since;
            for (long[] call : seen) {
                if (call[1] == backend) {
                    run = 0;
                    last = call[0];
                }
                else {
                    run++;
                }
            }
            if (run >= 300) {
                return last;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the backend kept getting calls for 30 s");
    }

    private static long awaitFirst(ConcurrentLinkedQueue<long[]> calls, int backend, long since)
            throws InterruptedException {
        long deadline = since + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (long[] call : calls.toArray(new long[0][])) {
                if (call[1] == backend) {
                    return call[0];
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("the backend got no call for 30 s");
    }

    /**
     * Many xDS clients on one replica: each an ADS stream watching the service as a
     * proxyless client does (its Listener, Cluster and ClusterLoadAssignment),
     * acknowledging what it gets. Heap per client, and the time from a change written to
     * the API to its arrival at every client.
     */
    private void clients(GatewayProcess gateway, GrpcBackends backends, int xdsPort, List<Integer> levels)
            throws Exception {
        line("Connected xDS clients on one replica (each one ADS stream on its own connection, watching the"
                + " service's Listener, Cluster and ClusterLoadAssignment, acknowledging every response), load"
                + " generator on the same 2 cores:");
        line("");
        line("| Clients | Heap per client (after GC) | Change → received by all: p50 / p99 / max | Gateway CPU per"
                + " client per change |");
        line("|---|---|---|---|");
        long base = gateway.heapAfterGc();
        try (Fleet fleet = new Fleet(xdsPort)) {
            for (int level : levels) {
                while (fleet.size() < level) {
                    fleet.connect(fleet.size());
                }
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (fleet.settled() < level && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                double clients = gateway.metric("gateway.xds.clients");
                long heap = gateway.heapAfterGc();
                List<Long> samples = new ArrayList<>();
                Duration cpu = Duration.ZERO;
                int rounds = 5;
                for (int round = 0; round < rounds; round++) {
                    fleet.resetArrivals();
                    Duration before = gateway.cpuTime();
                    long t0 = System.nanoTime();
                    api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                            slice(backends, round % 2 == 0 ? backends.addresses().get(0) : null));
                    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (fleet.arrivals() < level && System.nanoTime() < end) {
                        Thread.sleep(1);
                    }
                    cpu = cpu.plus(gateway.cpuTime().minus(before));
                    for (long arrival : fleet.arrivalTimes(level)) {
                        if (arrival != 0) {
                            samples.add(arrival - t0);
                        }
                    }
                    Thread.sleep(300);
                }
                long[] sorted = sorted(samples);
                line("| %,d (%,.0f open) | %,d bytes | %.1f / %.1f / %.1f ms | %.1f µs |", level, clients,
                        (heap - base) / Math.max(1, level), ms(HttpLoad.percentile(sorted, 0.5)),
                        ms(HttpLoad.percentile(sorted, 0.99)), ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]),
                        cpu.toNanos() / 1e3 / rounds / level);
            }
        }
        line("");
    }

    /**
     * ADS streams that subscribe like a proxyless client and acknowledge every response,
     * with arrival times.
     */
    private static final class Fleet implements AutoCloseable {

        private final List<ManagedChannel> open = new ArrayList<>();

        private final int port;

        private volatile AtomicLongArray arrivals = new AtomicLongArray(1 << 16);

        private final AtomicLongArray settled = new AtomicLongArray(1 << 16);

        Fleet(int port) {
            this.port = port;
        }

        int size() {
            return open.size();
        }

        void connect(int index) {
            ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + port, InsecureChannelCredentials.create())
                .build();
            open.add(channel);
            @SuppressWarnings("unchecked")
            StreamObserver<DiscoveryRequest>[] requests = new StreamObserver[1];
            requests[0] = AggregatedDiscoveryServiceGrpc.newStub(channel)
                .streamAggregatedResources(new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse response) {
                        long now = System.nanoTime();
                        if (response.getTypeUrl().equals(Resources.V3.ENDPOINT_TYPE_URL)) {
                            if (settled.getAndSet(index, 1) == 1) {
                                arrivals.compareAndSet(index, 0, now);
                            }
                        }
                        synchronized (requests) {
                            requests[0].onNext(request(response.getTypeUrl(), response.getVersionInfo(),
                                    response.getNonce(), index));
                        }
                    }

                    @Override
                    public void onError(Throwable error) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
            synchronized (requests) {
                for (String type : List.of(Resources.V3.LISTENER_TYPE_URL, Resources.V3.CLUSTER_TYPE_URL,
                        Resources.V3.ENDPOINT_TYPE_URL)) {
                    requests[0].onNext(request(type, "", "", index));
                }
            }
        }

        private static DiscoveryRequest request(String type, String version, String nonce, int index) {
            return DiscoveryRequest.newBuilder()
                .setTypeUrl(type)
                .addResourceNames(TARGET)
                .setVersionInfo(version)
                .setResponseNonce(nonce)
                .setNode(Node.newBuilder().setId("bench-" + index))
                .build();
        }

        int settled() {
            int count = 0;
            for (int i = 0; i < settled.length(); i++) {
                count += (int) settled.get(i);
            }
            return count;
        }

        void resetArrivals() {
            arrivals = new AtomicLongArray(1 << 16);
        }

        int arrivals() {
            int count = 0;
            AtomicLongArray current = arrivals;
            for (int i = 0; i < current.length(); i++) {
                count += current.get(i) == 0 ? 0 : 1;
            }
            return count;
        }

        long[] arrivalTimes(int count) {
            long[] times = new long[count];
            for (int i = 0; i < count; i++) {
                times[i] = arrivals.get(i);
            }
            return times;
        }

        @Override
        public void close() {
            open.forEach(ManagedChannel::shutdownNow);
        }

    }

    private static void awaitAll(ProxylessClient client, List<String> addresses) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!seen.containsAll(addresses) && System.nanoTime() < deadline) {
            seen.add(client.call());
        }
    }

    private static String service() {
        return """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s","namespace":"%s"},
                 "spec":{"type":"ClusterIP","clusterIP":"10.96.9.9","clusterIPs":["10.96.9.9"],"ipFamilies":["IPv4"],
                 "ports":[{"name":"grpc","port":50051,"targetPort":"grpc","protocol":"TCP","appProtocol":"grpc"}]}}
                """.formatted(SERVICE, NAMESPACE);
    }

    private static String slice(GrpcBackends backends, String notReady) {
        StringBuilder endpoints = new StringBuilder();
        for (String address : backends.addresses()) {
            boolean ready = !address.equals(notReady);
            endpoints.append(endpoints.isEmpty() ? "" : ",")
                .append("""
                        {"addresses":["%s"],"conditions":{"ready":%s,"serving":%s,"terminating":false},"zone":"z1"}"""
                    .formatted(address, ready, ready));
        }
        return """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"%s-1","namespace":"%s","labels":{"kubernetes.io/service-name":"%s"}},
                 "addressType":"IPv4","endpoints":[%s],"ports":[{"name":"grpc","port":%d,"protocol":"TCP"}]}
                """.formatted(SERVICE, NAMESPACE, SERVICE, endpoints, backends.port());
    }

    private static long[] sorted(List<Long> samples) {
        long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private void line(String format, Object... args) {
        report.add(String.format(Locale.ROOT, format, args));
    }

}
