package io.discoverygateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;

/**
 * Start-up of the packaged jar as the container image starts it (extracted, plain jars on
 * the class path), on a small cluster in the embedded API: from spawning the process to
 * the readiness probe answering 200 (the catalog in sync), for each way of starting it,
 * in interleaved runs so that the machine's drift spreads over all of them. The
 * class-data archive or AOT cache of each way is made first by a training run that stops
 * once the context is refreshed, as the Dockerfile does.
 */
final class StartupBenchmark {

    /** Writes a line of the report. */
    @FunctionalInterface
    interface Report {

        void line(String format, Object... args);

    }

    private static final Pattern STARTED = Pattern.compile("process running for ([0-9.]+)");

    private final String javaHome;

    private final EmbeddedKubernetesApi api;

    private final Path dir;

    private final int services;

    private final int runs;

    StartupBenchmark(String javaHome, EmbeddedKubernetesApi api, Path out, int services, int runs) {
        this.javaHome = javaHome;
        this.api = api;
        this.dir = out.resolve("startup");
        this.services = services;
        this.runs = runs;
    }

    void run(Report report) throws Exception {
        seed("small", services, 3, 90);
        Path jar = extract();
        boolean aotCache = javaVersion() >= 25;
        String cacheOut = aotCache ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=";
        String cacheIn = aotCache ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=";
        Map<String, List<String>> ways = new LinkedHashMap<>();
        ways.put("plain JVM, no archive", List.of());
        ways.put((aotCache ? "AOT cache" : "class-data archive"), List.of(cacheIn + dir.resolve("jvm.cache")));
        ways.put("Spring AOT + " + (aotCache ? "AOT cache" : "class-data archive") + " (the image)",
                List.of("-Dspring.aot.enabled=true", cacheIn + dir.resolve("aot.cache")));
        // On 2 cores the JIT compilers take about as much CPU during start-up as the main
        // thread: compiling later
        // leaves start-up code, which runs a few times only, to the interpreter.
        ways.put("the image + -XX:CompileThresholdScaling=10", List.of("-Dspring.aot.enabled=true",
                cacheIn + dir.resolve("aot.cache"), "-XX:CompileThresholdScaling=10"));
        train(jar, List.of(cacheOut + dir.resolve("jvm.cache")));
        train(jar, List.of("-Dspring.aot.enabled=true", cacheOut + dir.resolve("aot.cache")));

        Map<String, List<double[]>> results = measure(jar, ways, runs, "small");
        report.line("## Start-up of the packaged jar (%d services × 3 endpoints)", services);
        report.line("");
        report.line("Gateway JVM `%s` (Java %d), the jar extracted as in the image, %d interleaved runs per way;"
                + " seconds from spawning the process.", javaHome, javaVersion(), runs);
        report.line("");
        table(report, results);

        // 100,000 endpoints: 10,000 services of 10, the ways that matter, fewer runs
        // (each lists them all).
        seed("large", 10_000, 10, 100);
        Map<String, List<String>> large = new LinkedHashMap<>();
        large.put("plain JVM, no archive", ways.get("plain JVM, no archive"));
        ways.entrySet()
            .stream()
            .filter(way -> way.getKey().endsWith("(the image)"))
            .forEach(way -> large.put(way.getKey(), way.getValue()));
        Map<String, List<double[]>> largeResults = measure(jar, large, 3, "large");
        report.line("## Start-up of the packaged jar with 100,000 endpoints (10,000 services × 10)");
        report.line("");
        table(report, largeResults);
    }

