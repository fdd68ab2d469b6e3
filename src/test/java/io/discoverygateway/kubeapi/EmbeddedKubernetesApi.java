package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static io.discoverygateway.kubeapi.ApiExchanges.query;
import static io.discoverygateway.kubeapi.ApiExchanges.sendJson;
import static io.discoverygateway.kubeapi.ApiExchanges.sendStatus;

/**
 * An in-process Kubernetes API server for tests and local runs, speaking HTTP/1.1 on
 * loopback as kube-apiserver does where the gateway and kubectl depend on it:
 * <ul>
 * <li>discovery documents ({@code /api}, {@code /apis}, resource lists,
 * {@code /version});</li>
 * <li>list with {@code labelSelector}, {@code fieldSelector} (metadata.name,
 * metadata.namespace), {@code limit} and {@code continue}; the list's
 * {@code resourceVersion};</li>
 * <li>get, create, update (with optimistic concurrency), patch (JSON merge patch,
 * strategic merge patch of the simple kind, JSON patch) and delete, each write raising
 * the global resourceVersion;</li>
 * <li>HTTP watch ({@code ?watch=true}, chunked JSON lines): from a resourceVersion it
 * replays exactly the later events from a bounded history, or sends an ERROR event with
 * status 410 when the history no longer reaches that far; BOOKMARK events with
 * {@code allowWatchBookmarks}; {@code timeoutSeconds};</li>
 * <li>ServiceAccounts and their {@code token} subresource (TokenRequest, so
 * {@code kubectl create token} works), TokenReview of the tokens it issued (signature,
 * expiry, audience, the ServiceAccount still there), and SubjectAccessReview decided by
 * {@link RbacAuthorizer} over the stored Roles, ClusterRoles and their bindings;</li>
 * <li>fault injection: drop open watches, refuse connections, answer errors, delay
 * answers, demand a token.</li>
 * </ul>
 * Every request is recorded in RBAC terms ({@link #requests()}).
 *
 * <p>
 * This class binds the server, routes requests, injects faults and offers the tests'
 * shortcuts; the work is done by its parts: {@link ResourceEndpoints} (list, watch and
 * writes over HTTP), {@link ObjectStore} and {@link WatchStream} (storage and watch),
 * {@link AuthEndpoints} with {@link ServiceAccountTokens} and {@link RbacAuthorizer}
 * (authentication and authorization), {@link ApiExchanges} (requests and answers the API
 * server's way) and {@link Discovery}.
 *
 * <p>
 * Limits, as client-go's {@code ObjectTracker} states its own: no admission, defaulting
 * or validation beyond {@code apiVersion}/{@code kind}/namespace checks; no finalizers or
 * graceful deletion; no controllers (a Service gets no EndpointSlice by itself); field
 * selectors on {@code metadata.name} and {@code metadata.namespace} only; label selectors
 * evaluated by {@link FixtureLabelSelector}, independent of the gateway's parser;
 * strategic merge patch only as a JSON merge patch; one global resourceVersion across all
 * kinds (as etcd); watch history bounded by count, not time; no protobuf (except the
 * TokenRequest kubectl sends), no table output, no server-side apply semantics; plain
 * HTTP on loopback, no TLS.
 *
 * <p>
 * Known differences from kube-apiserver, found by running the same contract tests on both
 * (see {@code docs/real-kubernetes.md}):
 * <ul>
 * <li>it accepts EndpointSlice addresses in 127.0.0.0/8, which kube-apiserver refuses
 * (the xDS tests rely on it to put real gRPC backends behind endpoints);</li>
 * <li>kubectl's {@code create serviceaccount}, {@code create role} and
 * {@code create rolebinding} fail (their bodies are protobuf), and so do
 * {@code create namespace}, {@code configmap} and {@code deployment} (no such
 * resources);</li>
 * <li>a deleted ServiceAccount's token is refused at once; kube-apiserver keeps accepting
 * it for up to 10 s (its cache of successful token authentications);</li>
 * <li>it never answers 403 while starting; a restarted kube-apiserver does, until its
 * RBAC caches have synced;</li>
 * <li>the ClusterRoles {@code view} and {@code edit} are stored aggregated, with their
 * rules that concern discovery ({@link BootstrapRoles});</li>
 * <li>like kube-apiserver, it gives an EndpointSlice's empty {@code endpoints} and
 * {@code ports} back as null.</li>
 * </ul>
 */
