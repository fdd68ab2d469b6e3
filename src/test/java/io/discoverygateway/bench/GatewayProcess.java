package io.discoverygateway.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway in its own JVM, started and observed over HTTP and jcmd as an operator would.
 */
final class GatewayProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;

    private final int port;

    private final int managementPort;

    private final String javaHome;

    private final long spawnedNanos;

    private long httpUpNanos;

    private long readyNanos;

    private GatewayProcess(Process process, int port, int managementPort, String javaHome, long spawnedNanos) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.javaHome = javaHome;
        this.spawnedNanos = spawnedNanos;
    }

    static GatewayProcess start(String javaHome, String maxHeap, URI apiUrl, List<String> namespaces,
            List<String> extraArgs, Path log) throws IOException {
        int port = freePort();
        int managementPort = freePort();
        List<String> command = new ArrayList<>();
        String cpus = System.getenv("BENCH_GATEWAY_CPUS");
        if (cpus != null && !cpus.isBlank()) {
            // The gateway on its own cores, the load generator (BENCH_LOAD_CPUS in
            // bench/run.sh) on the others.
            command.addAll(List.of("taskset", "-c", cpus.strip()));
        }
        command.addAll(List.of(javaHome + "/bin/java", "-Xmx" + maxHeap, "-XX:+UseG1GC"));
        String extraJvm = System.getenv("BENCH_GATEWAY_JVM_OPTS");
        if (extraJvm != null && !extraJvm.isBlank()) {
            command.addAll(List.of(extraJvm.strip().split("\\s+")));
        }
        command.addAll(
                List.of("-cp", System.getProperty("java.class.path"), "io.discoverygateway.DiscoveryGatewayApplication",
                        "--spring.main.sources=" + BenchGatewayApplication.SOURCE, "--server.port=" + port,
                        "--management.server.port=" + managementPort, "--gateway.kubernetes.api-url=" + apiUrl,
                        "--gateway.namespaces=" + String.join(",", namespaces),
                        "--gateway.stream.max-subscribers=20000", "--gateway.stream.heartbeat=5s",
                        "--spring.main.banner-mode=off", "--logging.level.io.kubernetes=warn"));
        command.addAll(extraArgs);
        long spawned = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new GatewayProcess(process, port, managementPort, javaHome, spawned);
    }

    int port() {
        return port;
    }

    /**
     * A path of the gateway: under {@code /actuator} on the management port, as deployed.
     */
    private URI uri(String path) {
        return URI.create("http://localhost:" + (path.startsWith("/actuator") ? managementPort : port) + path);
    }

    long pid() {
        return process.pid();
    }

    /** CPU time the gateway process has used so far, all threads. */
    Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElseThrow();
    }

    /**
     * Waits until readiness is UP; records when HTTP first answered and when it became
     * ready.
     */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int status = status("/actuator/health/readiness");
            if (status > 0 && httpUpNanos == 0) {
                httpUpNanos = System.nanoTime();
            }
            if (status == 200) {
                readyNanos = System.nanoTime();
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("gateway not ready within " + timeout);
    }

    /**
     * Seconds from process start to readiness, and from the HTTP server (and informers)
     * starting to readiness.
     */
    double secondsToReady() {
        return (readyNanos - spawnedNanos) / 1e9;
    }

    double secondsFromHttpUpToReady() {
        return (readyNanos - httpUpNanos) / 1e9;
    }

    int status(String path) {
        try {
            return HTTP
                .send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
        }
        catch (IOException ex) {
            return 0;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    String get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * One statistic (COUNT, TOTAL_TIME, MAX, VALUE...) of a metric from the actuator's
     * metrics endpoint.
     */
    double statistic(String name, String statistic) throws IOException, InterruptedException {
        Matcher value = Pattern.compile("\"statistic\":\"" + statistic + "\",\"value\":([0-9.Ee+-]+)")
            .matcher(get("/actuator/metrics/" + name));
        return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
    }

    /** A metric's first measurement from the actuator's metrics endpoint. */
    double metric(String name, String... tags) throws IOException, InterruptedException {
        StringBuilder path = new StringBuilder("/actuator/metrics/" + name);
        for (int i = 0; i < tags.length; i++) {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        Matcher value = Pattern.compile("\"value\":([0-9.Ee+-]+)").matcher(get(path.toString()));
        return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
    }

    /** Used heap in bytes right after a full GC requested through jcmd. */
    long heapAfterGc() throws IOException, InterruptedException {
        for (int i = 0; i < 2; i++) {
            Process gc = new ProcessBuilder(javaHome + "/bin/jcmd", Long.toString(process.pid()), "GC.run")
                .redirectErrorStream(true)
                .start();
            gc.getInputStream().readAllBytes();
            gc.waitFor(60, TimeUnit.SECONDS);
        }
        Thread.sleep(200);
        return (long) metric("jvm.memory.used", "area:heap");
    }

    /** The catalog's revision (the list's own, which comes before its items). */
    long revision() throws IOException, InterruptedException {
        Matcher matcher = Pattern.compile("\"revision\":(\\d+)").matcher(get("/api/v1/services"));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
