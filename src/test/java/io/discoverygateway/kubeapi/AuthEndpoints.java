package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.sun.net.httpserver.HttpExchange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static io.discoverygateway.kubeapi.ApiExchanges.notFound;
import static io.discoverygateway.kubeapi.ApiExchanges.readObject;
import static io.discoverygateway.kubeapi.ApiExchanges.sendJson;
import static io.discoverygateway.kubeapi.ApiExchanges.sendStatus;

/**
 * The embedded API's authentication and authorization endpoints: TokenRequest (JSON or
 * protobuf, as {@code kubectl
 * create token} sends it), TokenReview of the tokens it issued, and SubjectAccessReview
 * decided by its RBAC.
 *
 * <p>
 * Threads: the API's request threads; the store, the token issuer and the authorizer are
 * thread-safe.
 */
final class AuthEndpoints {

    private final ObjectStore store;

    private final ServiceAccountTokens tokens;

    private final RbacAuthorizer authorizer;

    private final Clock clock;

    AuthEndpoints(ObjectStore store, ServiceAccountTokens tokens, RbacAuthorizer authorizer, Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.authorizer = authorizer;
        this.clock = clock;
    }

    /**
     * {@code POST .../serviceaccounts/{name}/token}: a TokenRequest, as
     * {@code kubectl create token} sends it.
     */
    void tokenRequest(HttpExchange exchange, ResourcePath target) throws IOException {
        Optional<ObjectNode> body = exchange.getRequestHeaders().getFirst("Content-Type") != null
                && exchange.getRequestHeaders().getFirst("Content-Type").contains("protobuf")
                        ? readProtobufTokenRequest(exchange)
                        : readObject(exchange, "authentication.k8s.io/v1", "TokenRequest", "");
        if (body.isEmpty()) {
            return;
        }
        Optional<ObjectNode> account = store.get(ApiResource.SERVICE_ACCOUNTS, target.namespace(), target.name());
        if (account.isEmpty()) {
            notFound(exchange, target);
            return;
        }
        JsonNode spec = body.get().path("spec");
        long seconds = spec.path("expirationSeconds").asLong(3600);
        if (seconds < 600 || seconds > (1L << 32)) {
            sendStatus(exchange, 422, "Invalid",
                    "TokenRequest.authentication.k8s.io \"" + target.name()
                            + "\" is invalid: spec.expirationSeconds: Invalid value: " + seconds + ": "
                            + (seconds < 600 ? "may not specify a duration less than 10 minutes"
                                    : "may not specify a duration larger than 2^32 seconds"));
            return;
        }
        List<String> audiences = strings(spec.path("audiences"));
        Instant expiry = clock.instant().plusSeconds(seconds);
        String token = tokens.issue(target.namespace(), target.name(),
                account.get().path("metadata").path("uid").asString(), audiences, expiry);
        ObjectNode answer = body.get().deepCopy();
        ObjectNode metadata = answer.putObject("metadata");
        metadata.put("name", target.name());
        metadata.put("namespace", target.namespace());
        ObjectNode answerSpec = answer.putObject("spec");
        ArrayNode aud = answerSpec.putArray("audiences");
        (audiences.isEmpty() ? List.of(ServiceAccountTokens.API_AUDIENCE) : audiences).forEach(aud::add);
        answerSpec.put("expirationSeconds", seconds);
        answerSpec.putNull("boundObjectRef");
        answer.putObject("status").put("token", token).put("expirationTimestamp", expiry.toString());
        sendJson(exchange, 201, answer);
    }

    private static Optional<ObjectNode> readProtobufTokenRequest(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readAllBytes();
        }
        if (!ProtobufTokenRequest.isProtobuf(bytes)) {
            sendStatus(exchange, 400, "BadRequest", "the protobuf body does not start with the k8s envelope");
            return Optional.empty();
        }
        try {
            ObjectNode request = ProtobufTokenRequest.toJson(bytes);
            request.put("apiVersion", "authentication.k8s.io/v1");
            request.put("kind", "TokenRequest");
            return Optional.of(request);
        }
        catch (RuntimeException ex) {
            sendStatus(exchange, 400, "BadRequest", "unreadable protobuf TokenRequest: " + ex.getMessage());
            return Optional.empty();
        }
    }

    /**
     * {@code POST /apis/authentication.k8s.io/v1/tokenreviews}: is this a valid token,
     * and whose?
     */
    void tokenReview(HttpExchange exchange) throws IOException {
        Optional<ObjectNode> body = readObject(exchange, "authentication.k8s.io/v1", "TokenReview", "");
        if (body.isEmpty()) {
            return;
        }
        JsonNode spec = body.get().path("spec");
        ServiceAccountTokens.Review review = tokens.review(spec.path("token").asString(""),
                strings(spec.path("audiences")),
                (namespace, name) -> store.get(ApiResource.SERVICE_ACCOUNTS, namespace, name)
                    .map(account -> account.path("metadata").path("uid").asString()));
        ObjectNode answer = body.get().deepCopy();
        answer.putObject("metadata").putNull("creationTimestamp");
        ObjectNode status = answer.putObject("status");
        if (review.authenticated()) {
            status.put("authenticated", true);
            ObjectNode user = status.putObject("user");
            user.put("username", review.username());
            user.put("uid", review.uid());
            ArrayNode groups = user.putArray("groups");
            review.groups().forEach(groups::add);
            ArrayNode audiences = status.putArray("audiences");
            review.audiences().forEach(audiences::add);
        }
        else {
            status.putObject("user");
            status.put("error", review.error());
        }
        sendJson(exchange, 201, answer);
    }

    /**
     * {@code POST /apis/authorization.k8s.io/v1/subjectaccessreviews}: may this user do
     * that, by RBAC?
     */
    void subjectAccessReview(HttpExchange exchange) throws IOException {
        Optional<ObjectNode> body = readObject(exchange, "authorization.k8s.io/v1", "SubjectAccessReview", "");
        if (body.isEmpty()) {
            return;
        }
        JsonNode spec = body.get().path("spec");
        JsonNode attributes = spec.path("resourceAttributes");
        if (attributes.isMissingNode() || spec.path("user").asString("").isEmpty() && spec.path("groups").isEmpty()) {
            sendStatus(exchange, 422, "Invalid",
                    "SubjectAccessReview.authorization.k8s.io is invalid:" + (attributes.isMissingNode()
                            ? " spec.resourceAttributes: Required value"
                            : " spec.user: Invalid value: \"\": at least one of user or group must be specified"));
            return;
        }
        RbacAuthorizer.Decision decision = authorizer
            .authorize(new RbacAuthorizer.Request(spec.path("user").asString(""), strings(spec.path("groups")),
                    attributes.path("verb").asString(""), attributes.path("group").asString(""),
                    attributes.path("resource").asString(""), attributes.path("subresource").asString(""),
                    attributes.path("namespace").asString(""), attributes.path("name").asString("")));
        ObjectNode answer = body.get().deepCopy();
        answer.putObject("metadata").putNull("creationTimestamp");
        ObjectNode status = answer.putObject("status");
        status.put("allowed", decision.allowed());
        if (!decision.reason().isEmpty()) {
            status.put("reason", decision.reason());
        }
        sendJson(exchange, 201, answer);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asString()));
        return values;
    }

}
