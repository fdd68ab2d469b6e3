package io.discoverygateway.bench;

import java.io.IOException;
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
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.RecordedRequest;
import io.discoverygateway.process.GatewayProcess;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The benchmark suite: {@code bench/run.sh [quick|full]}. This process holds the embedded
 * Kubernetes API (so it stamps the moment a change is written) and generates all load;
 * the gateway runs in its own JVM. Writes a Markdown report with the machine, the
 * parameters and every figure measured.
 */
public final class BenchmarkSuite {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final int CHURN_SERVICES = 100;

    private static final int CHURN_TOKEN_BASE = 1_000_000;

    /**
     * @param gatewayHeap -Xmx of the main gateway process (10,000 streams need more than
     * 1 GiB on Tomcat)
     */
    record Size(String name, int services, List<Integer> subscriberLevels, int latencyChanges, Duration readDuration,
            int readRuns, int churnSubscribers, Duration churnDuration, int churnRate, int pods, String gatewayHeap) {
    }

    static final Map<String, Size> SIZES = Map.of("quick",
            new Size("quick", 1_000, List.of(1, 100, 1_000), 10, Duration.ofSeconds(3), 3, 200, Duration.ofSeconds(10),
                    200, 1_000, "1g"),
            "full",
            new Size("full", 10_000, List.of(1, 100, 1_000, 10_000), 20, Duration.ofSeconds(8), 3, 1_000,
                    Duration.ofSeconds(60), 200, 10_000, "1536m"),
            // 200 changes/s to 500 subscribers of every churned service: 100,000 events/s
            // (issue 16's target load).
            "churn",
            new Size("churn", 1_000, List.of(1), 3, Duration.ofSeconds(1), 1, 500, Duration.ofSeconds(30), 200, 100,
                    "1g"),
            "auth", new Size("auth", 0, List.of(), 0, Duration.ofSeconds(3), 3, 0, Duration.ZERO, 0, 0, "512m"),
            "large", new Size("large", 0, List.of(1_000), 10, Duration.ZERO, 1, 0, Duration.ZERO, 0, 0, "1g"), "xds",
            new Size("xds", 0, List.of(100, 1_000, 5_000), 30, Duration.ZERO, 1, 0, Duration.ZERO, 0, 0, "1g"),
            // The packaged jar as the image runs it, on a small cluster: 7 runs of each
            // way of starting it.
            "startup", new Size("startup", 10, List.of(), 7, Duration.ZERO, 1, 0, Duration.ZERO, 0, 0, "512m"));

    private final Size size;

    private final String javaHome;

    private final Path out;

    private final StringBuilder report = new StringBuilder();

    private final EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start(0, 200_000);

    private final Random random = new Random(7);

    private BenchmarkSuite(Size size, String javaHome, Path out) {
        this.size = size;
        this.javaHome = javaHome;
        this.out = out;
    }

