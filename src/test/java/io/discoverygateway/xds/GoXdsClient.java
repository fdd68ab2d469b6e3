package io.discoverygateway.xds;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.discoverygateway.GoBuild;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A proxyless gRPC client in Go: grpc-go's own xDS resolver and balancers
 * ({@code src/test/grpc-go}), one process per client with its own bootstrap file, as an
 * application runs. The counterpart of {@link ProxylessClient}.
 */
public final class GoXdsClient implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static volatile GoBuild.Located probe;

    /** What a batch of calls did: calls per backend address, failures per status code. */
    public record Calls(Map<String, Integer> backends, Map<String, Integer> failures, String lastError) {

        public int succeeded() {
            return backends.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final Process process;

    private final Writer commands;

    private final BufferedReader answers;

    private final Path folder;

    /**
     * @param token a ServiceAccount token presented on the xDS stream (from a token file,
     * as a projected token is mounted), or null
     */
    public GoXdsClient(int xdsPort, String target, String token) {
        this(xdsPort, target, token, null);
    }

    /**
     * Over TLS when {@code caCertificate} is given, as grpc-go's bootstrap says it:
     * channel credentials {@code tls} with that CA, and the token (if any) as grpc-go's
     * own {@code jwt_token_file} call credentials, which it sends over TLS only
     * ({@code GRPC_EXPERIMENTAL_XDS_BOOTSTRAP_CALL_CREDS=true}).
     */
    public GoXdsClient(int xdsPort, String target, String token, Path caCertificate) {
        try {
            folder = Files.createTempDirectory("xdsprobe");
            Path tokenFile = folder.resolve("token");
            if (token != null) {
                Files.writeString(tokenFile, token);
            }
            Map<String, Object> server = new java.util.LinkedHashMap<>(
                    Map.of("server_uri", "localhost:" + xdsPort, "server_features", java.util.List.of("xds_v3")));
            if (caCertificate != null) {
                server.put("channel_creds", java.util.List.of(Map.of("type", "tls", "config",
                        Map.of("ca_certificate_file", caCertificate.toAbsolutePath().toString()))));
                if (token != null) {
                    server.put("call_creds", java.util.List.of(Map.of("type", "jwt_token_file", "config",
                            Map.of("jwt_token_file", tokenFile.toString()))));
                }
            }
            else {
                server.put("channel_creds", java.util.List.of(token == null ? Map.of("type", "insecure") : Map
                    .of("type", "bearer_over_plaintext", "config", Map.of("token_file", tokenFile.toString()))));
            }
            Path bootstrap = folder.resolve("bootstrap.json");
            Files.writeString(bootstrap, JSON.writeValueAsString(Map.of("xds_servers", java.util.List.of(server),
                    "node", Map.of("id", "grpc-go-" + target, "locality", Map.of()))));
            ProcessBuilder builder = new ProcessBuilder(binary().toString(), target)
                .redirectError(folder.resolve("stderr.log").toFile());
            builder.environment().put("GRPC_XDS_BOOTSTRAP", bootstrap.toString());
            builder.environment().put("GRPC_EXPERIMENTAL_XDS_BOOTSTRAP_CALL_CREDS", "true");
            process = builder.start();
            commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Whether grpc-go's client can be had here (built, or buildable with Go); in CI it
     * must be.
     */
    public static boolean available() {
        Optional<Path> built = locate().path();
        if (built.isEmpty() && GoBuild.inCi()) {
            throw new IllegalStateException("The grpc-go interop suite must run in CI, but: " + locate().problem());
        }
        return built.isPresent();
    }

    private static Path binary() {
        return locate().path().orElseThrow(() -> new IllegalStateException(locate().problem()));
    }

    private static GoBuild.Located locate() {
        GoBuild.Located result = probe;
        if (result == null) {
            synchronized (GoXdsClient.class) {
                result = probe;
                if (result == null) {
                    result = GoBuild.run(Path.of("src/test/grpc-go/build.sh"), "the grpc-go xDS client",
                            "the grpc-go interop suite");
                    probe = result;
                }
            }
        }
        return result;
    }

    /** {@code n} calls, each with a 5 s deadline; optionally with one request header. */
    public Calls calls(int n, String... header) {
        try {
            commands.write("call " + n + (header.length == 2 ? " " + header[0] + " " + header[1] : "") + "\n");
            commands.flush();
            String line = answers.readLine();
            if (line == null) {
                throw new IllegalStateException("xdsprobe ended: " + Files.readString(folder.resolve("stderr.log")));
            }
            JsonNode answer = JSON.readTree(line);
            return new Calls(JSON.convertValue(answer.path("backends"), Map.class),
                    JSON.convertValue(answer.path("failures"), Map.class), answer.path("lastError").asString(""));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** One call; the backend that answered, or empty when it failed. */
    public Optional<String> call() {
        return calls(1).backends().keySet().stream().findFirst();
    }

    @Override
    public void close() {
        try {
            commands.write("quit\n");
            commands.flush();
        }
        catch (IOException ignored) {
            // Already gone.
        }
        process.destroy();
    }

}