    /**
     * {@code services} services of {@code endpoints} ready endpoints each, addresses from
     * 10.{@code firstOctet}.
     */
    private void seed(String namespace, int services, int endpoints, int firstOctet) {
        for (int i = 0; i < services; i++) {
            api.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "svc-" + i));
            String prefix = "10." + (firstOctet + i / 250) + "." + (i % 250) + ".";
            api.create(ApiResource.ENDPOINT_SLICES, namespace, KubeObjects.slice(namespace, "svc-" + i + "-1",
                    "svc-" + i,
                    IntStream.range(0, endpoints).mapToObj(e -> EndpointSpec.ready(prefix + (e + 1))).toList()));
        }
    }

    private static void table(Report report, Map<String, List<double[]>> results) {
        report.line("| Way | \"Started\" (JVM uptime) median [min–max] | Ready (readiness 200) median [min–max] |");
        report.line("|---|---|---|");
        results.forEach((way, samples) -> report.line("| %s | %s | %s |", way, spread(samples, 0), spread(samples, 1)));
        report.line("");
    }

    private Map<String, List<double[]>> measure(Path jar, Map<String, List<String>> ways, int times, String namespace)
            throws Exception {
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        ways.keySet().forEach(way -> results.put(way, new ArrayList<>()));
        for (int run = 0; run < times; run++) {
            for (Map.Entry<String, List<String>> way : ways.entrySet()) {
                results.get(way.getKey()).add(startOnce(jar, way.getValue(), namespace));
            }
        }
        return results;
    }

    /**
     * One start: {"Started" as the JVM's uptime, ready as seen from here}, in seconds.
     */
    private double[] startOnce(Path jar, List<String> jvmOptions, String namespace) {
        Path log = dir.resolve("run-" + System.nanoTime() + ".log");
        try (GatewayProcess gateway = GatewayProcess.spawn(launch(jar, jvmOptions, namespace, log))) {
            gateway.awaitReady(Duration.ofSeconds(120));
            Matcher started = STARTED.matcher(gateway.output());
            return new double[] { started.find() ? Double.parseDouble(started.group(1)) : Double.NaN,
                    gateway.secondsToReady() };
        }
    }

    /**
     * A run that stops once the context is refreshed and writes the archive or cache on
     * its way out.
     */
    private void train(Path jar, List<String> jvmOptions) {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dspring.context.exit=onRefresh");
        try (GatewayProcess training = GatewayProcess
            .spawn(launch(jar, options, "small", dir.resolve("training-" + System.nanoTime() + ".log")))) {
            OptionalInt exit = training.waitForExit(Duration.ofMinutes(3));
            if (exit.isEmpty() || exit.getAsInt() != 0) {
                throw new IllegalStateException("training run failed: " + training.output());
            }
        }
    }

    private GatewayProcess.Launch launch(Path jar, List<String> jvmOptions, String namespace, Path log) {
        // 100,000 endpoints take about 200 MB of heap.
        return GatewayProcess.Launch.jar(jar, log)
            .withJavaHome(Path.of(javaHome))
            .withJvmOptions(List.of(namespace.equals("large") ? "-Xmx1g" : "-Xmx512m"))
            .withJvmOptions(jvmOptions)
            .withArguments("--gateway.kubernetes.api-url=" + api.url(), "--gateway.namespaces=" + namespace,
                    "--logging.level.io.kubernetes=warn");
    }

    /**
     * The packaged jar, extracted as the Dockerfile does (class-data sharing needs plain
     * jars).
     */
    private Path extract() throws Exception {
        Path packaged;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            packaged = files.filter(f -> f.getFileName().toString().matches("discovery-gateway-[0-9.]+\\.jar"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("run ./mvnw package first"));
        }
        Path extracted = dir.resolve("extracted");
        Files.createDirectories(dir);
        Process process = new ProcessBuilder(javaHome + "/bin/java", "-Djarmode=tools", "-jar", packaged.toString(),
                "extract", "--force", "--destination", extracted.toString())
            .inheritIO()
            .start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("could not extract " + packaged);
        }
        return extracted.resolve(packaged.getFileName());
    }

    private int javaVersion() {
        try {
            Process process = new ProcessBuilder(javaHome + "/bin/java", "-version").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            Matcher version = Pattern.compile("version \"(\\d+)").matcher(output);
            return version.find() ? Integer.parseInt(version.group(1)) : 17;
        }
        catch (IOException ex) {
            return 17;
        }
    }

    private static String spread(List<double[]> samples, int index) {
        double[] values = samples.stream().mapToDouble(sample -> sample[index]).sorted().toArray();
        return String.format(Locale.ROOT, "%.2f [%.2f–%.2f]", values[values.length / 2], values[0],
                values[values.length - 1])
                + " ("
                + Arrays.stream(values)
                    .mapToObj(v -> String.format(Locale.ROOT, "%.2f", v))
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("")
                + ")";
    }

}
