package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static io.discoverygateway.kubeapi.ApiExchanges.notFound;
import static io.discoverygateway.kubeapi.ApiExchanges.readObject;
import static io.discoverygateway.kubeapi.ApiExchanges.sendJson;
import static io.discoverygateway.kubeapi.ApiExchanges.sendStatus;

/**
 * The embedded API's stored resources over HTTP: list (label and field selectors,
 * {@code limit}/{@code continue}), watch ({@link WatchStream}), get, create, update with
 * optimistic concurrency, patch ({@link Patches}) and delete, on the {@link ObjectStore}.
 *
 * <p>
 * Threads: the API's request threads (a watch holds its thread while it lasts); writes
 * that read first hold the store's monitor; the open watches' list is concurrent.
 */
final class ResourceEndpoints {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Set<String> PATCH_TYPES = Set.of("application/merge-patch+json",
            "application/strategic-merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml");

    private final ObjectStore store;

    private final List<WatchStream> openWatches;

    private final Supplier<Duration> bookmarkInterval;

    private final Supplier<Duration> maxWatchDuration;

    ResourceEndpoints(ObjectStore store, List<WatchStream> openWatches, Supplier<Duration> bookmarkInterval,
            Supplier<Duration> maxWatchDuration) {
        this.store = store;
        this.openWatches = openWatches;
        this.bookmarkInterval = bookmarkInterval;
        this.maxWatchDuration = maxWatchDuration;
    }

    void list(HttpExchange exchange, ResourcePath target, Map<String, String> query) throws IOException {
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

    void watch(HttpExchange exchange, ResourcePath target, Map<String, String> query) throws IOException {
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
        if (timeout.compareTo(maxWatchDuration.get()) > 0) {
            timeout = maxWatchDuration.get();
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Transfer-Encoding", "chunked");
        exchange.sendResponseHeaders(200, 0);
        WatchStream stream = new WatchStream(exchange.getResponseBody(), target, filter, bookmarks,
                bookmarkInterval.get(), timeout, store);
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

    void get(HttpExchange exchange, ResourcePath target) throws IOException {
        Optional<ObjectNode> object = store.get(target.resource(), target.namespace(), target.name());
        if (object.isPresent()) {
            sendJson(exchange, 200, object.get());
        }
        else {
            notFound(exchange, target);
        }
    }

    void create(HttpExchange exchange, ResourcePath target) throws IOException {
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

    void update(HttpExchange exchange, ResourcePath target) throws IOException {
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

    void patch(HttpExchange exchange, ResourcePath target) throws IOException {
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

    void delete(HttpExchange exchange, ResourcePath target) throws IOException {
        Optional<ObjectNode> removed = store.delete(target.resource(), target.namespace(), target.name());
        if (removed.isPresent()) {
            sendJson(exchange, 200, removed.get());
        }
        else {
            notFound(exchange, target);
        }
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

}
