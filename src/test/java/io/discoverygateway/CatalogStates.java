package io.discoverygateway;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.EmbeddedTestCluster;
import io.discoverygateway.kubeapi.TestCluster;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The content of a namespace in one comparable form, whoever holds it: the embedded API's
 * objects, the gateway's REST answers, or the service documents a stream client has put
 * together. Per service: its labels, and each endpoint's address with its readiness,
 * sorted.
 */
public final class CatalogStates {

    private CatalogStates() {
    }

    /**
     * What the gateway should serve, computed from the API's Services and EndpointSlices.
     */
    public static Map<String, String> fromApi(EmbeddedKubernetesApi api, String namespace) {
        return fromApi(new EmbeddedTestCluster(api), namespace);
    }

    /** The same, from whichever API server a test runs on. */
    public static Map<String, String> fromApi(TestCluster api, String namespace) {
        Map<String, String> state = new TreeMap<>();
        List<ObjectNode> slices = api.list(ApiResource.ENDPOINT_SLICES, namespace);
        for (ObjectNode service : api.list(ApiResource.SERVICES, namespace)) {
            String name = service.path("metadata").path("name").asString();
            TreeSet<String> endpoints = new TreeSet<>();
            for (ObjectNode slice : slices) {
                if (name.equals(slice.path("metadata").path("labels").path("kubernetes.io/service-name").asString())) {
                    slice.path("endpoints")
                        .forEach(endpoint -> endpoints.add(endpoint.path("addresses").get(0).asString() + ":"
                                + endpoint.path("conditions").path("ready").asBoolean(true)));
                }
            }
            state.put(name, canonical(service.path("metadata").path("labels"), endpoints));
        }
        return state;
    }

    /**
     * The same from service documents as the gateway writes them (REST or stream events).
     */
    public static Map<String, String> fromDocuments(Map<String, JsonNode> documents) {
        Map<String, String> state = new TreeMap<>();
        documents.forEach((name, document) -> {
            TreeSet<String> endpoints = new TreeSet<>();
            document.path("endpoints")
                .forEach(endpoint -> endpoints
                    .add(endpoint.path("addresses").get(0).asString() + ":" + endpoint.path("ready").asBoolean()));
            state.put(name, canonical(document.path("labels"), endpoints));
        });
        return state;
    }

    /** The gateway's documents of every service in the namespace, read over REST. */
    public static Map<String, JsonNode> gatewayDocuments(GatewayClient gateway, String namespace) {
        Map<String, JsonNode> documents = new TreeMap<>();
        for (JsonNode summary : gateway.json("/api/v1/namespaces/" + namespace + "/services").path("items")) {
            String name = summary.path("name").asString();
            HttpResponse<String> response = gateway.get("/api/v1/namespaces/" + namespace + "/services/" + name);
            if (response.statusCode() == 200) {
                documents.put(name, GatewayClient.parse(response.body()));
            }
        }
        return documents;
    }

    public static Map<String, String> fromGateway(GatewayClient gateway, String namespace) {
        return fromDocuments(gatewayDocuments(gateway, namespace));
    }

    private static String canonical(JsonNode labels, TreeSet<String> endpoints) {
        Map<String, String> sortedLabels = new TreeMap<>();
        labels.properties().forEach(entry -> sortedLabels.put(entry.getKey(), entry.getValue().asString()));
        return sortedLabels + " " + new ArrayList<>(endpoints);
    }

}
