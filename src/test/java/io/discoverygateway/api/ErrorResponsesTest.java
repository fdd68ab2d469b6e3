package io.discoverygateway.api;

import java.net.http.HttpResponse;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every client error is an RFC 9457 problem+json document with a useful message and no
 * stack trace.
 */
@GatewayTest(properties = "gateway.namespaces=alpha,beta")
class ErrorResponsesTest {

    @LocalServerPort
    private int port;

    private GatewayClient gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port);
    }

    @Test
    void anInvalidServiceNameIsABadRequest() {
        JsonNode problem = problem(gateway.get("/api/v1/namespaces/alpha/services/Not_A_Name"), 400);

        assertThat(problem.path("title").asString()).isEqualTo("Invalid service name");
        assertThat(problem.path("detail").asString()).contains("'Not_A_Name'", "DNS-1123 label");
    }

    @Test
    void aSelectorWithTooManyRequirementsIsABadRequestOnEveryRoute() {
        String selector = String.join("%2C", java.util.Collections.nCopies(40, "a%3Db"));

        for (String path : java.util.List.of("/api/v1/services?labelSelector=", "/api/v1/stream?labelSelector=",
                "/api/v1/namespaces/alpha/services?labelSelector=")) {
            JsonNode problem = problem(gateway.get(path + selector), 400);
            assertThat(problem.path("detail").asString()).as(path).contains("40 requirements", "at most 32");
        }
    }

    @Test
    void anInvalidNamespaceNameIsABadRequest() {
        JsonNode problem = problem(gateway.get("/api/v1/namespaces/-bad-/services"), 400);

        assertThat(problem.path("detail").asString()).contains("'-bad-'");
    }

    @Test
    void anUnknownServiceIsNotFound() {
        JsonNode problem = problem(gateway.get("/api/v1/namespaces/alpha/services/no-such-service"), 404);

        assertThat(problem.path("detail").asString()).isEqualTo("No service 'no-such-service' in namespace 'alpha'");
        assertThat(problem.path("instance").asString()).isEqualTo("/api/v1/namespaces/alpha/services/no-such-service");
    }

    @Test
    void aNamespaceTheGatewayDoesNotWatchIsNotFoundAndTheDetailListsTheWatchedOnes() {
        JsonNode problem = problem(gateway.get("/api/v1/namespaces/gamma/services/web"), 404);

        assertThat(problem.path("title").asString()).isEqualTo("Namespace not watched");
        assertThat(problem.path("detail").asString()).contains("'gamma'", "alpha, beta");
    }

    @Test
    void anUnacceptableMediaTypeIsNotAcceptable() {
        JsonNode problem = problem(gateway.get("/api/v1/services", "Accept", "text/html"), 406);

        assertThat(problem.path("detail").asString()).contains("application/json");
    }

    @Test
    void aMalformedLabelSelectorIsABadRequest() {
        JsonNode problem = problem(gateway.get("/api/v1/services?labelSelector=tier%20in%20(web"), 400);

        assertThat(problem.path("title").asString()).isEqualTo("Invalid parameter 'labelSelector'");
        assertThat(problem.path("detail").asString()).contains("unbalanced");
    }

    @Test
    void aMalformedBooleanParameterIsABadRequest() {
        problem(gateway.get("/api/v1/namespaces/alpha/services/web?ready=perhaps"), 400);
    }

    @Test
    void anUnknownPathIsNotFound() {
        problem(gateway.get("/api/v2/everything"), 404);
    }

    private static JsonNode problem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(response.body()).doesNotContain("Exception", "\tat ");
        JsonNode problem = GatewayClient.parse(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asString()).isNotEmpty();
        assertThat(problem.path("detail").asString()).isNotEmpty();
        return problem;
    }

}
