package io.discoverygateway.web;

import java.util.List;
import java.util.Map;

import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.protocol.ReauthenticateReason;
import io.discoverygateway.protocol.ResetReason;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI 3.1 document at {@code /v3/api-docs} (springdoc): the schemas of the
 * answers are the very records the gateway serializes
 * ({@link SnapshotEncoder.ServiceDocument}...), or, for answers written by hand, the
 * records below; {@code OpenApiDocumentTest} validates real answers against them. Every
 * operation of the API gets its problem+json answers, and the stream's events are
 * described with schemas of their data.
 */
@Configuration(proxyBeanMethods = false)
public class ApiDocumentation {

    /** The problem+json answers any operation of the API may give. */
    private static final Map<String, String> PROBLEMS = Map.of("400",
            "A parameter is malformed (a name, a label selector, an index, a wait)", "401",
            "With consumer authentication: no token, or one the Kubernetes API does not accept", "403",
            "With consumer authentication: Kubernetes would not let the consumer read that namespace, or any"
                    + " watched namespace",
            "404", "No such service, or a namespace the gateway does not watch", "406",
            "The Accept header excludes JSON", "429",
            "With consumer authentication: the consumer holds as many streams or long-polls as one may"
                    + " (with Retry-After)",
            "503", "Too many open streams or long-polls, or an access decision the Kubernetes API cannot make now"
                    + " (with Retry-After)");

    @Bean
    OpenAPI gatewayOpenApi(ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        return new OpenAPI()
            .info(new Info().title("discovery-gateway")
                .version(properties != null ? properties.getVersion() : "dev")
                .description("The Services and EndpointSlices of a Kubernetes cluster, with readiness, ports, zone and"
                        + " pod, over REST (ETag, long-poll), server-sent events and the Spring Cloud Kubernetes"
                        + " Discovery Server API. Errors are RFC 9457 problem+json.")
                .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
            // Relative: springdoc would otherwise build the server URL from the request's
            // Host and
            // X-Forwarded-* headers, which any caller chooses.
            .servers(List.of(new Server().url("/").description("this gateway")))
            .schemaRequirement("bearer",
                    new SecurityScheme().type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("With gateway.auth.mode=kubernetes: a ServiceAccount token for the audience"
                                + " discovery-gateway"));
    }

    @Bean
    OpenApiCustomizer gatewayProblemsAndEvents() {
        return openApi -> {
            openApi.getPaths().forEach((path, item) -> item.readOperations().forEach(operation -> {
                operation.addSecurityItem(new SecurityRequirement().addList("bearer"));
                PROBLEMS.forEach((status, description) -> {
                    if (operation.getResponses().get(status) == null) {
                        operation.getResponses()
                            .addApiResponse(status,
                                    new ApiResponse().description(description)
                                        .content(new Content().addMediaType("application/problem+json",
                                                new MediaType().schema(new io.swagger.v3.oas.models.media.Schema<>()
                                                    .$ref("#/components/schemas/ProblemDetail")))));
                    }
                });
            }));
            var schemas = openApi.getComponents().getSchemas();
            schemas.putIfAbsent("ProblemDetail",
                    new ObjectSchema().description("RFC 9457 problem details")
                        .addProperty("type", new StringSchema().description("a URI reference; about:blank"))
                        .addProperty("title", new StringSchema())
                        .addProperty("status", new IntegerSchema())
                        .addProperty("detail", new StringSchema().description("what was wrong, and what to do"))
                        .addProperty("instance", new StringSchema().description("the request path")));
            // Spring Cloud Kubernetes' instance: the cluster is always null there (no
            // multi-cluster support).
            io.swagger.v3.oas.models.media.Schema<?> instance = schemas.get("DefaultKubernetesServiceInstance");
            if (instance != null && instance.getProperties() != null) {
                io.swagger.v3.oas.models.media.Schema<?> cluster = instance.getProperties().get("cluster");
                if (cluster != null) {
                    cluster.setTypes(java.util.Set.of("string", "null"));
                }
            }
            // Added to a service's JSON while the gateway cannot reach the API server.
            var service = schemas.get("ServiceDocument");
            if (service != null) {
                service.addProperty("stale", new BooleanSchema().description(
                        "present (true) while the data may be" + " out of date: the Kubernetes API is unreachable"));
                service.addProperty("dataAgeSeconds", new IntegerSchema().description("with stale: since when"));
            }
            // PATCHED events' data: not the answer of any operation, so springdoc would
            // not list it by itself.
            ModelConverters.getInstance()
                .readAll(SnapshotEncoder.EndpointPatchDocument.class)
                .forEach(schemas::putIfAbsent);
            schemas.put("ResetEventData",
                    new ObjectSchema().description("RESET: drop what you hold, a full snapshot" + " follows")
                        .addProperty("reason", new StringSchema()._enum(ResetReason.wireNames())));
            schemas.put("ReauthenticateEventData", new ObjectSchema()
                .description("REAUTHENTICATE, the last event of a"
                        + " stream: reconnect with a fresh token and the last event id (after access-revoked, only once"
                        + " Kubernetes lets the consumer read a namespace again)")
                .addProperty("reason", new StringSchema()._enum(ReauthenticateReason.wireNames())));
            schemas.put("RevokedServiceData",
                    new ObjectSchema()
                        .description("DELETED of a service the consumer may no" + " longer read: its identity only")
                        .addProperty("namespace", new StringSchema())
                        .addProperty("name", new StringSchema())
                        .addProperty("revision", new IntegerSchema())
                        .addProperty("endpoints",
                                new io.swagger.v3.oas.models.media.ArraySchema().items(new ObjectSchema()))
                        .addProperty("reason",
                                new StringSchema()._enum(List.of(ReauthenticateReason.ACCESS_REVOKED.wireName()))));
        };
    }

    /** {@code GET /api/v1/services} and {@code GET /api/v1/namespaces/{ns}/services}. */
    @Schema(name = "ServiceList")
    public record ServiceList(
            @Schema(description = "the gateway's random start-up id; with revision, the ETag") String epoch,
            @Schema(description = "the latest revision of what the list covers") long revision,
            @Schema(description = "present (true) while the data may be out of date") Boolean stale,
            @Schema(description = "with stale: since when") Long dataAgeSeconds,
            List<SnapshotEncoder.ServiceSummary> items) {
    }

}
