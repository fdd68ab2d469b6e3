package io.discoverygateway.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.process.GatewayProcess;

/**
 * The benchmarks' gateway: the test class path (for {@link BenchGatewayApplication}),
 * with a JDK and heap of their choice.
 */
final class BenchGateways {

    private BenchGateways() {
    }

    /**
     * Spawns a gateway on {@code javaHome}'s JVM with this heap, watching these
     * namespaces of the API; {@code BENCH_GATEWAY_JVM_OPTS} adds JVM options.
     * {@link GatewayProcess#awaitReady} waits for it.
     */
    static GatewayProcess start(String javaHome, String maxHeap, URI apiUrl, List<String> namespaces,
            List<String> extraArgs, Path log) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + maxHeap, "-XX:+UseG1GC"));
        String extraJvm = System.getenv("BENCH_GATEWAY_JVM_OPTS");
        if (extraJvm != null && !extraJvm.isBlank()) {
            jvm.addAll(List.of(extraJvm.strip().split("\\s+")));
        }
        return GatewayProcess.spawn(GatewayProcess.Launch
            .onClasspath(System.getProperty("java.class.path"), "io.discoverygateway.DiscoveryGatewayApplication", log)
            .withJavaHome(Path.of(javaHome))
            .withJvmOptions(jvm)
            .withArguments("--spring.main.sources=" + BenchGatewayApplication.SOURCE,
                    "--gateway.kubernetes.api-url=" + apiUrl, "--gateway.namespaces=" + String.join(",", namespaces),
                    "--gateway.stream.max-subscribers=20000", "--gateway.stream.heartbeat=5s",
                    "--spring.main.banner-mode=off", "--logging.level.io.kubernetes=warn")
            .withArguments(extraArgs));
    }

}
