package io.discoverygateway.client.e2e;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.discoverygateway.process.GatewayProcess;

/**
 * The gateway these tests run: the gateway build's own classes (under
 * {@code gateway.root}), in a JVM of its own, through the gateway's test launcher
 * ({@link GatewayProcess}, from its test fixtures).
 */
final class Gateways {

    private static final Path ROOT = Path.of(System.getProperty("gateway.root", ".."));

    private Gateways() {
    }

    /**
     * A gateway watching {@code shop} on the API, with extra arguments, once it is ready.
     */
    static GatewayProcess start(URI api, String... extra) {
        return watching(api, "shop", extra);
    }

    /**
     * A gateway watching these namespaces (comma-separated) on the API, with extra
     * arguments, once it is ready.
     */
    static GatewayProcess watching(URI api, String namespaces, String... extra) {
        GatewayProcess.Launch launch = GatewayProcess.Launch
            .ofBuild(ROOT, Path.of("target", "gateway-" + System.nanoTime() + ".log"))
            .withJvmOptions(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"))
            .withArguments("--gateway.kubernetes.api-url=" + api, "--gateway.namespaces=" + namespaces,
                    "--spring.main.banner-mode=off", "--logging.level.root=warn", "--gateway.stream.heartbeat=1s")
            .withArguments(extra);
        return GatewayProcess.startReady(launch, Duration.ofSeconds(60));
    }

}
