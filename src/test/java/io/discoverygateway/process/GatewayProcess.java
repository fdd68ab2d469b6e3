package io.discoverygateway.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway in a JVM of its own, started, observed over HTTP (its API port and, for
 * {@code /actuator} paths, its management port) and stopped as an operator would: the one
 * launcher of the gateway's tests and benchmarks, and of the client library's end-to-end
 * tests (it is part of the test-fixtures jar). Each start picks two free ports and writes
 * the process's output to its log file.
 *
 * <p>
 * Threads: the test's; {@link #start} and {@link #stop} are synchronized so that a
 * gateway can be restarted while another thread reads it.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Launch launch;

    private final int port;

    private final int managementPort;

    private Process process;

    private long spawnedNanos;

    private long httpUpNanos;

    private long readyNanos;

    private GatewayProcess(Launch launch) {
        this.launch = launch;
        this.port = freePort();
        this.managementPort = freePort();
    }

    /**
     * How to run the gateway: the JVM, its options, what to run ({@code -cp <classpath>
     * <main class>} or {@code -jar <jar>}), the application's arguments, environment
     * changes and the log file.
     */
    public record Launch(Path javaHome, List<String> jvmOptions, List<String> target, List<String> arguments,
            Map<String, String> environment, List<String> unsetEnvironment, Path log) {

        public Launch {
            jvmOptions = List.copyOf(jvmOptions);
            target = List.copyOf(target);
            arguments = List.copyOf(arguments);
            environment = Map.copyOf(environment);
            unsetEnvironment = List.copyOf(unsetEnvironment);
        }

        /** A main class on a class path, with this JVM. */
        public static Launch onClasspath(String classpath, String mainClass, Path log) {
            return new Launch(Path.of(System.getProperty("java.home")), List.of(), List.of("-cp", classpath, mainClass),
                    List.of(), Map.of(), List.of(), log);
        }

        /** An executable jar, with this JVM. */
        public static Launch jar(Path jar, Path log) {
            return new Launch(Path.of(System.getProperty("java.home")), List.of(), List.of("-jar", jar.toString()),
                    List.of(), Map.of(), List.of(), log);
        }

        /**
         * The gateway's main class on the class path its own build wrote
         * ({@code target/classes} and {@code target/runtime-classpath.txt} under
         * {@code root}): what the client library's tests run.
         */
        public static Launch ofBuild(Path root, Path log) {
            try {
                String classpath = root.resolve("target/classes").toAbsolutePath() + java.io.File.pathSeparator
                        + Files.readString(root.resolve("target/runtime-classpath.txt")).strip();
                return onClasspath(classpath, "io.discoverygateway.DiscoveryGatewayApplication", log);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(
                        "Has the gateway's build run? It writes " + root.resolve("target/runtime-classpath.txt"), ex);
            }
        }

        public Launch withJavaHome(Path home) {
            return new Launch(home, jvmOptions, target, arguments, environment, unsetEnvironment, log);
        }

        public Launch withJvmOptions(List<String> options) {
            List<String> all = new ArrayList<>(jvmOptions);
            all.addAll(options);
            return new Launch(javaHome, all, target, arguments, environment, unsetEnvironment, log);
        }

        public Launch withArguments(List<String> more) {
            List<String> all = new ArrayList<>(arguments);
            all.addAll(more);
            return new Launch(javaHome, jvmOptions, target, all, environment, unsetEnvironment, log);
        }

        public Launch withArguments(String... more) {
            return withArguments(List.of(more));
        }

        /** Variables set, and variables removed, from this JVM's environment. */
        public Launch withEnvironment(Map<String, String> set, List<String> unset) {
            Map<String, String> all = new HashMap<>(environment);
            all.putAll(set);
            List<String> removed = new ArrayList<>(unsetEnvironment);
            removed.addAll(unset);
            return new Launch(javaHome, jvmOptions, target, arguments, all, removed, log);
        }

        /**
         * The command line: java, its options, what it runs, the two ports and the
         * arguments.
         */
        List<String> command(int port, int managementPort) {
            List<String> command = new ArrayList<>();
            command.add(javaHome.resolve("bin/java").toString());
            command.addAll(jvmOptions);
            command.addAll(target);
            command.add("--server.port=" + port);
            command.add("--management.server.port=" + managementPort);
            command.addAll(arguments);
            return command;
        }
    }

    /** Spawns the gateway; {@link #awaitReady} waits for it. */
    public static GatewayProcess spawn(Launch launch) {
        GatewayProcess gateway = new GatewayProcess(launch);
        gateway.start();
        return gateway;
    }

    /** Spawns the gateway and waits until it is ready. */
    public static GatewayProcess startReady(Launch launch, Duration timeout) {
        GatewayProcess gateway = spawn(launch);
        try {
            gateway.awaitReady(timeout);
        }
        catch (RuntimeException | Error ex) {
            gateway.close();
            throw ex;
        }
        return gateway;
    }

    /**
     * Spawns the process again on the same ports (after {@link #stop}); does not wait.
     */
    public synchronized void start() {
        if (process != null) {
            throw new IllegalStateException("already running");
        }
        try {
            if (launch.log().getParent() != null) {
                Files.createDirectories(launch.log().getParent());
            }
            List<String> command = new ArrayList<>();
            String cpus = System.getenv("BENCH_GATEWAY_CPUS");
            if (cpus != null && !cpus.isBlank()) {
                // Benchmarks (bench/run.sh): the gateway on its own cores, the load
                // generator on the others.
                command.addAll(List.of("taskset", "-c", cpus.strip()));
            }
            command.addAll(launch.command(port, managementPort));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.log().toFile()));
            launch.unsetEnvironment().forEach(builder.environment()::remove);
            builder.environment().putAll(launch.environment());
            httpUpNanos = 0;
            readyNanos = 0;
            spawnedNanos = System.nanoTime();
            process = builder.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the gateway", ex);
        }
    }

    /**
     * Waits until readiness answers 200; records when HTTP first answered and when it was
     * ready. Fails at once, with the log, if the process ends first.
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process current = current();
            if (!current.isAlive()) {
                throw new IllegalStateException(
                        "The gateway exited with " + current.exitValue() + " before it was ready:\n" + output());
            }
            int status = status("/actuator/health/readiness");
            if (status > 0 && httpUpNanos == 0) {
                httpUpNanos = System.nanoTime();
            }
            if (status == 200) {
                readyNanos = System.nanoTime();
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException("The gateway was not ready within " + timeout + ":\n" + output());
    }

    /** Seconds from the process's start to readiness. */
    public double secondsToReady() {
        return (readyNanos - spawnedNanos) / 1e9;
    }

    /** Seconds from the HTTP server's first answer (informers starting) to readiness. */
    public double secondsFromHttpUpToReady() {
        return (readyNanos - httpUpNanos) / 1e9;
    }

    /**
     * Waits for the process to end by itself; its exit code, or empty when it did not end
     * in time.
     */
    public OptionalInt waitForExit(Duration timeout) {
        Process current = current();
        try {
            return current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? OptionalInt.of(current.exitValue())
                    : OptionalInt.empty();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** Everything the process wrote so far (standard output and error). */
    public String output() {
        try {
            return Files.exists(launch.log()) ? Files.readString(launch.log()) : "";
        }
        catch (IOException ex) {
            return ex.toString();
        }
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Its URL when it serves TLS (a test certificate names localhost). */
    public URI httpsUrl() {
        return URI.create("https://localhost:" + port);
    }

    /** Actuator's port, as in a deployment. */
    public URI managementUrl() {
        return URI.create("http://127.0.0.1:" + managementPort);
    }

    public long pid() {
        return current().pid();
    }

    /** CPU time the process has used so far, all threads. */
    public Duration cpuTime() {
        return current().toHandle().info().totalCpuDuration().orElseThrow();
    }

    /** The status of a GET, or 0 when nothing answers. */
    public int status(String path) {
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

    /** The body of a GET. */
    public String get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** One statistic (COUNT, TOTAL_TIME, MAX, VALUE...) of a metric of the actuator. */
    public double statistic(String name, String statistic) {
        Matcher value = Pattern.compile("\"statistic\":\"" + statistic + "\",\"value\":([0-9.Ee+-]+)")
            .matcher(get("/actuator/metrics/" + name));
        return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
    }

    /**
     * A metric's first measurement, with tags as {@code name:value}; NaN when it has
     * none.
     */
    public double metric(String name, String... tags) {
        StringBuilder path = new StringBuilder("/actuator/metrics/" + name);
        for (int i = 0; i < tags.length; i++) {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        Matcher value = Pattern.compile("\"value\":([0-9.Ee+-]+)").matcher(get(path.toString()));
        return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
    }

    /** Used heap in bytes right after a full GC requested through jcmd. */
    public long heapAfterGc() {
        for (int i = 0; i < 2; i++) {
            try {
                Process gc = new ProcessBuilder(launch.javaHome().resolve("bin/jcmd").toString(), Long.toString(pid()),
                        "GC.run")
                    .redirectErrorStream(true)
                    .start();
                gc.getInputStream().readAllBytes();
                gc.waitFor(60, TimeUnit.SECONDS);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
        sleep(200);
        return (long) metric("jvm.memory.used", "area:heap");
    }

    /**
     * SIGTERM, as Kubernetes stops a pod, without waiting ({@link #waitForExit} does).
     */
    public void terminate() {
        current().destroy();
    }

    /**
     * SIGTERM, as Kubernetes stops a pod, and waits (30 s, then SIGKILL) for the process
     * to end.
     */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized Process current() {
        if (process == null) {
            throw new IllegalStateException("not running");
        }
        return process;
    }

    /**
     * A path of the gateway: under {@code /actuator} on the management port, as deployed.
     */
    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + (path.startsWith("/actuator") ? managementPort : port) + path);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** A port nothing listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