public final class EmbeddedKubernetesApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKubernetesApi.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ObjectStore store;

    private final Clock clock = Clock.systemUTC();

    private final ServiceAccountTokens tokens = new ServiceAccountTokens(clock);

    private final RbacAuthorizer authorizer;

    private final AuthEndpoints auth;

    private final ResourceEndpoints resources;

    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "embedded-kube-api");
        thread.setDaemon(true);
        return thread;
    });

    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

    private final List<WatchStream> openWatches = new CopyOnWriteArrayList<>();

    private final AtomicInteger failuresLeft = new AtomicInteger();

    private volatile int failureStatus;

    private volatile Duration retryAfter;

    private volatile Duration latency = Duration.ZERO;

    private volatile Duration bookmarkInterval = Duration.ofSeconds(60);

    private volatile Duration maxWatchDuration = Duration.ofDays(1);

    private volatile Supplier<String> requiredToken;

    private final int port;

    private HttpServer server;

    private EmbeddedKubernetesApi(int port, int historyLimit) throws IOException {
        this.store = new ObjectStore(historyLimit);
        this.authorizer = new RbacAuthorizer(store);
        this.auth = new AuthEndpoints(store, tokens, authorizer, clock);
        this.resources = new ResourceEndpoints(store, openWatches, () -> bookmarkInterval, () -> maxWatchDuration);
        BootstrapRoles.install(this);
        this.server = bind(port);
        this.port = server.getAddress().getPort();
    }

    /** Starts on a free loopback port with a history of 1,000 events. */
    public static EmbeddedKubernetesApi start() {
        return start(0, 1000);
    }

    public static EmbeddedKubernetesApi start(int port, int historyLimit) {
        try {
            return new EmbeddedKubernetesApi(port, historyLimit);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start the embedded Kubernetes API", ex);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    // ---- fault injection and observation
    // -------------------------------------------------------------------

    /** Every request received so far, oldest first. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    /**
     * Ends every open watch stream abruptly, as a restarting API server or a broken
     * connection would.
     */
    public void dropWatches() {
        for (WatchStream watch : openWatches) {
            watch.abort();
        }
    }

    public int openWatchCount() {
        return openWatches.size();
    }

    /**
     * Stops listening: new connections are refused and open ones are cut, until
     * {@link #acceptConnections()}.
     */
    public synchronized void refuseConnections() {
        if (server != null) {
            dropWatches();
            server.stop(0);
            server = null;
        }
    }

    /** Listens again on the same port. */
    public synchronized void acceptConnections() {
        if (server == null) {
            try {
                server = bind(port);
            }
            catch (IOException ex) {
                throw new IllegalStateException("Could not listen on port " + port + " again", ex);
            }
        }
    }

    /**
     * Answers the next {@code count} resource requests with {@code status} (and
     * Retry-After when given).
     */
    public void failNextRequests(int count, int status, Duration retryAfter) {
        this.failureStatus = status;
        this.retryAfter = retryAfter;
        this.failuresLeft.set(count);
    }

    /** Delays every answer by this much. */
    public void setLatency(Duration latency) {
        this.latency = latency;
    }

    public void setBookmarkInterval(Duration interval) {
        this.bookmarkInterval = interval;
    }

    /**
     * Ends every watch after this long at most, whatever its timeoutSeconds, as a
     * server-side timeout would.
     */
    public void setMaxWatchDuration(Duration duration) {
        this.maxWatchDuration = duration;
    }

    /**
     * Demands {@code Authorization: Bearer <token>} with the token the supplier gives at
     * the time of the request.
     */
    public void requireToken(Supplier<String> token) {
        this.requiredToken = token;
    }

    /**
     * Forgets the event history: watches from any earlier resourceVersion get 410 Gone.
     */
    public void compactHistory() {
        store.compact();
    }

    public long resourceVersion() {
        return store.resourceVersion();
    }

    // ---- identities and RBAC, for seeding and assertions
    // -----------------------------------------------------

    /**
     * A token for a ServiceAccount as TokenRequest issues it, with any lifetime: tests
     * need tokens that expire in seconds, which the API itself refuses (it demands at
     * least ten minutes).
     */
    public String issueToken(String namespace, String serviceAccount, List<String> audiences, Duration lifetime) {
        ObjectNode account = store.get(ApiResource.SERVICE_ACCOUNTS, namespace, serviceAccount)
            .orElseThrow(() -> new IllegalArgumentException("no ServiceAccount " + namespace + "/" + serviceAccount));
        return tokens.issue(namespace, serviceAccount, account.path("metadata").path("uid").asString(), audiences,
                clock.instant().plus(lifetime));
    }

    /**
     * Creates the ServiceAccount a consumer runs as, unless it exists; returns its name.
     */
    public String serviceAccount(String namespace, String name) {
        if (get(ApiResource.SERVICE_ACCOUNTS, namespace, name).isEmpty()) {
            create(ApiResource.SERVICE_ACCOUNTS, namespace, KubeObjects.serviceAccount(namespace, name));
        }
        return name;
    }

    /**
     * Lets a ServiceAccount list EndpointSlices in a namespace (what the gateway's
     * consumers need), as a consumer's Role {@code discovery-reader} and a RoleBinding
     * named after the account would.
     */
    public void grantListEndpointSlices(String namespace, String accountNamespace, String account) {
        replace(ApiResource.ROLES, namespace,
                KubeObjects.role(namespace, "discovery-reader", List.of(KubeObjects.Rule.listEndpointSlices())));
        replace(ApiResource.ROLE_BINDINGS, namespace,
                KubeObjects.binding(namespace, account, "Role", "discovery-reader", accountNamespace, account));
    }

    /**
     * The authorizer that answers SubjectAccessReviews, over the RBAC objects stored
     * here.
     */
    public RbacAuthorizer authorizer() {
        return authorizer;
    }

    // ---- direct access to the objects, for seeding and assertions (same effects as
    // through HTTP) ---------

    public ObjectNode create(ApiResource resource, String namespace, String json) {
        ObjectNode object = (ObjectNode) JSON.readTree(json);
        return store.create(resource, namespace, object);
    }

    public ObjectNode replace(ApiResource resource, String namespace, String json) {
        ObjectNode object = (ObjectNode) JSON.readTree(json);
        String name = object.path("metadata").path("name").asString();
        Optional<ObjectNode> previous = store.get(resource, namespace, name);
        return previous.isPresent() ? store.update(resource, namespace, previous.get(), object)
                : store.create(resource, namespace, object);
    }

    public boolean delete(ApiResource resource, String namespace, String name) {
        return store.delete(resource, namespace, name).isPresent();
    }

    /** Every object of a kind in a namespace (all namespaces when empty). */
    public List<ObjectNode> list(ApiResource resource, String namespace) {
        return store.list(resource, namespace, object -> true).items();
    }

    public Optional<ObjectNode> get(ApiResource resource, String namespace, String name) {
        return store.get(resource, namespace, name);
    }

    @Override
    public synchronized void close() {
        dropWatches();
        if (server != null) {
            server.stop(0);
            server = null;
        }
        executor.shutdownNow();
    }

    // ---- HTTP
    // -----------------------------------------------------------------------------------------------

    private HttpServer bind(int port) throws IOException {
        HttpServer httpServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        httpServer.setExecutor(executor);
        httpServer.createContext("/", this::handle);
        httpServer.start();
        return httpServer;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!latency.isZero()) {
                Thread.sleep(latency.toMillis());
            }
            route(exchange);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (RuntimeException ex) {
            log.warn("Embedded Kubernetes API failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                    ex);
            sendStatus(exchange, 500, "InternalError", ex.toString());
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Map<String, String> query = query(exchange.getRequestURI());
        if (!authorized(exchange)) {
            requests.add(new RecordedRequest(exchange.getRequestMethod().toLowerCase(), "", path, ""));
            sendStatus(exchange, 401, "Unauthorized", "Unauthorized");
            return;
        }
        Optional<ResourcePath> resourcePath = ResourcePath.parse(path);
        if (resourcePath.isEmpty()) {
            requests.add(new RecordedRequest(exchange.getRequestMethod().toLowerCase(), "", path, ""));
            Optional<JsonNode> document = Discovery.document(path);
            if (document.isPresent()) {
                sendJson(exchange, 200, document.get());
            }
            else {
                sendStatus(exchange, 404, "NotFound", "the server could not find the requested resource");
            }
            return;
        }
        ResourcePath target = resourcePath.get();
        String verb = verb(exchange.getRequestMethod(), target, query);
        requests.add(new RecordedRequest(verb, target.resource().group(), target.rbacResource(), target.namespace()));
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            if (retryAfter != null) {
                exchange.getResponseHeaders().add("Retry-After", Long.toString(retryAfter.toSeconds()));
            }
            sendStatus(exchange, failureStatus, failureStatus == 429 ? "TooManyRequests" : "InternalError",
                    "injected failure");
            return;
        }
        if (!target.subresource().isEmpty() || !target.resource().stored()) {
            if (!verb.equals("create")) {
                sendStatus(exchange, 405, "MethodNotAllowed",
                        "the server does not allow this method on the" + " requested resource");
                return;
            }
            switch (target.resource().plural()) {
                case "serviceaccounts" -> auth.tokenRequest(exchange, target);
                case "tokenreviews" -> auth.tokenReview(exchange);
                default -> auth.subjectAccessReview(exchange);
            }
            return;
        }
        switch (verb) {
            case "list" -> resources.list(exchange, target, query);
            case "watch" -> resources.watch(exchange, target, query);
            case "get" -> resources.get(exchange, target);
            case "create" -> resources.create(exchange, target);
            case "update" -> resources.update(exchange, target);
            case "patch" -> resources.patch(exchange, target);
            case "delete" -> resources.delete(exchange, target);
            default -> sendStatus(exchange, 405, "MethodNotAllowed", "method not allowed: " + verb);
        }
    }

    private boolean authorized(HttpExchange exchange) {
        Supplier<String> token = requiredToken;
        if (token == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        return header != null && header.equals("Bearer " + token.get());
    }

    private static String verb(String method, ResourcePath target, Map<String, String> query) {
        boolean watch = "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
        return switch (method) {
            case "GET" -> target.name().isEmpty() ? (watch ? "watch" : "list") : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> method.toLowerCase();
        };
    }

}