    /**
     * Runs the suite: {@code [quick|full|churn] [gateway JAVA_HOME]}. Called by
     * {@code bench/RunBenchmarks.java} (not a {@code main} here, so that
     * {@code spring-boot:test-run} finds a single main class in the tests).
     */
    public static void execute(String[] args) throws Exception {
        Size size = SIZES.get(args.length > 0 ? args[0] : "quick");
        if (size == null) {
            throw new IllegalArgumentException("size must be one of " + SIZES.keySet());
        }
        String javaHome = args.length > 1 ? args[1] : System.getProperty("java.home");
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        BenchmarkSuite suite = new BenchmarkSuite(size, javaHome, out);
        try {
            suite.run();
        }
        finally {
            suite.api.close();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        header();
        if (size.name().equals("startup")) {
            new StartupBenchmark(javaHome, api, out, size.services(), size.latencyChanges()).run(this::line);
            finish(started);
            return;
        }
        if (size.name().equals("large")) {
            // Only the large-service scenario (section 8).
            seed();
            try (GatewayProcess gateway = BenchGateways.start(javaHome, size.gatewayHeap(), api.url(), List.of("bench"),
                    List.of(), out.resolve("gateway-large.log"))) {
                gateway.awaitReady(Duration.ofMinutes(2));
                largeService(gateway);
            }
            finish(started);
            return;
        }
        if (size.name().equals("xds")) {
            // Only the xDS figures (section 9).
            new XdsBenchmark(api, javaHome, out).run(size.latencyChanges(), size.subscriberLevels())
                .forEach(text -> line("%s", text));
            finish(started);
            return;
        }
        if (size.name().equals("auth")) {
            // Only the consumer authentication figures (section 7), on the read target
            // alone.
            seed();
            authOverhead();
            finish(started);
            return;
        }
        long emptyHeap = emptyGatewayHeap();
        seed();
        try (GatewayProcess gateway = BenchGateways.start(javaHome, size.gatewayHeap(), api.url(),
                List.of("scale", "bench", "churn"), List.of(), out.resolve("gateway-" + size.name() + ".log"))) {
            gateway.awaitReady(Duration.ofMinutes(3));
            scale(gateway, emptyHeap);
            int requestsAfterSync = api.requests().size();
            readThroughput(gateway);
            int requestsAfterReads = api.requests().size();
            long heapBeforeSubscribers = gateway.heapAfterGc();
            propagation(gateway, heapBeforeSubscribers);
            int requestsAfterStreams = api.requests().size();
            churn(gateway);
            apiLoad(gateway, requestsAfterSync, requestsAfterReads, requestsAfterStreams);
        }
        podHeap();
        authOverhead();
        finish(started);
    }

    private void finish(long started) throws IOException {
        line("");
        line("Total benchmark time: %.0f s.", (System.nanoTime() - started) / 1e9);
        Path file = out.resolve("report-" + size.name() + ".md");
        Files.writeString(file, report);
        System.out.println(report);
        System.out.println("Report written to " + file.toAbsolutePath());
    }

    private void header() throws IOException, InterruptedException {
        line("# discovery-gateway benchmark report (%s)", size.name());
        line("");
        line("- Date: %s", Instant.now());
        line("- Machine: %d cores, %.1f GiB RAM, %s", Runtime.getRuntime().availableProcessors(), memoryGiB(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"));
        line("- Load generator and embedded Kubernetes API: this JVM, Java %s", System.getProperty("java.version"));
        line("- Gateway JVM: `%s/bin/java` (%s), `-Xmx%s -XX:+UseG1GC`, in its own process", javaHome, javaVersion(),
                size.gatewayHeap());
        line("- Parameters: %s", size);
        line("- Loopback only. Medians of %d runs where runs repeat; ratios are against a baseline measured in the"
                + " same run.", size.readRuns());
        line("");
    }

    /** Heap of a gateway that caches nothing: the baseline for per-endpoint figures. */
    private long emptyGatewayHeap() throws Exception {
        try (GatewayProcess gateway = BenchGateways.start(javaHome, "1g", api.url(), List.of("empty"), List.of(),
                out.resolve("gateway-empty.log"))) {
            gateway.awaitReady(Duration.ofMinutes(2));
            return gateway.heapAfterGc();
        }
    }

    private void seed() {
        for (int s = 0; s < size.services(); s++) {
            String name = "svc-" + s;
            api.create(ApiResource.SERVICES, "scale", KubeObjects.service("scale", name));
            api.create(ApiResource.ENDPOINT_SLICES, "scale", slice("scale", name, 10, s * 10, 0));
        }
        api.create(ApiResource.SERVICES, "bench", KubeObjects.service("bench", "read-target"));
        api.create(ApiResource.ENDPOINT_SLICES, "bench", slice("bench", "read-target", 10, 5_000_000, 0));
        api.create(ApiResource.SERVICES, "bench", KubeObjects.service("bench", "lat-target"));
        api.create(ApiResource.ENDPOINT_SLICES, "bench", slice("bench", "lat-target", 3, 6_000_000, 0));
        for (int s = 0; s < CHURN_SERVICES; s++) {
            api.create(ApiResource.SERVICES, "churn", KubeObjects.service("churn", "churn-" + s));
            api.create(ApiResource.ENDPOINT_SLICES, "churn", slice("churn", "churn-" + s, 5, 7_000_000 + s * 5, 0));
        }
    }

    private void scale(GatewayProcess gateway, long emptyHeap) throws Exception {
        long endpoints = (long) size.services() * 10 + 10 + 3 + CHURN_SERVICES * 5;
        long heap = gateway.heapAfterGc();
        double perEndpoint = (double) (heap - emptyHeap) / endpoints;
        line("## 3. Scale and memory");
        line("");
        line("| Figure | Value | Target |");
        line("|---|---|---|");
        line("| Services / endpoints cached | %,d / %,d (slices of 10 endpoints) | 10,000 / 100,000 (full) |",
                size.services() + 2 + CHURN_SERVICES, endpoints);
        line("| Process start to ready | %.2f s | |", gateway.secondsToReady());
        line("| HTTP up (informers listing) to ready | %.2f s | ≤ 10 s after the API answers |",
                gateway.secondsFromHttpUpToReady());
        line("| Heap after GC: empty gateway / loaded | %.1f MiB / %.1f MiB | |", emptyHeap / 1048576.0,
                heap / 1048576.0);
        line("| Retained heap per endpoint (informer store + catalog + encoded JSON) | %,.0f bytes | ≤ 2,048 bytes |",
                perEndpoint);
        line("");
    }

    private void readThroughput(GatewayProcess gateway) throws Exception {
        int port = gateway.port();
        String nativePath = "/api/v1/namespaces/bench/services/read-target";
        String appsPath = "/apps/read-target";
        HttpResponse<String> nativeResponse = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + nativePath)).build(),
                    HttpResponse.BodyHandlers.ofString());
        String etag = nativeResponse.headers().firstValue("ETag").orElseThrow();
        int nativeBytes = nativeResponse.body().getBytes().length;
        int appsBytes = gateway.get(appsPath).getBytes().length;
        int connections = 64;
        HttpLoad.run(port, nativePath, List.of(), connections, Duration.ofSeconds(2));
        HttpLoad.run(port, appsPath, List.of(), connections, Duration.ofSeconds(2));
        HttpLoad.run(port, "/bench/constant?bytes=" + nativeBytes, List.of(), connections, Duration.ofSeconds(2));
        String[] names = { "constant body of the service's size (ceiling)", "GET service (10 endpoints)",
                "constant body of /apps' size (ceiling)", "GET /apps/{name}", "GET service, If-None-Match → 304" };
        double[][] rps = new double[names.length][size.readRuns()];
        double[][] p99 = new double[names.length][size.readRuns()];
        long errors = 0;
        for (int run = 0; run < size.readRuns(); run++) {
            HttpLoad.Result[] results = {
                    HttpLoad.run(port, "/bench/constant?bytes=" + nativeBytes, List.of(), connections,
                            size.readDuration()),
                    HttpLoad.run(port, nativePath, List.of(), connections, size.readDuration()),
                    HttpLoad.run(port, "/bench/constant?bytes=" + appsBytes, List.of(), connections,
                            size.readDuration()),
                    HttpLoad.run(port, appsPath, List.of(), connections, size.readDuration()), HttpLoad.run(port,
                            nativePath, List.of("If-None-Match: " + etag), connections, size.readDuration()) };
            for (int i = 0; i < names.length; i++) {
                rps[i][run] = results[i].requestsPerSecond();
                p99[i][run] = results[i].p99Millis();
                errors += results[i].errors();
            }
        }
        line("## 2. Read throughput (%d connections, %d runs of %d s, interleaved)", connections, size.readRuns(),
                size.readDuration().toSeconds());
        line("");
        line("| Request | Body | Requests/s (median, min–max) | p99 ms (median) | Ratio to its ceiling (median) |");
        line("|---|---|---|---|---|");
        int[] ceilingOf = { 0, 0, 2, 2, 0 };
        int[] bodies = { nativeBytes, nativeBytes, appsBytes, appsBytes, 0 };
        for (int i = 0; i < names.length; i++) {
            double[] ratios = new double[size.readRuns()];
            for (int run = 0; run < size.readRuns(); run++) {
                ratios[run] = rps[i][run] / rps[ceilingOf[i]][run];
            }
            line("| %s | %,d B | %,.0f (%,.0f–%,.0f) | %.2f | %s |", names[i], bodies[i], median(rps[i]), min(rps[i]),
                    max(rps[i]), median(p99[i]),
                    i == 0 || i == 2 ? "1 (baseline)" : String.format(Locale.ROOT, "%.2f", median(ratios)));
        }
        line("");
        line("Errors during the read runs: %d. Targets: ≥ 0.8 of the ceiling; 304 at least as fast as 200.", errors);
        line("");
    }

