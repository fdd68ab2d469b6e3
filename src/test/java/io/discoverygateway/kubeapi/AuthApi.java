package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * TokenReview and SubjectAccessReview requests to the embedded API over HTTP, as a client
 * would send them.
 */
final class AuthApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AuthApi() {
    }

    static String tokenReview(EmbeddedKubernetesApi api, String token, String... audiences) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "authentication.k8s.io/v1");
        review.put("kind", "TokenReview");
        ObjectNode spec = review.putObject("spec");
        spec.put("token", token);
        ArrayNode array = spec.putArray("audiences");
        for (String audience : audiences) {
            array.add(audience);
        }
        return post(api, "/apis/authentication.k8s.io/v1/tokenreviews", review);
    }

    /**
     * Whether the user (with its groups) may do the verb on the resource in the
     * namespace, by the API's answer.
     */
    static boolean allowed(EmbeddedKubernetesApi api, String user, List<String> groups, String verb, String group,
            String resource, String namespace, String name) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "authorization.k8s.io/v1");
        review.put("kind", "SubjectAccessReview");
        ObjectNode spec = review.putObject("spec");
        spec.put("user", user);
        groups.forEach(spec.putArray("groups")::add);
        String[] parts = resource.split("/", 2);
        ObjectNode attributes = spec.putObject("resourceAttributes");
        attributes.put("verb", verb)
            .put("group", group)
            .put("resource", parts[0])
            .put("namespace", namespace)
            .put("name", name);
        if (parts.length == 2) {
            attributes.put("subresource", parts[1]);
        }
        String answer = post(api, "/apis/authorization.k8s.io/v1/subjectaccessreviews", review);
        return JSON.readTree(answer).path("status").path("allowed").asBoolean();
    }

    static String post(EmbeddedKubernetesApi api, String path, ObjectNode body) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
            return response.body();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
