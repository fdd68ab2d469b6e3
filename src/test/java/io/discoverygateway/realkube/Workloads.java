package io.discoverygateway.realkube;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Workloads written to a real cluster as a user writes them: a Deployment whose pods the
 * controllers and the {@link SimulatedKubelet} bring up, a Service selecting them, and
 * what the EndpointSlice controller makes of both.
 */
public final class Workloads {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The grace period of the pods: long enough to watch them terminate, short enough for
     * a test.
     */
    public static final int GRACE_PERIOD_SECONDS = 4;

    private Workloads() {
    }

    /**
     * A Deployment of {@code replicas} pods labelled app=NAME with one container port
     * "http" 8080.
     */
    public static ObjectNode deployment(KubeRest admin, String namespace, String name, int replicas) {
        ObjectNode deployment = JSON.createObjectNode();
        deployment.put("apiVersion", "apps/v1").put("kind", "Deployment");
        deployment.putObject("metadata").put("name", name).put("namespace", namespace);
        ObjectNode spec = deployment.putObject("spec");
        spec.put("replicas", replicas);
        spec.putObject("selector").putObject("matchLabels").put("app", name);
        ObjectNode strategy = spec.putObject("strategy");
        strategy.put("type", "RollingUpdate");
        strategy.putObject("rollingUpdate").put("maxSurge", "25%").put("maxUnavailable", 0);
        ObjectNode template = spec.putObject("template");
        template.putObject("metadata").putObject("labels").put("app", name);
        ObjectNode podSpec = template.putObject("spec");
        podSpec.put("terminationGracePeriodSeconds", GRACE_PERIOD_SECONDS);
        ObjectNode container = podSpec.putArray("containers").addObject();
        container.put("name", "app").put("image", "example/" + name + ":1");
        container.putArray("ports").addObject().put("name", "http").put("containerPort", 8080);
        return admin.apply(deployment);
    }

    /**
     * A ClusterIP Service selecting app=NAME, port 80 "http" to the pods' port "http".
     */
    public static ObjectNode service(KubeRest admin, String namespace, String name) {
        ObjectNode service = JSON.createObjectNode();
        service.put("apiVersion", "v1").put("kind", "Service");
        service.putObject("metadata").put("name", name).put("namespace", namespace);
        ObjectNode spec = service.putObject("spec");
        spec.putObject("selector").put("app", name);
        spec.putArray("ports")
            .addObject()
            .put("name", "http")
            .put("port", 80)
            .put("targetPort", "http")
            .put("protocol", "TCP");
        return admin.apply(service);
    }

    /**
     * A Deployment of {@code replicas} pods and the Service selecting them, both named
     * {@code name}.
     */
    public static void deployed(KubeRest admin, String namespace, String name, int replicas) {
        deployment(admin, namespace, name, replicas);
        service(admin, namespace, name);
    }

    public static void scale(KubeRest admin, String namespace, String deployment, int replicas) {
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("spec").put("replicas", replicas);
        admin.mergePatch("/apis/apps/v1/namespaces/" + namespace + "/deployments/" + deployment + "/scale", patch);
    }

    /** Every endpoint of every EndpointSlice of the service, as the API has them now. */
    public static List<JsonNode> endpoints(KubeRest admin, String namespace, String service) {
        List<JsonNode> endpoints = new ArrayList<>();
        ObjectNode slices = admin.get("/apis/discovery.k8s.io/v1/namespaces/" + namespace
                + "/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D" + service);
        for (JsonNode slice : slices.path("items")) {
            slice.path("endpoints").forEach(endpoints::add);
        }
        return endpoints;
    }

    /** The EndpointSlices of the service, as the API has them now. */
    public static List<JsonNode> slices(KubeRest admin, String namespace, String service) {
        List<JsonNode> slices = new ArrayList<>();
        admin
            .get("/apis/discovery.k8s.io/v1/namespaces/" + namespace
                    + "/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D" + service)
            .path("items")
            .forEach(slices::add);
        return slices;
    }

    public static List<String> podNames(KubeRest admin, String namespace, String app) {
        List<String> names = new ArrayList<>();
        admin.get("/api/v1/namespaces/" + namespace + "/pods?labelSelector=app%3D" + app)
            .path("items")
            .forEach(pod -> names.add(pod.path("metadata").path("name").asString()));
        return names;
    }

    /**
     * Asks the simulated kubelet to report the pod ready or not (its readiness probe, in
     * a real cluster).
     */
    public static void setReady(KubeRest admin, String namespace, String pod, boolean ready) {
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("metadata")
            .putObject("annotations")
            .put(SimulatedKubelet.READY_ANNOTATION, Boolean.toString(ready));
        admin.mergePatch("/api/v1/namespaces/" + namespace + "/pods/" + pod, patch);
    }

}
