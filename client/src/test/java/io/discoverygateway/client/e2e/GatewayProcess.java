package io.discoverygateway.client.e2e;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * The real gateway, from the gateway build's outputs ({@code target/classes} and its
 * runtime class path), in a JVM of its own on the embedded Kubernetes API: started,
 * stopped with SIGTERM, started again on the same port.
 */
final class GatewayProcess implements AutoCloseable {

    private static final Path ROOT = Path.of(System.getProperty("gateway.root", ".."));

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final int port;

    private final int managementPort;

    private final List<String> arguments;

    private Process process;

    private GatewayProcess(int port, int managementPort, List<String> arguments) {
        this.port = port;
        this.managementPort = managementPort;
        this.arguments = arguments;
    }

    /**
     * Starts a gateway watching {@code shop} on the API, with extra arguments, and waits
     * until it is ready.
     */
    static GatewayProcess start(URI api, String... extra) {
        return watching(api, "shop", extra);
    }

    /**
     * Starts a gateway watching one namespace on the API, with extra arguments, and waits
     * until it is ready.
     */
    static GatewayProcess watching(URI api, String namespace, String... extra) {
        List<String> arguments = new ArrayList<>(
                List.of("--gateway.kubernetes.api-url=" + api, "--gateway.namespaces=" + namespace,
                        "--spring.main.banner-mode=off", "--logging.level.root=warn", "--gateway.stream.heartbeat=1s"));
        arguments.addAll(List.of(extra));
        GatewayProcess gateway = new GatewayProcess(freePort(), freePort(), arguments);
        gateway.start();
        return gateway;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Actuator's port, as in a deployment. */
    URI managementUrl() {
        return URI.create("http://127.0.0.1:" + managementPort);
    }

    /** Its URL when it serves TLS (its certificate names localhost). */
    URI httpsUrl() {
        return URI.create("https://localhost:" + port);
    }

    int port() {
        return port;
    }

    synchronized void start() {
        try {
            String classpath = ROOT.resolve("target/classes").toAbsolutePath() + java.io.File.pathSeparator
                    + Files.readString(ROOT.resolve("target/runtime-classpath.txt")).strip();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-XX:TieredStopAtLevel=1", "-cp", classpath, "io.discoverygateway.DiscoveryGatewayApplication",
                    "--server.port=" + port, "--management.server.port=" + managementPort));
            command.addAll(arguments);
            Path log = Path.of("target", "gateway-" + port + ".log");
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start the gateway (has the gateway's build run? it writes "
                    + ROOT.resolve("target/runtime-classpath.txt") + ")", ex);
        }
        URI readiness = managementUrl().resolve("/actuator/health/readiness");
        await().atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(() -> HTTP.send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode() == 200);
    }

    /** The value of one of the gateway's counters, from its actuator. */
    double counter(String name) {
        try {
            String body = HTTP
                .send(HttpRequest.newBuilder(managementUrl().resolve("/actuator/metrics/" + name)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
            Matcher value = Pattern.compile("\"value\":([0-9.E]+)").matcher(body);
            if (!value.find()) {
                throw new IllegalStateException("no value in " + body);
            }
            return Double.parseDouble(value.group(1));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** SIGTERM, as Kubernetes stops a pod, and waits for the process to end. */
    synchronized void stop() {
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

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
