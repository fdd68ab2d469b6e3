package io.discoverygateway.realkube;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small JSON client of a real kube-apiserver for the tests' own writes and reads: TLS
 * verified against the cluster's CA, a bearer token, and paths derived from an object's
 * {@code apiVersion} and {@code kind}. Kept independent of the Kubernetes Java client the
 * gateway uses, so that a quirk of that client cannot hide in both.
 */
public final class KubeRest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI server;

    private final String token;

    private final HttpClient http;

    public KubeRest(URI server, Path caCertificate, String token) {
        this.server = server;
        this.token = token;
        this.http = HttpClient.newBuilder()
            .sslContext(trusting(caCertificate))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    }

    /** A client of the same server with another identity. */
    public KubeRest as(String otherToken, Path caCertificate) {
        return new KubeRest(server, caCertificate, otherToken);
    }

    /** An answer that was not 2xx. */
    public static final class ApiException extends RuntimeException {

        private final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }

    }

    public ObjectNode get(String path) {
        return send("GET", path, null, null);
    }

    /** The body of a GET that answers text, such as /readyz or /version. */
    public String text(String path) {
        try {
            HttpResponse<String> response = http.send(request(path).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new ApiException(response.statusCode(),
                        "GET " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException("GET " + path + " failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    public Optional<ObjectNode> find(String path) {
        try {
            return Optional.of(get(path));
        }
        catch (ApiException ex) {
            if (ex.status() == 404) {
                return Optional.empty();
            }
            throw ex;
        }
    }

    public ObjectNode post(String path, JsonNode body) {
        return send("POST", path, body, "application/json");
    }

    public ObjectNode put(String path, JsonNode body) {
        return send("PUT", path, body, "application/json");
    }

    /** A JSON merge patch (RFC 7386). */
    public ObjectNode mergePatch(String path, JsonNode patch) {
        return send("PATCH", path, patch, "application/merge-patch+json");
    }

    public ObjectNode delete(String path) {
        return send("DELETE", path, null, null);
    }

    /** A delete with DeleteOptions (grace period, preconditions, propagation). */
    public ObjectNode deleteWithOptions(String path, JsonNode options) {
        return send("DELETE", path, options, "application/json");
    }

    /**
     * Creates the object, or replaces the one of that name (keeping its resourceVersion).
     */
    public ObjectNode apply(ObjectNode object) {
        String path = objectPath(object);
        Optional<ObjectNode> existing = find(path);
        if (existing.isEmpty()) {
            return post(collectionPath(object), object);
        }
        ObjectNode replacement = object.deepCopy();
        replacement.withObject("metadata")
            .put("resourceVersion", existing.get().path("metadata").path("resourceVersion").asString());
        return put(path, replacement);
    }

    public ObjectNode apply(String json) {
        return apply((ObjectNode) JSON.readTree(json));
    }

    /**
     * Opens a watch and hands every event to {@code events} on the calling thread until
     * the server ends it or the thread is interrupted (then the stream is closed).
     */
    public void watch(String collectionPath, String resourceVersion, Consumer<ObjectNode> events) throws IOException {
        String separator = collectionPath.contains("?") ? "&" : "?";
        String path = collectionPath + separator + "watch=true&allowWatchBookmarks=true&resourceVersion="
                + URLEncoder.encode(resourceVersion, StandardCharsets.UTF_8);
        HttpRequest request = request(path).GET().build();
        HttpResponse<Stream<String>> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
        }
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw new ApiException(response.statusCode(), "watch " + path + ": " + response.statusCode());
            }
            lines.takeWhile(line -> !Thread.currentThread().isInterrupted())
                .filter(line -> !line.isBlank())
                .forEach(line -> events.accept((ObjectNode) JSON.readTree(line)));
        }
        catch (java.io.UncheckedIOException ex) {
            throw ex.getCause();
        }
    }

    /**
     * The collection path of an object's kind in its namespace, e.g.
     * /apis/apps/v1/namespaces/demo/deployments.
     */
    public static String collectionPath(JsonNode object) {
        String apiVersion = object.path("apiVersion").asString();
        String kind = object.path("kind").asString();
        String namespace = object.path("metadata").path("namespace").asString("");
        String prefix = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
        return prefix + (namespace.isEmpty() ? "" : "/namespaces/" + namespace) + "/" + plural(kind);
    }

    public static String objectPath(JsonNode object) {
        return collectionPath(object) + "/" + object.path("metadata").path("name").asString();
    }

    /**
     * The resource name of a kind, by the rule Kubernetes' own kinds follow (the ones
     * these tests write).
     */
    static String plural(String kind) {
        String lower = kind.toLowerCase(Locale.ROOT);
        if (lower.endsWith("s")) {
            return lower + "es";
        }
        if (lower.endsWith("y")) {
            return lower.substring(0, lower.length() - 1) + "ies";
        }
        return lower + "s";
    }

    private ObjectNode send(String method, String path, JsonNode body, String contentType) {
        HttpRequest.Builder builder = request(path).timeout(Duration.ofSeconds(30));
        if (body != null) {
            builder.header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new ApiException(response.statusCode(),
                        method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().isEmpty() ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(response.body());
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(method + " " + path + " failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.resolve(path))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    }

    /** An SSL context that trusts exactly the certificate authority in this PEM file. */
    public static SSLContext trusting(Path caCertificate) {
        try (InputStream in = Files.newInputStream(caCertificate)) {
            X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        }
        catch (IOException | java.security.GeneralSecurityException ex) {
            throw new IllegalStateException("Could not trust " + caCertificate, ex);
        }
    }

}
