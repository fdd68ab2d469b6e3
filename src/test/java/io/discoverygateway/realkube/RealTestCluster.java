package io.discoverygateway.realkube;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.TestCluster;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shared real cluster as one Spring context's {@link TestCluster}: each logical
 * namespace becomes a namespace of its own on first use (e.g. {@code alpha-12}), and
 * every write goes through kube-apiserver as the administrator, with its admission,
 * defaulting and validation.
 *
 * <p>
 * The one change made to what a test writes: a Service's {@code clusterIP} is left to the
 * API server to allocate, since the addresses the fixtures choose would collide in a
 * cluster that many tests share.
 */
public final class RealTestCluster implements TestCluster {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RealCluster cluster;

    private final Map<String, String> namespaces = new ConcurrentHashMap<>();

    public RealTestCluster(RealCluster cluster) {
        this.cluster = cluster;
    }

    public RealCluster cluster() {
        return cluster;
    }

    public KubeRest admin() {
        return cluster.admin();
    }

    @Override
    public String kind() {
        return "real";
    }

    @Override
    public String namespace(String logical) {
        return namespaces.computeIfAbsent(logical, cluster::createNamespace);
    }

    @Override
    public ObjectNode create(ApiResource resource, String namespace, String json) {
        return admin().post(collection(resource, namespace), prepare(resource, namespace, json));
    }

    @Override
    public ObjectNode replace(ApiResource resource, String namespace, String json) {
        return admin().apply(prepare(resource, namespace, json));
    }

    @Override
    public boolean delete(ApiResource resource, String namespace, String name) {
        try {
            admin().delete(collection(resource, namespace) + "/" + name);
            return true;
        }
        catch (KubeRest.ApiException ex) {
            if (ex.status() == 404) {
                return false;
            }
            throw ex;
        }
    }

    @Override
    public Optional<ObjectNode> get(ApiResource resource, String namespace, String name) {
        return admin().find(collection(resource, namespace) + "/" + name);
    }

    @Override
    public List<ObjectNode> list(ApiResource resource, String namespace) {
        List<ObjectNode> items = new java.util.ArrayList<>();
        admin().get(collection(resource, namespace)).path("items").forEach(item -> items.add((ObjectNode) item));
        return items;
    }

    @Override
    public String serviceAccount(String namespace, String name) {
        if (get(ApiResource.SERVICE_ACCOUNTS, namespace, name).isEmpty()) {
            create(ApiResource.SERVICE_ACCOUNTS, namespace, KubeObjects.serviceAccount(namespace, name));
        }
        return name;
    }

    @Override
    public void grantListEndpointSlices(String namespace, String accountNamespace, String account) {
        replace(ApiResource.ROLES, namespace,
                KubeObjects.role(namespace, "discovery-reader", List.of(KubeObjects.Rule.listEndpointSlices())));
        replace(ApiResource.ROLE_BINDINGS, namespace,
                KubeObjects.binding(namespace, account, "Role", "discovery-reader", accountNamespace, account));
    }

    @Override
    public String token(String namespace, String serviceAccount, List<String> audiences, Duration lifetime) {
        return cluster.token(namespace, serviceAccount, audiences, lifetime);
    }

    private static String collection(ApiResource resource, String namespace) {
        return resource.groupVersionPath() + (resource.namespaced() ? "/namespaces/" + namespace : "") + "/"
                + resource.plural();
    }

    private static ObjectNode prepare(ApiResource resource, String namespace, String json) {
        ObjectNode object = (ObjectNode) JSON.readTree(json);
        object.put("apiVersion", resource.apiVersion()).put("kind", resource.kind());
        ObjectNode metadata = object.withObject("metadata");
        if (resource.namespaced()) {
            metadata.put("namespace", namespace);
        }
        else {
            metadata.remove("namespace");
        }
        if (resource.equals(ApiResource.SERVICES) && object.path("spec").isObject()
                && !"None".equals(object.path("spec").path("clusterIP").asString())) {
            object.withObject("spec").remove(List.of("clusterIP", "clusterIPs"));
        }
        return object;
    }

}