    private void propagation(GatewayProcess gateway, long heapBefore) throws Exception {
        line("## 1. Propagation latency (EndpointSlice written to the API → event received by every subscriber)");
        line("");
        line("| Subscribers | Changes | p50 ms | p99 ms | max ms | All received within 1 s | Gateway's own share:"
                + " mean / p99 ms (applied → written) |");
        line("|---|---|---|---|---|---|---|");
        long heapWithSubscribers = -1;
        int connected = 0;
        try (SseFleet fleet = new SseFleet()) {
            int token = 0;
            for (int level : size.subscriberLevels()) {
                fleet.connect(gateway.port(), "/api/v1/stream?service=bench/lat-target", level - connected,
                        Duration.ofMinutes(3));
                connected = level;
                java.util.TreeMap<Double, Double> bucketsBefore = propagationBuckets(gateway);
                double countBefore = gateway.statistic("gateway.stream.propagation", "COUNT");
                double totalBefore = gateway.statistic("gateway.stream.propagation", "TOTAL_TIME");
                List<Long> samples = new ArrayList<>();
                int withinSecond = 0;
                for (int change = 0; change < size.latencyChanges(); change++) {
                    int current = ++token;
                    AtomicLongArray receivedAt = new AtomicLongArray(level);
                    fleet.listener((subscriber, seen, nanos) -> {
                        if (seen == current && subscriber < level) {
                            receivedAt.compareAndSet(subscriber, 0, nanos);
                        }
                    });
                    long t0 = System.nanoTime();
                    api.replace(ApiResource.ENDPOINT_SLICES, "bench",
                            slice("bench", "lat-target", 3, 6_000_000, current));
                    long deadline = t0 + Duration.ofSeconds(20).toNanos();
                    while (countReceived(receivedAt) < level && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    long slowest = 0;
                    for (int s = 0; s < level; s++) {
                        long at = receivedAt.get(s);
                        if (at != 0) {
                            samples.add(at - t0);
                            slowest = Math.max(slowest, at - t0);
                        }
                    }
                    if (countReceived(receivedAt) == level && slowest <= 1_000_000_000L) {
                        withinSecond++;
                    }
                    Thread.sleep(100);
                }
                long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
                double countAfter = gateway.statistic("gateway.stream.propagation", "COUNT");
                double totalAfter = gateway.statistic("gateway.stream.propagation", "TOTAL_TIME");
                double ownMean = (totalAfter - totalBefore) / Math.max(1, countAfter - countBefore) * 1000;
                line("| %,d | %d | %.1f | %.1f | %.1f | %d of %d | %.2f / %.1f |", level, size.latencyChanges(),
                        HttpLoad.percentile(sorted, 0.5) / 1e6, HttpLoad.percentile(sorted, 0.99) / 1e6,
                        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, withinSecond, size.latencyChanges(),
                        ownMean, quantileMillis(bucketsBefore, propagationBuckets(gateway), 0.99));
                if (samples.size() < (long) level * size.latencyChanges()) {
                    line("| | | | | | %,d deliveries missing | |",
                            (long) level * size.latencyChanges() - samples.size());
                }
            }
            heapWithSubscribers = gateway.heapAfterGc();
        }
        awaitSubscribersGone(gateway);
        line("");
        line("Targets: p99 ≤ 50 ms at 1,000 subscribers; every one of 10,000 subscribers within 1 s (p99).");
        line("The gateway's share is its `gateway.stream.propagation` histogram over the level: the mean, and the"
                + " p99 as the upper bound of the histogram bucket it falls in.");
        line("");
        line("Heap after GC with %,d idle SSE subscribers: %.1f MiB (%.1f MiB before they connected), i.e. %,.0f"
                + " bytes per subscriber; the gateway runs with `-Xmx%s`.", connected, heapWithSubscribers / 1048576.0,
                heapBefore / 1048576.0, (double) (heapWithSubscribers - heapBefore) / connected, size.gatewayHeap());
        line("");
    }

    /**
     * Closed streams are noticed at the next heartbeat (5 s here): wait, so the next
     * phase starts clean.
     */
    private static void awaitSubscribersGone(GatewayProcess gateway) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (gateway.metric("gateway.stream.subscribers") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static int countReceived(AtomicLongArray receivedAt) {
        int count = 0;
        for (int i = 0; i < receivedAt.length(); i++) {
            if (receivedAt.get(i) != 0) {
                count++;
            }
        }
        return count;
    }

    /**
     * The cumulative buckets of the gateway's propagation histogram: upper bound in
     * seconds → count.
     */
    private static java.util.TreeMap<Double, Double> propagationBuckets(GatewayProcess gateway)
            throws IOException, InterruptedException {
        java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
        Matcher matcher = Pattern.compile("gateway_stream_propagation_seconds_bucket\\{le=\"([^\"]+)\"} ([0-9.Ee+-]+)")
            .matcher(gateway.get("/actuator/prometheus"));
        while (matcher.find()) {
            double le = matcher.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY
                    : Double.parseDouble(matcher.group(1));
            buckets.put(le, Double.parseDouble(matcher.group(2)));
        }
        return buckets;
    }

    /**
     * A quantile (ms, the upper bound of its bucket) of what the histogram counted
     * between two snapshots.
     */
    private static double quantileMillis(java.util.TreeMap<Double, Double> before,
            java.util.TreeMap<Double, Double> after, double quantile) {
        double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        for (Map.Entry<Double, Double> bucket : after.entrySet()) {
            double count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0);
            if (total > 0 && count >= quantile * total) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.NaN;
    }

    private void churn(GatewayProcess gateway) throws Exception {
        int subscribers = size.churnSubscribers();
        int changes = (int) (size.churnDuration().toSeconds() * size.churnRate());
        AtomicLongArray t0 = new AtomicLongArray(changes);
        AtomicIntegerArray serviceOf = new AtomicIntegerArray(changes);
        AtomicIntegerArray previousOfService = new AtomicIntegerArray(changes);
        AtomicLongArray maxLag = new AtomicLongArray(changes);
        AtomicIntegerArray delivered = new AtomicIntegerArray(changes);
        int[][] lastSeen = new int[subscribers][CHURN_SERVICES];
        for (int[] row : lastSeen) {
            Arrays.fill(row, -1);
        }
        long[] lateDeliveries = new long[1];
        List<double[]> samples = new ArrayList<>();
        try (SseFleet fleet = new SseFleet()) {
            fleet.connect(gateway.port(), "/api/v1/stream?namespace=churn", subscribers, Duration.ofMinutes(3));
            fleet.listener((subscriber, token, nanos) -> {
                int change = token - CHURN_TOKEN_BASE;
                if (change < 0 || change >= changes || t0.get(change) == 0) {
                    return;
                }
                int service = serviceOf.get(change);
                for (int c = change; c > lastSeen[subscriber][service]; c = previousOfService.get(c)) {
                    long lag = nanos - t0.get(c);
                    maxLag.accumulateAndGet(c, lag, Math::max);
                    delivered.incrementAndGet(c);
                    if (lag > 1_000_000_000L) {
                        lateDeliveries[0]++;
                    }
                    if (previousOfService.get(c) < 0) {
                        break;
                    }
                }
                lastSeen[subscriber][service] = Math.max(lastSeen[subscriber][service], change);
            });
            int[] lastChangeOfService = new int[CHURN_SERVICES];
            Arrays.fill(lastChangeOfService, -1);
            long interval = 1_000_000_000L / size.churnRate();
            Duration cpuBefore = gateway.cpuTime();
            double eventsBefore = gateway.metric("gateway.stream.events.sent");
            long start = System.nanoTime();
            long nextSample = start;
            for (int change = 0; change < changes; change++) {
                long slot = start + change * interval;
                while (System.nanoTime() < slot) {
                    LockSupport.parkNanos(slot - System.nanoTime());
                }
                if (System.nanoTime() >= nextSample) {
                    samples.add(new double[] { (System.nanoTime() - start) / 1e9, gateway.metric("process.cpu.usage"),
                            gateway.metric("jvm.memory.used", "area:heap") });
                    nextSample += Duration.ofSeconds(5).toNanos();
                }
                int service = random.nextInt(CHURN_SERVICES);
                serviceOf.set(change, service);
                previousOfService.set(change, lastChangeOfService[service]);
                lastChangeOfService[service] = change;
                t0.set(change, System.nanoTime());
                api.replace(ApiResource.ENDPOINT_SLICES, "churn",
                        slice("churn", "churn-" + service, 5, 7_000_000 + service * 5, CHURN_TOKEN_BASE + change));
            }
            double achievedRate = changes / ((System.nanoTime() - start) / 1e9);
            Thread.sleep(5000);
            Duration cpu = gateway.cpuTime().minus(cpuBefore);
            double eventsSent = gateway.metric("gateway.stream.events.sent") - eventsBefore;
            long[] lags = new long[changes];
            int complete = 0;
            for (int c = 0; c < changes; c++) {
                lags[c] = maxLag.get(c);
                if (delivered.get(c) >= subscribers) {
                    complete++;
                }
            }
            Arrays.sort(lags);
            line("## 4. Churn (%d endpoint changes/s across %d services, %,d subscribers, %d s)", size.churnRate(),
                    CHURN_SERVICES, subscribers, size.churnDuration().toSeconds());
            line("");
            line("| Figure | Value |");
            line("|---|---|");
            line("| Changes written (achieved rate) | %,d (%.0f/s) |", changes, achievedRate);
            line("| Changes whose latest state reached every subscriber | %,d of %,d |", complete, changes);
            line("| Slowest subscriber's lag per change: p50 / p99 / max | %.1f / %.1f / %.1f ms |",
                    HttpLoad.percentile(lags, 0.5) / 1e6, HttpLoad.percentile(lags, 0.99) / 1e6,
                    lags[lags.length - 1] / 1e6);
            line("| Deliveries later than 1 s | %,d |", lateDeliveries[0]);
            line("| SSE events written (a subscriber's undelivered changes of one service merge into one) | %,.0f |",
                    eventsSent);
            line("| Gateway CPU: per change per subscriber / per event written | %.2f µs / %.2f µs |",
                    cpu.toNanos() / 1e3 / ((double) changes * subscribers), cpu.toNanos() / 1e3 / eventsSent);
            line("");
            line("CPU (process.cpu.usage, share of all cores) and heap used (no forced GC), every 5 s:");
            line("");
            line("| t (s) | CPU | Heap used (MiB) |");
            line("|---|---|---|");
            for (double[] sample : samples) {
                line("| %.0f | %.0f%% | %.0f |", sample[0], sample[1] * 100, sample[2] / 1048576.0);
            }
            line("");
            line("Heap after GC at the end of the churn: %.1f MiB.", gateway.heapAfterGc() / 1048576.0);
            line("");
        }
    }

    private void apiLoad(GatewayProcess gateway, int afterSync, int afterReads, int afterStreams) throws Exception {
        List<RecordedRequest> requests = api.requests();
        long watches = requests.stream().filter(r -> r.verb().equals("watch")).count();
        long lists = requests.stream().filter(r -> r.verb().equals("list")).count();
        long listBytes = 0;
        HttpClient http = HttpClient.newHttpClient();
        for (String namespace : List.of("scale", "bench", "churn")) {
            for (String path : List.of("/api/v1/namespaces/" + namespace + "/services",
                    "/apis/discovery.k8s.io/v1/namespaces/" + namespace + "/endpointslices")) {
                listBytes += http
                    .send(HttpRequest.newBuilder(api.url().resolve(path)).build(),
                            HttpResponse.BodyHandlers.ofByteArray())
                    .body().length;
            }
        }
        int watchedNamespaces = 3;
        line("## 5. Load on the Kubernetes API");
        line("");
        line("| Phase | Requests from the gateway to the API |");
        line("|---|---|");
        line("| Start-up until in sync (list + watch per kind and namespace) | %d |", afterSync);
        line("| Read benchmark (64 connections, millions of requests) | %d |", afterReads - afterSync);
        line("| Streams: up to %,d subscribers | %d |", size.subscriberLevels().get(size.subscriberLevels().size() - 1),
                afterStreams - afterReads);
        line("| Churn with %,d subscribers | %d |", size.churnSubscribers(), requests.size() - afterStreams);
        line("| Whole run: lists / watches | %d / %d |", lists, watches);
        line("");
        line("One informer set here (Services and EndpointSlices of %d namespaces) is %d watches and an initial"
                + " list of %,.1f MiB. The alternative, every application running its own informers:",
                watchedNamespaces, 2 * watchedNamespaces, listBytes / 1048576.0);
        line("");
        line("| Applications with their own informers | Watches held by the API server | Initial lists (and re-lists after restarts) |");
        line("|---|---|---|");
        for (int n : List.of(1, 100, 1_000, 10_000)) {
            line("| %,d | %,d | %,.1f GiB |", n, (long) n * 2 * watchedNamespaces, (double) n * listBytes / (1 << 30));
        }
        line("");
        line("The gateway's figures do not depend on its number of consumers: one row of this table per replica.");
        line("");
    }

    /**
     * Consumer authentication's cost: the same read against two fresh gateways on the
     * same namespace, one with {@code gateway.auth.mode=kubernetes} and a consumer's
     * token, runs interleaved; and the reviews it sends to the API meanwhile (all
     * decisions come from the caches once made).
     */
    private void authOverhead() throws Exception {
        api.create(ApiResource.SERVICE_ACCOUNTS, "bench", KubeObjects.serviceAccount("bench", "reader"));
        api.create(ApiResource.ROLES, "bench",
                KubeObjects.role("bench", "reader", List.of(KubeObjects.Rule.listEndpointSlices())));
        api.create(ApiResource.ROLE_BINDINGS, "bench",
                KubeObjects.binding("bench", "reader", "Role", "reader", "bench", "reader"));
        String token = api.issueToken("bench", "reader", List.of("discovery-gateway"), Duration.ofHours(1));
        String path = "/api/v1/namespaces/bench/services/read-target";
        int connections = 64;
        try (GatewayProcess secured = BenchGateways.start(javaHome, "512m", api.url(), List.of("bench"),
                List.of("--gateway.auth.mode=kubernetes"), out.resolve("gateway-auth-on.log"));
                GatewayProcess open = BenchGateways.start(javaHome, "512m", api.url(), List.of("bench"), List.of(),
                        out.resolve("gateway-auth-off.log"))) {
            open.awaitReady(Duration.ofMinutes(2));
            secured.awaitReady(Duration.ofMinutes(2));
            List<String> credentials = List.of("Authorization: Bearer " + token);
            // Fresh JVMs: warm both up (JIT) before measuring, then more runs than
            // elsewhere, as the two share cores.
            for (int warmup = 0; warmup < 3; warmup++) {
                HttpLoad.run(open.port(), path, List.of(), connections, Duration.ofSeconds(2));
                HttpLoad.run(secured.port(), path, credentials, connections, Duration.ofSeconds(2));
            }
            long reviewsBefore = reviews();
            int runs = size.readRuns() * 3;
            double[] off = new double[runs];
            double[] offWithHeader = new double[runs];
            double[] on = new double[runs];
            double[] cpuOff = new double[runs];
            double[] cpuOffWithHeader = new double[runs];
            double[] cpuOn = new double[runs];
            long requests = 0;
            long errors = 0;
            Measured[] totals = { Measured.NONE, Measured.NONE, Measured.NONE };
            for (int run = 0; run < runs; run++) {
                Measured plain = measure(open, path, List.of(), connections);
                Measured ignored = measure(open, path, credentials, connections);
                Measured authenticated = measure(secured, path, credentials, connections);
                off[run] = plain.requestsPerSecond();
                offWithHeader[run] = ignored.requestsPerSecond();
                on[run] = authenticated.requestsPerSecond();
                cpuOff[run] = plain.cpuMicrosPerRequest();
                cpuOffWithHeader[run] = ignored.cpuMicrosPerRequest();
                cpuOn[run] = authenticated.cpuMicrosPerRequest();
                requests += authenticated.requests();
                errors += plain.errors() + ignored.errors() + authenticated.errors();
                totals[0] = totals[0].plus(plain);
                totals[1] = totals[1].plus(ignored);
                totals[2] = totals[2].plus(authenticated);
            }
            long reviewsDuring = reviews() - reviewsBefore;
            line("## 7. Consumer authentication (%d connections, %d interleaved runs of %d s after 12 s of warm-up,"
                    + " two fresh gateways)", connections, runs, size.readDuration().toSeconds());
            line("");
            line("Both gateways and the load generator share the 2 cores, so throughput swings from run to run; the"
                    + " gateway's CPU time per request (from the process's own accounting) is the steadier figure.");
            line("");
            line("| GET service (10 endpoints) | Requests/s (median, min–max) | Gateway CPU µs per request (median,"
                    + " min–max) |");
            line("|---|---|---|");
            line("| `gateway.auth.mode=none` | %,.0f (%,.0f–%,.0f) | %.0f (%.0f–%.0f) |", median(off), min(off),
                    max(off), median(cpuOff), min(cpuOff), max(cpuOff));
            line("| `gateway.auth.mode=none`, the same bearer token sent (and ignored) | %,.0f (%,.0f–%,.0f) |"
                    + " %.0f (%.0f–%.0f) |", median(offWithHeader), min(offWithHeader), max(offWithHeader),
                    median(cpuOffWithHeader), min(cpuOffWithHeader), max(cpuOffWithHeader));
            line("| `gateway.auth.mode=kubernetes`, bearer token | %,.0f (%,.0f–%,.0f) | %.0f (%.0f–%.0f) |",
                    median(on), min(on), max(on), median(cpuOn), min(cpuOn), max(cpuOn));
            line("");
            line("The gateway's own work per authenticated request, in this JVM on one thread (the interceptor: header,"
                    + " SHA-256 of the token, cached review; and the cached namespace decision), 200,000 requests after"
                    + " as many of warm-up, mock requests included: %.1f µs.",
                    io.discoverygateway.access.AccessPathBenchmark.nanosPerRequest(200_000) / 1000);
            line("");
            line("Throughput with auth on against off, as CPU per request allows it (off ÷ on, all runs' CPU over all"
                    + " their requests): %.2f; against off with the same %,d-byte header: %.2f (target ≥ 0.9)."
                    + " Medians of the throughputs: %.2f. TokenReviews and SubjectAccessReviews sent to the API"
                    + " during about %,d authenticated requests: %d (target: none beyond cache refreshes, one each per"
                    + " TTL). Errors: %d.", totals[0].cpuMicrosPerRequest() / totals[2].cpuMicrosPerRequest(),
                    credentials.get(0).length(), totals[1].cpuMicrosPerRequest() / totals[2].cpuMicrosPerRequest(),
                    median(on) / median(off), requests, reviewsDuring, errors);
            line("");
        }
    }

    private record Measured(double requestsPerSecond, long requests, double cpuMicros, long errors) {

        static final Measured NONE = new Measured(0, 0, 0, 0);

        double cpuMicrosPerRequest() {
            return cpuMicros / Math.max(1, requests);
        }

        Measured plus(Measured other) {
            return new Measured(0, requests + other.requests, cpuMicros + other.cpuMicros, errors + other.errors);
        }
    }

    /**
     * A read run against one gateway, with the CPU time the gateway process spent on it.
     */
    private Measured measure(GatewayProcess gateway, String path, List<String> headers, int connections)
            throws InterruptedException {
        Duration before = gateway.cpuTime();
        HttpLoad.Result result = HttpLoad.run(gateway.port(), path, headers, connections, size.readDuration());
        Duration cpu = gateway.cpuTime().minus(before);
        long requests = Math.round(result.requestsPerSecond() * size.readDuration().toMillis() / 1000.0);
        return new Measured(result.requestsPerSecond(), requests, cpu.toNanos() / 1000.0, result.errors());
    }

    /**
     * A service of 1,000 endpoints (a document of about 300 KB) changing under many
     * subscribers that keep up and a few that read slowly through small receive buffers:
     * how long the ones that keep up wait for each change, and that the slow ones do not
     * delay them; once with whole documents, once with {@code patches=true}.
     */
    private void largeService(GatewayProcess gateway) throws Exception {
        int fast = size.subscriberLevels().get(0);
        int slow = 20;
        line("## 8. A large service (1,000 endpoints) changing under %,d subscribers that keep up and %d slow"
                + " readers", fast, slow);
        line("");
        line("Each change sets one endpoint's hostname to the change's number. Slow readers: 2 KB receive buffer, 512"
                + " bytes every 50 ms (about 10 KB/s each); the stall timeout drops only those that accept nothing"
                + " for 30 s. The fast subscribers' figures are taken with the slow ones reading. Target: p99 ≤ 100 ms"
                + " for the subscribers that keep up.");
        line("");
        line("| Events | Slices | Changes | Complete (every fast subscriber got it) | first ms | p50 ms | p99 ms |"
                + " max ms | Gateway's share p50 / p95 ms | Bytes per event | Written per change to the fast"
                + " subscribers | Slow readers still connected |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|");
        largeService(gateway, "big-whole", false, 1, fast, slow);
        largeService(gateway, "big-patched", true, 1, fast, slow);
        largeService(gateway, "big-sliced", true, 10, fast, slow);
        line("");
        line("\"first ms\": the median over the changes of the first fast subscriber to get it, the floor under the"
                + " others (the API write, the watch event with the changed slice, the catalog, one write). 10 slices"
                + " of 100: what the EndpointSlice controller makes of 1,000 endpoints (its default"
                + " --max-endpoints-per-slice is 100), so a change carries one slice of 100 through the watch instead"
                + " of all 1,000. The gateway's share: its `gateway.stream.propagation` histogram (catalog applied"
                + " the change → event written), bucket upper bounds, slow readers included (2 %% of the writes, hence"
                + " p95).");
        line("");
    }

    private void largeService(GatewayProcess gateway, String name, boolean patches, int slices, int fast, int slow)
            throws Exception {
        api.create(ApiResource.SERVICES, "bench", KubeObjects.service("bench", name));
        int perSlice = 1_000 / slices;
        for (int number = 1; number <= slices; number++) {
            api.create(ApiResource.ENDPOINT_SLICES, "bench",
                    slice("bench", name, number, perSlice, 8_000_000 + (number - 1) * perSlice, 0));
        }
        String path = "/api/v1/stream?service=bench/" + name + (patches ? "&patches=true" : "");
        List<io.discoverygateway.SseClient> slowReaders = new ArrayList<>();
        try (SseFleet fleet = new SseFleet();
                io.discoverygateway.SseClient probe = io.discoverygateway.SseClient.connect(gateway.port(), path)) {
            fleet.connect(gateway.port(), path, fast, Duration.ofMinutes(3));
            for (int i = 0; i < slow; i++) {
                slowReaders.add(io.discoverygateway.SseClient.connectSlowly(gateway.port(), path, 2048, 512, 50));
            }
            java.util.TreeMap<Double, Double> bucketsBefore = propagationBuckets(gateway);
            List<Long> samples = new ArrayList<>();
            List<Long> firsts = new ArrayList<>();
            int complete = 0;
            for (int change = 1; change <= size.latencyChanges(); change++) {
                int current = change;
                AtomicLongArray receivedAt = new AtomicLongArray(fast);
                fleet.listener((subscriber, seen, nanos) -> {
                    if (seen == current && subscriber < fast) {
                        receivedAt.compareAndSet(subscriber, 0, nanos);
                    }
                });
                // The slice's JSON is built before the clock starts: the time is the
                // API's and the gateway's.
                String changed = slice("bench", name, 1, perSlice, 8_000_000, current);
                long t0 = System.nanoTime();
                api.replace(ApiResource.ENDPOINT_SLICES, "bench", changed);
                long deadline = t0 + Duration.ofSeconds(30).toNanos();
                while (countReceived(receivedAt) < fast && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                if (countReceived(receivedAt) == fast) {
                    complete++;
                }
                long first = Long.MAX_VALUE;
                for (int i = 0; i < fast; i++) {
                    if (receivedAt.get(i) != 0) {
                        samples.add(receivedAt.get(i) - t0);
                        first = Math.min(first, receivedAt.get(i) - t0);
                    }
                }
                firsts.add(first);
                Thread.sleep(1_000);
            }
            long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] sortedFirsts = firsts.stream().mapToLong(Long::longValue).sorted().toArray();
            java.util.TreeMap<Double, Double> bucketsAfter = propagationBuckets(gateway);
            long slowStillOpen = slowReaders.stream().filter(reader -> !reader.ended()).count();
            // The size of what one change sends: the last live event of one more
            // subscriber that keeps up.
            io.discoverygateway.SseClient.Event last = probe.awaitNamed(patches ? "PATCHED" : "MODIFIED",
                    Duration.ofSeconds(10));
            line("| %s | %d × %d | %d | %d | %.1f | %.1f | %.1f | %.1f | ≤ %.0f / ≤ %.0f | %,d | %,.1f MB | %d of %d |",
                    patches ? "PATCHED (`patches=true`)" : "whole service (MODIFIED)", slices, perSlice,
                    size.latencyChanges(), complete, HttpLoad.percentile(sortedFirsts, 0.5) / 1e6,
                    HttpLoad.percentile(sorted, 0.5) / 1e6, HttpLoad.percentile(sorted, 0.99) / 1e6,
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6,
                    quantileMillis(bucketsBefore, bucketsAfter, 0.5), quantileMillis(bucketsBefore, bucketsAfter, 0.95),
                    last.data().length(), (double) last.data().length() * fast / 1e6, slowStillOpen, slow);
        }
        finally {
            slowReaders.forEach(io.discoverygateway.SseClient::close);
        }
    }

    private long reviews() {
        return api.requests()
            .stream()
            .filter(r -> r.resource().equals("tokenreviews") || r.resource().equals("subjectaccessreviews"))
            .count();
    }

    /**
     * Heap per pod with pod metadata on: the same namespaces with and without the pods'
     * informer.
     */
    private void podHeap() throws Exception {
        for (int p = 0; p < size.pods(); p++) {
            api.create(ApiResource.PODS, "pods",
                    KubeObjects.pod("pods", "pod-" + p,
                            Map.of("app", "shop", "version", "v" + (p % 3), "pod-template-hash", "5d8c7b9f4"),
                            Map.of("team", "core"), p % 4));
        }
        long withoutPods;
        long withPods;
        try (GatewayProcess gateway = BenchGateways.start(javaHome, "1g", api.url(), List.of("pods"), List.of(),
                out.resolve("gateway-nopods.log"))) {
            gateway.awaitReady(Duration.ofMinutes(2));
            withoutPods = gateway.heapAfterGc();
        }
        try (GatewayProcess gateway = BenchGateways.start(javaHome, "1g", api.url(), List.of("pods"),
                List.of("--gateway.pod-metadata.enabled=true"), out.resolve("gateway-pods.log"))) {
            gateway.awaitReady(Duration.ofMinutes(2));
            withPods = gateway.heapAfterGc();
        }
        line("## Pod metadata memory");
        line("");
        line("%,d pods (3 labels, 1 annotation each, all kept): %.1f MiB more heap after GC with the pod informer on,"
                + " i.e. %,.0f bytes per pod (trimmed informer copy + the catalog's PodInfo).", size.pods(),
                (withPods - withoutPods) / 1048576.0, (double) (withPods - withoutPods) / size.pods());
        line("");
    }

    /**
     * A slice of {@code count} ready endpoints; a non-zero token goes into the first
     * endpoint's hostname.
     */
    private static String slice(String namespace, String service, int count, int firstAddress, int token) {
        return slice(namespace, service, 1, count, firstAddress, token);
    }

    /** The service's slice number {@code number}, named {@code <service>-<number>}. */
    private static String slice(String namespace, String service, int number, int count, int firstAddress, int token) {
        ObjectNode slice = JSON.createObjectNode();
        slice.put("apiVersion", "discovery.k8s.io/v1");
        slice.put("kind", "EndpointSlice");
        ObjectNode metadata = slice.putObject("metadata");
        metadata.put("name", service + "-" + number);
        metadata.put("namespace", namespace);
        metadata.putObject("labels").put("kubernetes.io/service-name", service);
        slice.put("addressType", "IPv4");
        ArrayNode endpoints = slice.putArray("endpoints");
        for (int i = 0; i < count; i++) {
            int address = firstAddress + i;
            ObjectNode endpoint = endpoints.addObject();
            endpoint.putArray("addresses")
                .add("10." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255));
            endpoint.putObject("conditions").put("ready", true).put("serving", true).put("terminating", false);
            if (i == 0) {
                endpoint.put("hostname", "c" + token);
            }
            endpoint.put("nodeName", "node-" + (address % 50));
            endpoint.put("zone", "zone-" + (address % 3));
            ObjectNode ref = endpoint.putObject("targetRef");
            ref.put("kind", "Pod");
            ref.put("namespace", namespace);
            ref.put("name", service + "-" + address);
            ref.put("uid", "00000000-0000-0000-0000-" + String.format("%012d", address));
        }
        ObjectNode port = slice.putArray("ports").addObject();
        port.put("name", "http");
        port.put("port", 8080);
        port.put("protocol", "TCP");
        return slice.toString();
    }

    private String javaVersion() {
        try {
            Process process = new ProcessBuilder(javaHome + "/bin/java", "-version").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            process.waitFor();
            return output.lines().findFirst().orElse("?").strip();
        }
        catch (IOException ex) {
            return "?";
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static double memoryGiB() {
        try {
            String meminfo = Files.readString(Path.of("/proc/meminfo"));
            Matcher matcher = Pattern.compile("MemTotal:\\s+(\\d+) kB").matcher(meminfo);
            return matcher.find() ? Long.parseLong(matcher.group(1)) / 1048576.0 : Double.NaN;
        }
        catch (IOException ex) {
            return Double.NaN;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

}
