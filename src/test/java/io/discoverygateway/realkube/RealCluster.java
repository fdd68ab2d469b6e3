package io.discoverygateway.realkube;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.awaitility.Awaitility.await;

/**
 * A real Kubernetes control plane on loopback, for tests and benchmarks: etcd,
 * kube-apiserver and kube-controller-manager built from their Go modules
 * ({@link RealKubeBinaries}), configured as a real cluster is, and a
 * {@link SimulatedKubelet} in place of nodes.
 * <ul>
 * <li>kube-apiserver serves TLS with a certificate of a generated CA; authorization is
 * Node,RBAC; admission is on (the default plugins and NodeRestriction); ServiceAccount
 * tokens are issued and verified with a signing key, an issuer and audiences, so
 * TokenRequest, TokenReview and SubjectAccessReview are the real ones. The administrator,
 * the controller manager, the scheduler and the nodes authenticate with static
 * tokens.</li>
 * <li>kube-controller-manager runs the controllers the gateway's world is made of:
 * EndpointSlices (and their mirroring), Deployments and ReplicaSets, namespaces,
 * ServiceAccounts, the garbage collector, pod garbage collection and the aggregation of
 * ClusterRoles such as {@code view} and {@code edit}; each with its own ServiceAccount
 * credentials, as clusters run it.</li>
 * </ul>
 * Its files and the components' logs are kept under {@code target/realkube/}. One shared
 * cluster serves a test run ({@link #shared()}); tests that restart or reconfigure it
 * start their own.
 */
