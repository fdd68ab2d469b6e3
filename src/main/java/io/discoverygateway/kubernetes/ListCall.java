package io.discoverygateway.kubernetes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.Pair;
import io.kubernetes.client.util.CallGeneratorParams;
import okhttp3.Call;

/**
 * Builds the HTTP call that lists, or with {@code params.watch} watches, one kind in one
 * scope.
 */
@FunctionalInterface
interface ListCall {

    Call build(CallGeneratorParams params) throws ApiException;

    /**
     * The list-or-watch call of a resource, as the generated API classes build it.
     * @param groupVersionPath {@code /api/v1} or {@code /apis/<group>/<version>}
     * @param namespace the namespace, or empty for all namespaces
     * @param labelSelector a label selector, or null
     */
    static ListCall of(ApiClient client, String groupVersionPath, String plural, String namespace,
            String labelSelector) {
        String path = groupVersionPath + (namespace.isEmpty() ? "" : "/namespaces/" + namespace) + "/" + plural;
        return params -> {
            boolean watch = Boolean.TRUE.equals(params.watch);
            List<Pair> query = new ArrayList<>();
            if (labelSelector != null) {
                query.addAll(client.parameterToPair("labelSelector", labelSelector));
            }
            if (params.resourceVersion != null) {
                query.addAll(client.parameterToPair("resourceVersion", params.resourceVersion));
            }
            if (params.timeoutSeconds != null) {
                query.addAll(client.parameterToPair("timeoutSeconds", params.timeoutSeconds));
            }
            if (watch) {
                query.addAll(client.parameterToPair("watch", true));
                query.addAll(client.parameterToPair("allowWatchBookmarks", true));
            }
            Map<String, String> headers = new HashMap<>();
            headers.put("Accept", "application/json");
            return client.buildCall(null, path, "GET", query, new ArrayList<>(), null, headers, new HashMap<>(),
                    new HashMap<>(), new String[] { "BearerToken" }, null);
        };
    }

}
