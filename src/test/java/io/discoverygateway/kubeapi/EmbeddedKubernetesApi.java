package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

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

    private static final Set<String> PATCH_TYPES = Set.of("application/merge-patch+json",
            "application/strategic-merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml");

    private final ObjectStore store;

    private final Clock clock = Clock.systemUTC();

    private final ServiceAccountTokens tokens = new ServiceAccountTokens(clock);

    private final RbacAuthorizer authorizer;

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
                case "serviceaccounts" -> tokenRequest(exchange, target);
                case "tokenreviews" -> tokenReview(exchange);
                default -> subjectAccessReview(exchange);
            }
            return;
        }
        switch (verb) {
            case "list" -> list(exchange, target, query);
            case "watch" -> watch(exchange, target, query);
            case "get" -> get(exchange, target);
            case "create" -> create(exchange, target);
            case "update" -> update(exchange, target);
            case "patch" -> patch(exchange, target);
            case "delete" -> delete(exchange, target);
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

    // ---- ServiceAccount tokens, TokenReview, SubjectAccessReview
    // ---------------------------------------------

    /**
     * {@code POST .../serviceaccounts/{name}/token}: a TokenRequest, as
     * {@code kubectl create token} sends it.
     */
    private void tokenRequest(HttpExchange exchange, ResourcePath target) throws IOException {
        Optional<ObjectNode> body = exchange.getRequestHeaders().getFirst("Content-Type") != null
                && exchange.getRequestHeaders().getFirst("Content-Type").contains("protobuf")
                        ? readProtobufTokenRequest(exchange)
                        : readObject(exchange, "authentication.k8s.io/v1", "TokenRequest", "");
        if (body.isEmpty()) {
            return;
        }
        Optional<ObjectNode> account = store.get(ApiResource.SERVICE_ACCOUNTS, target.namespace(), target.name());
        if (account.isEmpty()) {
            notFound(exchange, target);
            return;
        }
        JsonNode spec = body.get().path("spec");
        long seconds = spec.path("expirationSeconds").asLong(3600);
        if (seconds < 600 || seconds > (1L << 32)) {
            sendStatus(exchange, 422, "Invalid",
                    "TokenRequest.authentication.k8s.io \"" + target.name()
                            + "\" is invalid: spec.expirationSeconds: Invalid value: " + seconds + ": "
                            + (seconds < 600 ? "may not specify a duration less than 10 minutes"
                                    : "may not specify a duration larger than 2^32 seconds"));
            return;
        }
        List<String> audiences = strings(spec.path("audiences"));
        Instant expiry = clock.instant().plusSeconds(seconds);
        String token = tokens.issue(target.namespace(), target.name(),
                account.get().path("metadata").path("uid").asString(), audiences, expiry);
        ObjectNode answer = body.get().deepCopy();
        ObjectNode metadata = answer.putObject("metadata");
        metadata.put("name", target.name());
        metadata.put("namespace", target.namespace());
        ObjectNode answerSpec = answer.putObject("spec");
        ArrayNode aud = answerSpec.putArray("audiences");
        (audiences.isEmpty() ? List.of(ServiceAccountTokens.API_AUDIENCE) : audiences).forEach(aud::add);
        answerSpec.put("expirationSeconds", seconds);
        answerSpec.putNull("boundObjectRef");
        answer.putObject("status").put("token", token).put("expirationTimestamp", expiry.toString());
        sendJson(exchange, 201, answer);
    }

    private static Optional<ObjectNode> readProtobufTokenRequest(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readAllBytes();
        }
        if (!ProtobufTokenRequest.isProtobuf(bytes)) {
            sendStatus(exchange, 400, "BadRequest", "the protobuf body does not start with the k8s envelope");
            return Optional.empty();
        }
        try {
            ObjectNode request = ProtobufTokenRequest.toJson(bytes);
            request.put("apiVersion", "authentication.k8s.io/v1");
            request.put("kind", "TokenRequest");
            return Optional.of(request);
        }
        catch (RuntimeException ex) {
            sendStatus(exchange, 400, "BadRequest", "unreadable protobuf TokenRequest: " + ex.getMessage());
            return Optional.empty();
        }
    }

    /**
     * {@code POST /apis/authentication.k8s.io/v1/tokenreviews}: is this a valid token,
     * and whose?
     */
    private void tokenReview(HttpExchange exchange) throws IOException {
        Optional<ObjectNode> body = readObject(exchange, "authentication.k8s.io/v1", "TokenReview", "");
        if (body.isEmpty()) {
            return;
        }
        JsonNode spec = body.get().path("spec");
        ServiceAccountTokens.Review review = tokens.review(spec.path("token").asString(""),
                strings(spec.path("audiences")),
                (namespace, name) -> store.get(ApiResource.SERVICE_ACCOUNTS, namespace, name)
                    .map(account -> account.path("metadata").path("uid").asString()));
        ObjectNode answer = body.get().deepCopy();
        answer.putObject("metadata").putNull("creationTimestamp");
        ObjectNode status = answer.putObject("status");
        if (review.authenticated()) {
            status.put("authenticated", true);
            ObjectNode user = status.putObject("user");
            user.put("username", review.username());
            user.put("uid", review.uid());
            ArrayNode groups = user.putArray("groups");
            review.groups().forEach(groups::add);
            ArrayNode audiences = status.putArray("audiences");
            review.audiences().forEach(audiences::add);
        }
        else {
            status.putObject("user");
            status.put("error", review.error());
        }
        sendJson(exchange, 201, answer);
    }

    /**
     * {@code POST /apis/authorization.k8s.io/v1/subjectaccessreviews}: may this user do
     * that, by RBAC?
     */
    private void subjectAccessReview(HttpExchange exchange) throws IOException {
        Optional<ObjectNode> body = readObject(exchange, "authorization.k8s.io/v1", "SubjectAccessReview", "");
        if (body.isEmpty()) {
            return;
        }
        JsonNode spec = body.get().path("spec");
        JsonNode attributes = spec.path("resourceAttributes");
        if (attributes.isMissingNode() || spec.path("user").asString("").isEmpty() && spec.path("groups").isEmpty()) {
            sendStatus(exchange, 422, "Invalid",
                    "SubjectAccessReview.authorization.k8s.io is invalid:" + (attributes.isMissingNode()
                            ? " spec.resourceAttributes: Required value"
                            : " spec.user: Invalid value: \"\": at least one of user or group must be specified"));
            return;
        }
        RbacAuthorizer.Decision decision = authorizer
            .authorize(new RbacAuthorizer.Request(spec.path("user").asString(""), strings(spec.path("groups")),
                    attributes.path("verb").asString(""), attributes.path("group").asString(""),
                    attributes.path("resource").asString(""), attributes.path("subresource").asString(""),
                    attributes.path("namespace").asString(""), attributes.path("name").asString("")));
        ObjectNode answer = body.get().deepCopy();
        answer.putObject("metadata").putNull("creationTimestamp");
        ObjectNode status = answer.putObject("status");
        status.put("allowed", decision.allowed());
        if (!decision.reason().isEmpty()) {
            status.put("reason", decision.reason());
        }
        sendJson(exchange, 201, answer);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asString()));
        return values;
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

    private void list(HttpExchange exchange, ResourcePath target, Map<String, String> query) throws IOException {
        Predicate<ObjectNode> filter;
        try {
            filter = selector(query);
        }
        catch (IllegalArgumentException ex) {
            sendStatus(exchange, 400, "BadRequest", ex.getMessage());
            return;
        }
        ObjectStore.Listing listing = store.list(target.resource(), target.namespace(), filter);
        List<ObjectNode> items = listing.items();
        String start = query.get("continue");
        if (start != null && !start.isEmpty()) {
            String after = new String(Base64.getUrlDecoder().decode(start), StandardCharsets.UTF_8);
            items = items.stream().filter(item -> itemKey(item).compareTo(after) > 0).toList();
        }
        ObjectNode list = JSON.createObjectNode();
        list.put("kind", target.resource().kind() + "List");
        list.put("apiVersion", target.resource().apiVersion());
        ObjectNode metadata = list.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(listing.resourceVersion()));
        int limit = query.containsKey("limit") ? Integer.parseInt(query.get("limit")) : 0;
        if (limit > 0 && items.size() > limit) {
            items = items.subList(0, limit);
            metadata.put("continue",
                    Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(itemKey(items.get(limit - 1)).getBytes(StandardCharsets.UTF_8)));
        }
        ArrayNode array = list.putArray("items");
        items.forEach(array::add);
        sendJson(exchange, 200, list);
    }

    private static String itemKey(JsonNode item) {
        return ObjectStore.namespaceOf(item) + "/" + item.path("metadata").path("name").asString();
    }

    private void watch(HttpExchange exchange, ResourcePath target, Map<String, String> query) throws IOException {
        Predicate<ObjectNode> filter;
        try {
            filter = selector(query);
        }
        catch (IllegalArgumentException ex) {
            sendStatus(exchange, 400, "BadRequest", ex.getMessage());
            return;
        }
        String version = query.getOrDefault("resourceVersion", "");
        boolean bookmarks = "true".equals(query.get("allowWatchBookmarks"));
        Duration timeout = query.containsKey("timeoutSeconds")
                ? Duration.ofSeconds(Long.parseLong(query.get("timeoutSeconds"))) : Duration.ofMinutes(30);
        if (timeout.compareTo(maxWatchDuration) > 0) {
            timeout = maxWatchDuration;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Transfer-Encoding", "chunked");
        exchange.sendResponseHeaders(200, 0);
        WatchStream stream = new WatchStream(exchange.getResponseBody(), target, filter, bookmarks, bookmarkInterval,
                timeout, store);
        openWatches.add(stream);
        try {
            if (version.isEmpty() || version.equals("0")) {
                store.subscribeWithInitialState(target.resource(), stream);
            }
            else if (!store.subscribe(Long.parseLong(version), stream)) {
                stream.expired(Long.parseLong(version));
                return;
            }
            stream.pump();
        }
        finally {
            store.unsubscribe(stream);
            openWatches.remove(stream);
        }
    }

    private void get(HttpExchange exchange, ResourcePath target) throws IOException {
        Optional<ObjectNode> object = store.get(target.resource(), target.namespace(), target.name());
        if (object.isPresent()) {
            sendJson(exchange, 200, object.get());
        }
        else {
            notFound(exchange, target);
        }
    }

    private void create(HttpExchange exchange, ResourcePath target) throws IOException {
        Optional<ObjectNode> body = readObject(exchange, target);
        if (body.isEmpty()) {
            return;
        }
        ObjectNode object = body.get();
        ObjectNode metadata = object.withObjectProperty("metadata");
        String name = metadata.path("name").asString("");
        if (name.isEmpty() && metadata.has("generateName")) {
            name = metadata.path("generateName").asString() + Long.toString(System.nanoTime() % 100000, 36);
            metadata.put("name", name);
        }
        if (name.isEmpty()) {
            sendStatus(exchange, 422, "Invalid", "metadata.name: Required value");
            return;
        }
        synchronized (store) {
            if (store.get(target.resource(), target.namespace(), name).isPresent()) {
                sendStatus(exchange, 409, "AlreadyExists",
                        target.resource().plural() + " \"" + name + "\" already exists");
                return;
            }
            sendJson(exchange, 201, store.create(target.resource(), target.namespace(), object));
        }
    }

    private void update(HttpExchange exchange, ResourcePath target) throws IOException {
        Optional<ObjectNode> body = readObject(exchange, target);
        if (body.isEmpty()) {
            return;
        }
        synchronized (store) {
            Optional<ObjectNode> previous = store.get(target.resource(), target.namespace(), target.name());
            if (previous.isEmpty()) {
                notFound(exchange, target);
                return;
            }
            String expected = body.get().path("metadata").path("resourceVersion").asString("");
            String actual = previous.get().path("metadata").path("resourceVersion").asString();
            if (!expected.isEmpty() && !expected.equals(actual)) {
                sendStatus(exchange, 409, "Conflict",
                        "Operation cannot be fulfilled on " + target.resource().plural() + " \"" + target.name()
                                + "\": the object has been modified; please apply your changes to the latest version");
                return;
            }
            sendJson(exchange, 200, store.update(target.resource(), target.namespace(), previous.get(), body.get()));
        }
    }

    private void patch(HttpExchange exchange, ResourcePath target) throws IOException {
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type"))
            .orElse("")
            .split(";")[0].strip();
        if (!PATCH_TYPES.contains(contentType)) {
            sendStatus(exchange, 415, "UnsupportedMediaType", "the body of the request was in an unknown format");
            return;
        }
        JsonNode patch;
        try (InputStream in = exchange.getRequestBody()) {
            patch = JSON.readTree(in);
        }
        catch (RuntimeException ex) {
            sendStatus(exchange, 400, "BadRequest", "invalid patch: " + ex.getMessage());
            return;
        }
        synchronized (store) {
            Optional<ObjectNode> previous = store.get(target.resource(), target.namespace(), target.name());
            if (previous.isEmpty()) {
                if (contentType.equals("application/apply-patch+yaml") && patch instanceof ObjectNode applied) {
                    sendJson(exchange, 201, store.create(target.resource(), target.namespace(), applied));
                }
                else {
                    notFound(exchange, target);
                }
                return;
            }
            ObjectNode patched;
            try {
                patched = Patches.apply(contentType, previous.get(), patch);
            }
            catch (IllegalArgumentException ex) {
                sendStatus(exchange, 422, "Invalid", ex.getMessage());
                return;
            }
            patched.withObjectProperty("metadata").put("name", target.name());
            sendJson(exchange, 200, store.update(target.resource(), target.namespace(), previous.get(), patched));
        }
    }

    private void delete(HttpExchange exchange, ResourcePath target) throws IOException {
        Optional<ObjectNode> removed = store.delete(target.resource(), target.namespace(), target.name());
        if (removed.isPresent()) {
            sendJson(exchange, 200, removed.get());
        }
        else {
            notFound(exchange, target);
        }
    }

    private Optional<ObjectNode> readObject(HttpExchange exchange, ResourcePath target) throws IOException {
        return readObject(exchange, target.resource().apiVersion(), target.resource().kind(), target.namespace());
    }

    private Optional<ObjectNode> readObject(HttpExchange exchange, String expectedApiVersion, String expectedKind,
            String expectedNamespace) throws IOException {
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        if (contentType.contains("protobuf")) {
            // As a server without protobuf support answers; client-go then sends the
            // request again as JSON.
            sendStatus(exchange, 415, "UnsupportedMediaType", "the body of the request was in an unknown format"
                    + " - accepted media types include: application/json, application/yaml");
            return Optional.empty();
        }
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = JSON.readTree(in);
        }
        catch (RuntimeException ex) {
            sendStatus(exchange, 400, "BadRequest", "invalid JSON: " + ex.getMessage());
            return Optional.empty();
        }
        if (!(body instanceof ObjectNode object)) {
            sendStatus(exchange, 400, "BadRequest", "the body must be a JSON object");
            return Optional.empty();
        }
        String apiVersion = object.path("apiVersion").asString("");
        String kind = object.path("kind").asString("");
        if (!apiVersion.equals(expectedApiVersion) || !kind.equals(expectedKind)) {
            sendStatus(exchange, 400, "BadRequest", "the API version in the data (" + apiVersion + ") and kind (" + kind
                    + ") do not match " + expectedApiVersion + " " + expectedKind);
            return Optional.empty();
        }
        String namespace = object.path("metadata").path("namespace").asString("");
        if (!namespace.isEmpty() && !namespace.equals(expectedNamespace)) {
            sendStatus(exchange, 400, "BadRequest",
                    "the namespace of the provided object does not match the namespace sent on the request");
            return Optional.empty();
        }
        return Optional.of(object);
    }

    private static Predicate<ObjectNode> selector(Map<String, String> query) {
        Predicate<Map<String, String>> labels = FixtureLabelSelector.parse(query.get("labelSelector"));
        Map<String, String> fields = new LinkedHashMap<>();
        String fieldSelector = query.getOrDefault("fieldSelector", "");
        for (String part : fieldSelector.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] pair = part.split("==?", 2);
            if (pair.length != 2 || !(pair[0].equals("metadata.name") || pair[0].equals("metadata.namespace"))) {
                throw new IllegalArgumentException("unsupported field selector: " + part);
            }
            fields.put(pair[0].substring("metadata.".length()), pair[1]);
        }
        return object -> {
            JsonNode metadata = object.path("metadata");
            Map<String, String> objectLabels = new LinkedHashMap<>();
            metadata.path("labels").properties().forEach(e -> objectLabels.put(e.getKey(), e.getValue().asString()));
            for (Map.Entry<String, String> field : fields.entrySet()) {
                if (!metadata.path(field.getKey()).asString("").equals(field.getValue())) {
                    return false;
                }
            }
            return labels.test(objectLabels);
        };
    }

    private void notFound(HttpExchange exchange, ResourcePath target) throws IOException {
        sendStatus(exchange, 404, "NotFound", target.resource().plural() + " \"" + target.name() + "\" not found");
    }

    static void sendStatus(HttpExchange exchange, int code, String reason, String message) throws IOException {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        sendJson(exchange, code, status);
    }

    private static void sendJson(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }

    /**
     * A path that names a resource: its collection (name empty), one object, or a
     * subresource of one.
     */
    record ResourcePath(ApiResource resource, String namespace, String name, String subresource) {

        static Optional<ResourcePath> parse(String path) {
            for (ApiResource resource : ApiResource.ALL) {
                String prefix = resource.groupVersionPath() + "/";
                if (!path.startsWith(prefix)) {
                    continue;
                }
                List<String> segments = new ArrayList<>(List.of(path.substring(prefix.length()).split("/")));
                segments.removeIf(String::isEmpty);
                String namespace = "";
                if (resource.namespaced() && segments.size() >= 2 && segments.get(0).equals("namespaces")) {
                    namespace = segments.get(1);
                    segments = segments.subList(2, segments.size());
                }
                if (segments.isEmpty() || !segments.get(0).equals(resource.plural()) || segments.size() > 3
                        || (segments.size() == 3 && !resource.subresources().contains(segments.get(2)))) {
                    continue;
                }
                return Optional.of(new ResourcePath(resource, namespace, segments.size() >= 2 ? segments.get(1) : "",
                        segments.size() == 3 ? segments.get(2) : ""));
            }
            return Optional.empty();
        }

        /**
         * The resource as RBAC names it: {@code serviceaccounts/token} for a subresource.
         */
        String rbacResource() {
            return subresource.isEmpty() ? resource.plural() : resource.plural() + "/" + subresource;
        }
    }

}
