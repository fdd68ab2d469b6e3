package io.discoverygateway.web;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests an attacker sends to learn what it should not: TRACE, to read back headers (a
 * token a proxy added, a cookie); an OpenAPI document fetched with a forged Host and
 * X-Forwarded headers, to make the document (and any page that trusts it) point clients
 * elsewhere.
 */
@GatewayTest(properties = "gateway.namespaces=alpha")
class RequestHardeningTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Test
    void traceIsRefusedWithoutEchoingTheRequest() throws Exception {
        for (String path : new String[] { "/api/v1/services", "/actuator/health", "/" }) {
            int target = path.startsWith("/actuator") ? managementPort : port;
            HttpResponse<String> response = HTTP
                .send(HttpRequest.newBuilder(URI.create("http://localhost:" + target + path))
                    .method("TRACE", HttpRequest.BodyPublishers.noBody())
                    .header("X-Secret", "s3cret-value")
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(path).isEqualTo(405);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).doesNotContain("s3cret-value").contains("TRACE is not served");
        }
    }

    @Test
    void nothingOfSwaggerUiIsServedWhileItIsOff() throws Exception {
        for (String path : new String[] { "/webjars/swagger-ui/index.html", "/webjars/swagger-ui/swagger-ui.css",
                "/swagger-ui/index.html", "/swagger-ui.html" }) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).doesNotContain("petstore").doesNotContain("<html");
        }
    }

    @Test
    void theLiveViewMayNotBeFramedNorRunAnythingButItsOwnScript() throws Exception {
        HttpResponse<String> page = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(policy).contains("frame-ancestors 'none'", "script-src 'self'", "default-src 'self'")
            .doesNotContain("unsafe-inline")
            .doesNotContain("unsafe-eval");
        assertThat(page.body()).doesNotContainPattern("<script>[^<]").contains("rel=\"icon\"");
    }

    @Test
    void theOpenApiDocumentsServerIsRelativeWhateverTheRequestClaims() throws Exception {
        String answer;
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v3/api-docs HTTP/1.0\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Forwarded-Prefix: /phish\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        body = body.substring(body.indexOf('{'), body.lastIndexOf('}') + 1);

        JsonNode document = GatewayClient.parse(body);
        assertThat(answer).startsWith("HTTP/1.1 200").doesNotContain("chunked");
        assertThat(document.path("servers")).hasSize(1);
        assertThat(document.path("servers").get(0).path("url").asString()).isEqualTo("/");
        assertThat(body).doesNotContain("evil.example").doesNotContain("/phish");
    }

}