public final class RealCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RealCluster.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private static final List<String> CONTROLLERS = List.of("endpointslice-controller",
            "endpointslice-mirroring-controller", "deployment-controller", "replicaset-controller",
            "namespace-controller", "serviceaccount-controller", "garbage-collector-controller",
            "pod-garbage-collector-controller", "clusterrole-aggregation-controller",
            "root-ca-certificate-publisher-controller", "serviceaccount-token-controller");

    private static volatile RealCluster shared;

    private static volatile RuntimeException sharedFailure;

    /**
     * @param name the folder under target/realkube
     * @param watchCache kube-apiserver's watch cache (--watch-cache)
     * @param compactionInterval how often kube-apiserver compacts etcd's history
     * (--etcd-compaction-interval)
     */
    public record Options(String name, boolean watchCache, Duration compactionInterval) {

        public static Options defaults() {
            return new Options("shared", true, Duration.ofMinutes(5));
        }
    }

    private final Options options;

    private final Path folder;

    private final Pki pki;

    private final String adminToken = "admin-" + UUID.randomUUID();

    private final int etcdPort = freePort();

    private final int apiPort = freePort();

    private final KubeRest admin;

    private final Path kubeconfig;

    private final List<Process> processes = new ArrayList<>();

    private Process apiServer;

    private SimulatedKubelet kubelet;

    private RealCluster(Options options) {
        this.options = options;
        this.folder = Path.of("target", "realkube", options.name() + "-" + ProcessHandle.current().pid())
            .toAbsolutePath();
        this.pki = Pki.create(folder.resolve("pki"));
        this.admin = new KubeRest(url(), pki.caCertificate(), adminToken);
        this.kubeconfig = folder.resolve("admin.kubeconfig");
    }

    /**
     * Whether the binaries can be had here; in CI they must (see
     * {@link RealKubeBinaries}).
     */
    public static boolean available() {
        return RealKubeBinaries.folder().isPresent();
    }

    /**
     * The cluster shared by the tests of this JVM, started at first use and stopped when
     * the JVM ends.
     */
    public static RealCluster shared() {
        RealCluster cluster = shared;
        if (cluster == null) {
            synchronized (RealCluster.class) {
                if (sharedFailure != null) {
                    throw new IllegalStateException("The shared real cluster failed to start earlier", sharedFailure);
                }
                cluster = shared;
                if (cluster == null) {
                    try {
                        cluster = start(Options.defaults());
                    }
                    catch (RuntimeException ex) {
                        sharedFailure = ex;
                        throw ex;
                    }
                    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "realkube-stop"));
                    shared = cluster;
                }
            }
        }
        return cluster;
    }

    public static RealCluster start(Options options) {
        RealCluster cluster = new RealCluster(options);
        try {
            cluster.startComponents();
            return cluster;
        }
        catch (RuntimeException ex) {
            cluster.close();
            throw new IllegalStateException("The real cluster did not start; its logs are in " + cluster.logs(), ex);
        }
    }

    public URI url() {
        return URI.create("https://127.0.0.1:" + apiPort);
    }

    public Path caCertificate() {
        return pki.caCertificate();
    }

    /** A client with the rights of {@code system:masters}. */
    public KubeRest admin() {
        return admin;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public Path logs() {
        return folder.resolve("logs");
    }

    /**
     * The API server's audit log: one JSON event per line for every request of a
     * ServiceAccount.
     */
    public Path auditLog() {
        return logs().resolve("audit.log");
    }

    /**
     * A request a user made, as the audit log has it: the RBAC attributes and the
     * answer's status code.
     */
    public record AuditedRequest(String verb, String group, String resource, String namespace, int status) {
    }

    /**
     * Every request {@code user} has made so far (its watches as they started), oldest
     * first.
     */
    public List<AuditedRequest> requestsOf(String user) {
        List<AuditedRequest> requests = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(auditLog())) {
                tools.jackson.databind.JsonNode event = JSON.readTree(line);
                if (!user.equals(event.path("user").path("username").asString())) {
                    continue;
                }
                tools.jackson.databind.JsonNode object = event.path("objectRef");
                String stage = event.path("stage").asString();
                boolean watch = event.path("verb").asString().equals("watch");
                int status = event.path("responseStatus").path("code").asInt();
                boolean complete = stage.equals("ResponseComplete");
                // A watch is counted when it starts, or when it is refused (then it never
                // starts).
                if (watch ? stage.equals("ResponseStarted") || (complete && status >= 400) : complete) {
                    requests.add(new AuditedRequest(event.path("verb").asString(), object.path("apiGroup").asString(""),
                            object.path("resource").asString(""), object.path("namespace").asString(""), status));
                }
            }
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        return requests;
    }

    /** Runs the built kubectl as the administrator. */
    public Commands.Result kubectl(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(RealKubeBinaries.binary("kubectl").toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(arguments));
        return Kubectl.run(command, folder.resolve("kubectl-home"));
    }

    /**
     * Creates a namespace named after the prefix and a number, once its default
     * ServiceAccount exists.
     */
    public String createNamespace(String prefix) {
        return createNamespaceNamed(prefix + "-" + NAMESPACES.incrementAndGet());
    }

    /**
     * Creates a namespace of exactly this name, once its default ServiceAccount exists.
     */
    public String createNamespaceNamed(String name) {
        ObjectNode namespace = JSON.createObjectNode();
        namespace.put("apiVersion", "v1").put("kind", "Namespace").putObject("metadata").put("name", name);
        admin.post("/api/v1/namespaces", namespace);
        // Pods are refused until the serviceaccount controller has made "default" (the
        // ServiceAccount admission).
        await().atMost(Duration.ofSeconds(30))
            .until(() -> admin.find("/api/v1/namespaces/" + name + "/serviceaccounts/default").isPresent());
        return name;
    }

    /**
     * A token of a ServiceAccount from the TokenRequest API, for these audiences (the API
     * server's own when empty), valid for the given time (at least 10 minutes, the API's
     * minimum).
     */
    public String token(String namespace, String serviceAccount, List<String> audiences, Duration lifetime) {
        return token(namespace, serviceAccount, audiences, lifetime, null);
    }

    /**
     * A token bound to a Secret of the account's namespace (given by name): it stops
     * being valid when that Secret is deleted, as a pod's projected token does when its
     * pod goes.
     */
    public String token(String namespace, String serviceAccount, List<String> audiences, Duration lifetime,
            String boundSecret) {
        ObjectNode request = JSON.createObjectNode();
        request.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
        ObjectNode spec = request.putObject("spec");
        audiences.forEach(spec.putArray("audiences")::add);
        spec.put("expirationSeconds", lifetime.toSeconds());
        if (boundSecret != null) {
            ObjectNode secret = admin.get("/api/v1/namespaces/" + namespace + "/secrets/" + boundSecret);
            spec.putObject("boundObjectRef")
                .put("apiVersion", "v1")
                .put("kind", "Secret")
                .put("name", boundSecret)
                .put("uid", secret.path("metadata").path("uid").asString());
        }
        ObjectNode answer = admin
            .post("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + serviceAccount + "/token", request);
        return answer.path("status").path("token").asString();
    }

    /**
     * Stops kube-apiserver (SIGTERM) and starts it again on the same port, with the same
     * etcd.
     */
    public void restartApiServer() {
        stop(apiServer);
        processes.remove(apiServer);
        apiServer = launch("kube-apiserver", apiServerArguments());
        awaitApiServerReady();
    }

    private void startComponents() {
        try {
            Files.createDirectories(logs());
            Files.write(folder.resolve("tokens.csv"), tokenFile(), StandardCharsets.UTF_8);
            writeKubeconfig(kubeconfig, adminToken);
            // Every request of a ServiceAccount, so that tests can see what the gateway
            // asked and was answered.
            Files.writeString(folder.resolve("audit-policy.yaml"), """
                    apiVersion: audit.k8s.io/v1
                    kind: Policy
                    omitStages: ["RequestReceived"]
                    rules:
                      - level: Metadata
                        userGroups: ["system:serviceaccounts"]
                      - level: None
                    """);
            writeKubeconfig(folder.resolve("controller-manager.kubeconfig"), controllerManagerToken());
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        long started = System.nanoTime();
        launch("etcd",
                List.of("--name=realkube", "--data-dir=" + folder.resolve("etcd"),
                        "--listen-client-urls=http://127.0.0.1:" + etcdPort,
                        "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
                        "--listen-peer-urls=http://127.0.0.1:" + freePort(), "--log-level=warn",
                        "--unsafe-no-fsync=true", "--quota-backend-bytes=4294967296"));
        apiServer = launch("kube-apiserver", apiServerArguments());
        awaitApiServerReady();
        launch("kube-controller-manager",
                List.of("--kubeconfig=" + folder.resolve("controller-manager.kubeconfig"),
                        "--controllers=" + String.join(",", CONTROLLERS), "--use-service-account-credentials=true",
                        "--service-account-private-key-file=" + pki.serviceAccountKey(),
                        "--root-ca-file=" + pki.caCertificate(), "--leader-elect=false", "--secure-port=0",
                        "--concurrent-service-endpoint-syncs=5", "--v=1"));
        kubelet = new SimulatedKubelet(admin, pki.caCertificate(), schedulerToken());
        kubelet.start();
        // The controllers are up once they have made the ServiceAccounts of a namespace.
        await().atMost(Duration.ofSeconds(60))
            .until(() -> admin.find("/api/v1/namespaces/default/serviceaccounts/default").isPresent());
        log.info("Real cluster '{}' ready at {} in {} ms (logs: {})", options.name(), url(),
                (System.nanoTime() - started) / 1_000_000, logs());
    }

    private List<String> apiServerArguments() {
        String issuer = "https://kubernetes.default.svc.cluster.local";
        return List.of("--etcd-servers=http://127.0.0.1:" + etcdPort, "--bind-address=127.0.0.1",
                "--secure-port=" + apiPort, "--advertise-address=127.0.0.1",
                "--tls-cert-file=" + pki.servingCertificate(), "--tls-private-key-file=" + pki.servingKey(),
                "--client-ca-file=" + pki.caCertificate(), "--token-auth-file=" + folder.resolve("tokens.csv"),
                "--authorization-mode=Node,RBAC", "--enable-admission-plugins=NodeRestriction",
                "--service-account-issuer=" + issuer, "--api-audiences=" + issuer,
                "--service-account-key-file=" + pki.serviceAccountPublicKey(),
                "--service-account-signing-key-file=" + pki.serviceAccountKey(),
                "--service-cluster-ip-range=10.96.0.0/16", "--endpoint-reconciler-type=none",
                "--watch-cache=" + options.watchCache(),
                "--etcd-compaction-interval=" + options.compactionInterval().toSeconds() + "s",
                "--cert-dir=" + folder.resolve("apiserver-certs"), "--profiling=false", "--v=1",
                "--audit-policy-file=" + folder.resolve("audit-policy.yaml"), "--audit-log-path=" + auditLog(),
                "--audit-log-maxsize=0", "--audit-log-mode=blocking");
    }

    private void awaitApiServerReady() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            if (!apiServer.isAlive()) {
                throw new IllegalStateException("kube-apiserver exited: " + apiServer.exitValue());
            }
            return admin.text("/readyz").strip().equals("ok");
        });
    }

    private List<String> tokenFile() {
        List<String> lines = new ArrayList<>();
        lines.add(adminToken + ",realkube-admin,uid-admin,\"system:masters\"");
        lines.add(controllerManagerToken() + ",system:kube-controller-manager,uid-kube-controller-manager");
        lines.addAll(SimulatedKubelet.tokenFileLines(schedulerToken()));
        return lines;
    }

    private String controllerManagerToken() {
        return "kcm-" + adminToken;
    }

    private String schedulerToken() {
        return "scheduler-" + adminToken;
    }

    private void writeKubeconfig(Path file, String token) throws IOException {
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: realkube
                    cluster:
                      server: %s
                      certificate-authority: %s
                users:
                  - name: user
                    user:
                      token: %s
                contexts:
                  - name: realkube
                    context:
                      cluster: realkube
                      user: user
                current-context: realkube
                """.formatted(url(), pki.caCertificate(), token));
    }

    private Process launch(String binary, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(RealKubeBinaries.binary(binary).toString());
        command.addAll(arguments);
        try {
            Path logFile = logs().resolve(binary + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(java.lang.ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
            processes.add(process);
            return process;
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start " + command, ex);
        }
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            // kube-apiserver stops listening at once on SIGTERM but may take 20 s more to
            // exit; tests need not wait.
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Stops the components, newest first; their logs stay. */
    @Override
    public synchronized void close() {
        if (kubelet != null) {
            kubelet.close();
        }
        List<Process> running = new ArrayList<>(processes);
        java.util.Collections.reverse(running);
        running.forEach(RealCluster::stop);
        processes.clear();
    }

}
