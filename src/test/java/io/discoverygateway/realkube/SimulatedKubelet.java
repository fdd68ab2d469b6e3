package io.discoverygateway.realkube;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a node's kubelet and the scheduler do for the API, without a container runtime:
 * each node registers itself with a zone label and keeps its Lease renewed (so it stays
 * Ready); unscheduled pods are bound to the nodes in turn (as the scheduler,
 * {@code system:kube-scheduler}); each node reports its pods Running with an IP of its
 * pod range and Ready unless the pod is annotated
 * {@value #READY_ANNOTATION}{@code : "false"}, flips readiness when that annotation
 * changes, and removes a deleted pod (grace period 0, as the kubelet's last step) only
 * when its grace period has passed, so that it is terminating, and still serving while
 * Ready, in between.
 *
 * <p>
 * Every node acts with its own identity ({@code system:node:NAME} in
 * {@code system:nodes}), so the Node authorizer and the NodeRestriction admission plugin
 * of the API server judge it as they judge a kubelet.
 *
 * <p>
 * Threads: one list-watch thread per node and one for the scheduler own their handling;
 * one scheduled thread renews leases and performs the delayed final deletions. The pod IP
 * table is concurrent.
 */
public final class SimulatedKubelet implements AutoCloseable {

    /**
     * A pod annotated with this set to "false" is reported not ready (Ready and
     * ContainersReady False).
     */
    public static final String READY_ANNOTATION = "realkube.discovery-gateway.io/ready";

    private static final Logger log = LoggerFactory.getLogger(SimulatedKubelet.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX")
        .withZone(ZoneOffset.UTC);

    /**
     * A node: its name, its zone and the third octet of its pod range (10.244.N.0/24).
     */
    public record Node(String name, String zone, int index) {

        String token() {
            return "node-token-" + name;
        }
    }

    public static final List<Node> NODES = List.of(new Node("realkube-node-a", "zone-a", 1),
            new Node("realkube-node-b", "zone-b", 2), new Node("realkube-node-c", "zone-c", 3));

    private final KubeRest scheduler;

    private final Map<String, KubeRest> nodeClients = new ConcurrentHashMap<>();

    private final Map<String, String> podIps = new ConcurrentHashMap<>();

    private final Map<String, AtomicInteger> nextHost = new ConcurrentHashMap<>();

    private final Map<String, Boolean> finalDeletes = new ConcurrentHashMap<>();

    private final AtomicInteger nextNode = new AtomicInteger();

    private final List<ListWatch> watches = new ArrayList<>();

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "simulated-kubelet-timer");
        thread.setDaemon(true);
        return thread;
    });

    SimulatedKubelet(KubeRest anyClient, Path caCertificate, String schedulerToken) {
        this.scheduler = anyClient.as(schedulerToken, caCertificate);
        for (Node node : NODES) {
            nodeClients.put(node.name(), anyClient.as(node.token(), caCertificate));
            nextHost.put(node.name(), new AtomicInteger(1));
        }
    }

    /**
     * The static tokens of the identities it acts as, as lines of kube-apiserver's token
     * file.
     */
    static List<String> tokenFileLines(String schedulerToken) {
        List<String> lines = new ArrayList<>();
        lines.add(schedulerToken + ",system:kube-scheduler,uid-kube-scheduler");
        for (Node node : NODES) {
            lines.add(node.token() + ",system:node:" + node.name() + ",uid-" + node.name() + ",\"system:nodes\"");
        }
        return lines;
    }

    void start() {
        for (Node node : NODES) {
            KubeRest client = nodeClients.get(node.name());
            client.apply(nodeObject(node));
            client.mergePatch("/api/v1/nodes/" + node.name() + "/status", nodeStatus(node));
            renewLease(node);
            watches.add(ListWatch.start("simulated-kubelet-" + node.name(), client,
                    "/api/v1/pods?fieldSelector=spec.nodeName%3D" + node.name(),
                    (type, pod) -> handlePod(node, client, type, pod)));
        }
        watches.add(ListWatch.start("simulated-scheduler", scheduler, "/api/v1/pods?fieldSelector=spec.nodeName%3D",
                (type, pod) -> schedule(type, pod)));
        timer.scheduleWithFixedDelay(() -> NODES.forEach(this::renewLease), 10, 10, TimeUnit.SECONDS);
    }

    private void schedule(String type, ObjectNode pod) {
        if (type.equals("DELETED") || !pod.path("spec").path("nodeName").asString("").isEmpty()
                || pod.path("metadata").has("deletionTimestamp")) {
            return;
        }
        Node node = NODES.get(Math.floorMod(nextNode.getAndIncrement(), NODES.size()));
        ObjectNode binding = JSON.createObjectNode();
        binding.put("apiVersion", "v1").put("kind", "Binding");
        binding.putObject("metadata").put("name", name(pod)).put("namespace", namespace(pod));
        binding.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", node.name());
        try {
            scheduler.post("/api/v1/namespaces/" + namespace(pod) + "/pods/" + name(pod) + "/binding", binding);
        }
        catch (KubeRest.ApiException ex) {
            log.debug("binding {}/{} failed: {}", namespace(pod), name(pod), ex.getMessage());
        }
    }

    private void handlePod(Node node, KubeRest client, String type, ObjectNode pod) {
        String key = namespace(pod) + "/" + name(pod);
        if (type.equals("DELETED")) {
            podIps.remove(key);
            finalDeletes.remove(pod.path("metadata").path("uid").asString());
            return;
        }
        if (pod.path("metadata").has("deletionTimestamp")) {
            scheduleFinalDelete(client, pod);
            return;
        }
        boolean ready = !"false".equals(pod.path("metadata").path("annotations").path(READY_ANNOTATION).asString(""));
        String ip = podIps.computeIfAbsent(key,
                k -> "10.244." + node.index() + "." + nextHost.get(node.name()).getAndIncrement());
        JsonNode status = pod.path("status");
        boolean upToDate = "Running".equals(status.path("phase").asString())
                && ip.equals(status.path("podIP").asString())
                && condition(status, "Ready").equals(ready ? "True" : "False");
        if (upToDate) {
            return;
        }
        try {
            client.mergePatch("/api/v1/namespaces/" + namespace(pod) + "/pods/" + name(pod) + "/status",
                    runningStatus(node, pod, ip, ready));
        }
        catch (KubeRest.ApiException ex) {
            log.debug("status of {} not written: {}", key, ex.getMessage());
        }
    }

    /**
     * The kubelet's last step: after the grace period, delete with grace period 0 (once
     * per pod).
     */
    private void scheduleFinalDelete(KubeRest client, ObjectNode pod) {
        String uid = pod.path("metadata").path("uid").asString();
        if (finalDeletes.putIfAbsent(uid, Boolean.TRUE) != null) {
            return;
        }
        Instant deadline = Instant.parse(pod.path("metadata").path("deletionTimestamp").asString());
        long delay = Math.max(0, Instant.now().until(deadline, ChronoUnit.MILLIS));
        String path = "/api/v1/namespaces/" + namespace(pod) + "/pods/" + name(pod);
        timer.schedule(() -> {
            ObjectNode options = JSON.createObjectNode();
            options.put("apiVersion", "v1").put("kind", "DeleteOptions").put("gracePeriodSeconds", 0);
            options.putObject("preconditions").put("uid", uid);
            try {
                client.deleteWithOptions(path, options);
            }
            catch (RuntimeException ex) {
                log.debug("final delete of {} failed: {}", path, ex.getMessage());
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void renewLease(Node node) {
        KubeRest client = nodeClients.get(node.name());
        ObjectNode lease = JSON.createObjectNode();
        lease.put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
        lease.putObject("metadata").put("name", node.name()).put("namespace", "kube-node-lease");
        lease.putObject("spec")
            .put("holderIdentity", node.name())
            .put("leaseDurationSeconds", 40)
            .put("renewTime", microTime(Instant.now()));
        try {
            client.apply(lease);
        }
        catch (RuntimeException ex) {
            log.debug("lease of {} not renewed: {}", node.name(), ex.getMessage());
        }
    }

    private static ObjectNode nodeObject(Node node) {
        ObjectNode object = JSON.createObjectNode();
        object.put("apiVersion", "v1").put("kind", "Node");
        ObjectNode labels = object.putObject("metadata").put("name", node.name()).putObject("labels");
        labels.put("kubernetes.io/hostname", node.name());
        labels.put("kubernetes.io/os", "linux");
        labels.put("topology.kubernetes.io/zone", node.zone());
        labels.put("topology.kubernetes.io/region", "realkube");
        object.putObject("spec")
            .put("podCIDR", "10.244." + node.index() + ".0/24")
            .putArray("podCIDRs")
            .add("10.244." + node.index() + ".0/24");
        return object;
    }

    private static ObjectNode nodeStatus(Node node) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode status = patch.putObject("status");
        for (String field : List.of("capacity", "allocatable")) {
            status.putObject(field).put("cpu", "4").put("memory", "16Gi").put("pods", "110");
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        status.putArray("conditions")
            .addObject()
            .put("type", "Ready")
            .put("status", "True")
            .put("reason", "KubeletReady")
            .put("message", "simulated kubelet is posting ready status")
            .put("lastHeartbeatTime", now)
            .put("lastTransitionTime", now);
        status.putArray("addresses").addObject().put("type", "InternalIP").put("address", "10.10.0." + node.index());
        status.putObject("nodeInfo")
            .put("kubeletVersion", "v1.37.2-simulated")
            .put("operatingSystem", "linux")
            .put("architecture", "amd64")
            .put("containerRuntimeVersion", "simulated://0")
            .put("kernelVersion", "0")
            .put("osImage", "simulated")
            .put("machineID", node.name())
            .put("systemUUID", node.name())
            .put("bootID", node.name())
            .put("kubeProxyVersion", "");
        return patch;
    }

    private static ObjectNode runningStatus(Node node, ObjectNode pod, String ip, boolean ready) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode status = patch.putObject("status");
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String started = pod.path("status").path("startTime").asString(now);
        status.put("phase", "Running")
            .put("podIP", ip)
            .put("hostIP", "10.10.0." + node.index())
            .put("startTime", started);
        status.putArray("podIPs").addObject().put("ip", ip);
        status.putArray("hostIPs").addObject().put("ip", "10.10.0." + node.index());
        ArrayNode conditions = status.putArray("conditions");
        for (String type : List.of("PodReadyToStartContainers", "Initialized", "PodScheduled")) {
            conditions.addObject().put("type", type).put("status", "True").put("lastTransitionTime", started);
        }
        for (String type : List.of("ContainersReady", "Ready")) {
            conditions.addObject()
                .put("type", type)
                .put("status", ready ? "True" : "False")
                .put("lastTransitionTime", now);
        }
        ArrayNode containers = status.putArray("containerStatuses");
        for (JsonNode container : pod.path("spec").path("containers")) {
            ObjectNode containerStatus = containers.addObject();
            containerStatus.put("name", container.path("name").asString())
                .put("image", container.path("image").asString())
                .put("imageID", "simulated://" + container.path("image").asString())
                .put("containerID", "simulated://" + pod.path("metadata").path("uid").asString())
                .put("ready", ready)
                .put("started", true)
                .put("restartCount", 0);
            containerStatus.putObject("state").putObject("running").put("startedAt", started);
        }
        return patch;
    }

    private static String condition(JsonNode status, String type) {
        for (JsonNode condition : status.path("conditions")) {
            if (type.equals(condition.path("type").asString())) {
                return condition.path("status").asString();
            }
        }
        return "";
    }

    /** Kubernetes' MicroTime: always six digits of fraction. */
    private static String microTime(Instant instant) {
        return MICRO_TIME.format(instant);
    }

    private static String namespace(JsonNode object) {
        return object.path("metadata").path("namespace").asString();
    }

    private static String name(JsonNode object) {
        return object.path("metadata").path("name").asString();
    }

    @Override
    public void close() {
        watches.forEach(ListWatch::close);
        timer.shutdownNow();
    }

}
