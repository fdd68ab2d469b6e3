package io.discoverygateway.kubeapi;

/**
 * One request the embedded API received, in RBAC terms.
 *
 * @param verb get, list, watch, create, update, patch or delete (or the HTTP method for
 * non-resource paths)
 * @param group the API group, empty for the core group
 * @param resource the resource ("services"), or the path for non-resource requests
 * @param namespace the namespace, or empty for cluster-wide requests
 */
public record RecordedRequest(String verb, String group, String resource, String namespace) {
}
