package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.sun.net.httpserver.HttpExchange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reading a request and answering it as kube-apiserver does: JSON bodies checked against
 * the kind and namespace the path names, {@code Status} objects for failures, query
 * parameters.
 */
final class ApiExchanges {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApiExchanges() {
    }

    static Optional<ObjectNode> readObject(HttpExchange exchange, ResourcePath target) throws IOException {
        return readObject(exchange, target.resource().apiVersion(), target.resource().kind(), target.namespace());
    }

    static Optional<ObjectNode> readObject(HttpExchange exchange, String expectedApiVersion, String expectedKind,
            String expectedNamespace) throws IOException {
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        if (contentType.contains("protobuf")) {
            // As a server without protobuf support answers; client-go then sends the
            // request again as JSON.
            sendStatus(exchange, 415, "UnsupportedMediaType", "the body of the request was in an unknown format"
                    + " - accepted media types include: application/json, application/yaml");
            return Optional.empty();
        }
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = JSON.readTree(in);
        }
        catch (RuntimeException ex) {
            sendStatus(exchange, 400, "BadRequest", "invalid JSON: " + ex.getMessage());
            return Optional.empty();
        }
        if (!(body instanceof ObjectNode object)) {
            sendStatus(exchange, 400, "BadRequest", "the body must be a JSON object");
            return Optional.empty();
        }
        String apiVersion = object.path("apiVersion").asString("");
        String kind = object.path("kind").asString("");
        if (!apiVersion.equals(expectedApiVersion) || !kind.equals(expectedKind)) {
            sendStatus(exchange, 400, "BadRequest", "the API version in the data (" + apiVersion + ") and kind (" + kind
                    + ") do not match " + expectedApiVersion + " " + expectedKind);
            return Optional.empty();
        }
        String namespace = object.path("metadata").path("namespace").asString("");
        if (!namespace.isEmpty() && !namespace.equals(expectedNamespace)) {
            sendStatus(exchange, 400, "BadRequest",
                    "the namespace of the provided object does not match the namespace sent on the request");
            return Optional.empty();
        }
        return Optional.of(object);
    }

    static void notFound(HttpExchange exchange, ResourcePath target) throws IOException {
        sendStatus(exchange, 404, "NotFound", target.resource().plural() + " \"" + target.name() + "\" not found");
    }

    static void sendStatus(HttpExchange exchange, int code, String reason, String message) throws IOException {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        sendJson(exchange, code, status);
    }

    static void sendJson(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }

}
