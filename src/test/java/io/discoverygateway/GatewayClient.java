package io.discoverygateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Talks to the gateway over real HTTP, as its consumers do. */
public final class GatewayClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();

    private final URI base;

    private final URI management;

    /** A client of the API port only. */
    public GatewayClient(int port) {
        this(port, port);
    }

    /**
     * A client of both ports: paths under {@code /actuator} go to the management port, as
     * in a deployment.
     */
    public GatewayClient(int port, int managementPort) {
        this.base = URI.create("http://localhost:" + port);
        this.management = URI.create("http://localhost:" + managementPort);
    }

    /** A client of a running gateway's two ports, as the context says they are. */
    public static GatewayClient of(org.springframework.core.env.PropertyResolver environment) {
        return new GatewayClient(Integer.parseInt(environment.getRequiredProperty("local.server.port")),
                Integer.parseInt(environment.getRequiredProperty("local.management.port")));
    }

    /** GET with optional header name/value pairs. */
    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest
            .newBuilder((path.startsWith("/actuator") ? management : base).resolve(path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** GET that must answer 200; the body parsed as JSON. */
    public JsonNode json(String path) {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public static JsonNode parse(String body) {
        return JSON.readTree(body);
    }

}
