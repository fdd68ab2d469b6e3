package io.discoverygateway.api;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.LocalGatewayApplication;
import io.discoverygateway.SseClient;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OpenAPI document at {@code /v3/api-docs} describes the real answers: each one is
 * validated (JSON Schema 2020-12) against the schema the document gives for its path and
 * status, made strict (no property the document does not name), so a field added to an
 * answer and not to the document fails here.
 */
@GatewayTest(properties = { "gateway.namespaces=demo", "gateway.pod-metadata.enabled=true" })
class OpenApiDocumentTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi api;

    private GatewayClient client;

    private JsonNode document;

    @BeforeEach
    void demoDataAndDocument() {
        client = new GatewayClient(port);
        if (api.get(ApiResource.SERVICES, "demo", "checkout").isEmpty()) {
            LocalGatewayApplication.seed(api);
        }
        await().atMost(Duration.ofSeconds(10))
            .until(() -> client.get("/api/v1/namespaces/demo/services/payments").statusCode() == 200);
        document = client.json("/v3/api-docs");
    }

    @Test
    void theDocumentIsOpenApi31AndCoversEveryRoute() {
        assertThat(document.path("openapi").asString()).startsWith("3.1");
        assertThat(document.path("paths").propertyNames())
            .contains("/api/v1/services", "/api/v1/namespaces/{namespace}/services",
                    "/api/v1/namespaces/{namespace}/services/{name}", "/api/v1/stream", "/apps", "/apps/{name}",
                    "/apps/{name}/{instanceId}", "/state")
            .doesNotContain("/error");
        assertThat(document.at("/paths/~1api~1v1~1namespaces~1{namespace}~1services~1{name}/get/parameters")
            .findValuesAsString("name")).contains("namespace", "name", "ready", "podLabelSelector", "wait", "index");
        for (String listed : List.of("/paths/~1api~1v1~1services/get/parameters",
                "/paths/~1api~1v1~1namespaces~1{namespace}~1services/get/parameters")) {
            assertThat(document.at(listed).findValuesAsString("name")).as(listed)
                .contains("wait", "index", "If-None-Match");
        }
        assertThat(client.get("/swagger-ui/index.html").statusCode()).as("Swagger UI is off by default").isEqualTo(404);
    }

    @Test
    void theServiceListsMatchTheirSchema() {
        assertMatches("/api/v1/services", "/api/v1/services", "200");
        assertMatches("/api/v1/namespaces/{namespace}/services", "/api/v1/namespaces/demo/services", "200");
    }

    @Test
    void everyKindOfServiceMatchesTheServiceSchema() {
        for (String name : List.of("checkout", "payments", "inventory", "legacy-db")) {
            assertMatches("/api/v1/namespaces/{namespace}/services/{name}", "/api/v1/namespaces/demo/services/" + name,
                    "200");
        }
    }

    @Test
    void problemsMatchTheProblemSchema() {
        assertMatches("/api/v1/namespaces/{namespace}/services/{name}", "/api/v1/namespaces/demo/services/none", "404");
        assertMatches("/api/v1/services", "/api/v1/services?labelSelector=%28%28", "400");
    }

    @Test
    void theDiscoveryServerAnswersMatchTheirSchemas() {
        assertMatches("/apps", "/apps", "200");
        assertMatches("/apps/{name}", "/apps/payments", "200");
        assertMatches("/state", "/state", "200");
        String instanceId = client.json("/apps/payments").get(0).path("instanceId").asString();
        assertMatches("/apps/{name}/{instanceId}", "/apps/payments/" + instanceId, "200");
    }

    @Test
    void theStreamsEventsMatchTheSchemasTheDocumentNames() throws Exception {
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?namespace=demo")) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));
            List<Event> events = stream.namedEvents();

            assertThat(errors(schema("#/components/schemas/ResetEventData"), JSON.readTree(events.get(0).data())))
                .isEmpty();
            List<Event> services = events.stream().filter(e -> "ADDED".equals(e.type())).toList();
            assertThat(services).hasSize(4);
            for (Event event : services) {
                assertThat(errors(schema("#/components/schemas/ServiceDocument"), JSON.readTree(event.data())))
                    .as(event.data())
                    .isEmpty();
            }
        }
    }

    @Test
    void aPatchedEventMatchesTheSchemaTheDocumentNames() throws Exception {
        try (SseClient stream = SseClient.connect(port, "/api/v1/stream?service=demo/checkout&patches=true")) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));

            ObjectNode slice = api.get(ApiResource.ENDPOINT_SLICES, "demo", "checkout-abc12").orElseThrow();
            ObjectNode conditions = ((ObjectNode) slice.path("endpoints").get(0)).withObjectProperty("conditions");
            conditions.put("ready", !conditions.path("ready").asBoolean(true));
            api.replace(ApiResource.ENDPOINT_SLICES, "demo", slice.toString());
            Event patched = stream.awaitNamed("PATCHED", Duration.ofSeconds(5));

            assertThat(errors(schema("#/components/schemas/EndpointPatchDocument"), JSON.readTree(patched.data())))
                .as(patched.data())
                .isEmpty();
        }
    }

    /**
     * Validates the answer to a GET against the document's schema for that path and
     * status.
     */
    private void assertMatches(String documentedPath, String request, String status) {
        HttpResponse<String> response = client.get(request);
        assertThat(Integer.toString(response.statusCode())).as(request).isEqualTo(status);
        JsonNode content = document.path("paths")
            .path(documentedPath)
            .path("get")
            .path("responses")
            .path(status)
            .path("content");
        assertThat(content.isObject()).as("the document describes %s %s", documentedPath, status).isTrue();
        JsonNode responseSchema = content.properties().iterator().next().getValue().path("schema");
        List<String> errors = errors(schema(responseSchema), JSON.readTree(response.body()));
        assertThat(errors).as("%s answered %s", request, response.body()).isEmpty();
    }

    private Schema schema(String ref) {
        ObjectNode reference = JSON.createObjectNode();
        reference.put("$ref", ref);
        return schema(reference);
    }

    /**
     * The response schema with the document's components beside it, every object schema
     * made strict.
     */
    private Schema schema(JsonNode responseSchema) {
        ObjectNode root = (ObjectNode) responseSchema.deepCopy();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        ObjectNode components = (ObjectNode) document.path("components").deepCopy();
        strict(components);
        root.set("components", components);
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(root.toString());
    }

    private static void strict(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            object.values().forEach(OpenApiDocumentTest::strict);
        }
        else if (node.isArray()) {
            node.forEach(OpenApiDocumentTest::strict);
        }
    }

    private static List<String> errors(Schema schema, JsonNode instance) {
        List<String> messages = new ArrayList<>();
        for (Error error : schema.validate(instance)) {
            messages.add(error.toString());
        }
        return messages;
    }

}
