package io.discoverygateway.kubeapi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import tools.jackson.databind.node.ObjectNode;

/**
 * The embedded API as a {@link TestCluster}: namespaces keep their names, as each Spring
 * context has its own API.
 */
public record EmbeddedTestCluster(EmbeddedKubernetesApi api) implements TestCluster {

    @Override
    public String kind() {
        return "embedded";
    }

    @Override
    public String namespace(String logical) {
        return logical;
    }

    @Override
    public ObjectNode create(ApiResource resource, String namespace, String json) {
        return api.create(resource, namespace, json);
    }

    @Override
    public ObjectNode replace(ApiResource resource, String namespace, String json) {
        return api.replace(resource, namespace, json);
    }

    @Override
    public boolean delete(ApiResource resource, String namespace, String name) {
        return api.delete(resource, namespace, name);
    }

    @Override
    public Optional<ObjectNode> get(ApiResource resource, String namespace, String name) {
        return api.get(resource, namespace, name);
    }

    @Override
    public List<ObjectNode> list(ApiResource resource, String namespace) {
        return api.list(resource, namespace);
    }

    @Override
    public String serviceAccount(String namespace, String name) {
        return api.serviceAccount(namespace, name);
    }

    @Override
    public void grantListEndpointSlices(String namespace, String accountNamespace, String account) {
        api.grantListEndpointSlices(namespace, accountNamespace, account);
    }

    @Override
    public String token(String namespace, String serviceAccount, List<String> audiences, Duration lifetime) {
        return api.issueToken(namespace, serviceAccount, audiences, lifetime);
    }
}
