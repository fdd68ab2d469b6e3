package io.discoverygateway.kubeapi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The objects of the embedded API, with a global resourceVersion counter that grows on
 * every write (as etcd's revision does) and a bounded history of watch events, from which
 * watches resume. Thread-safe: every write and every read of the history happens under
 * the store's lock, so a watch that lists history and then subscribes misses nothing.
 */
final class ObjectStore {

    private final Map<ApiResource, TreeMap<String, ObjectNode>> objects = new HashMap<>();

    private final Deque<WatchEvent> history = new ArrayDeque<>();

    private final List<Consumer<WatchEvent>> subscribers = new CopyOnWriteArrayList<>();

    private final int historyLimit;

    private long resourceVersion = 1;

    /**
     * Events with a resourceVersion at or below this one are no longer in the history.
     */
    private long compactedThrough = 1;

    ObjectStore(int historyLimit) {
        this.historyLimit = historyLimit;
    }

    /**
     * A change; {@code previous} is the object before a MODIFIED event (null otherwise).
     */
    record WatchEvent(String type, ApiResource resource, ObjectNode object, ObjectNode previous, long resourceVersion) {

        String namespace() {
            return object.path("metadata").path("namespace").asString("");
        }
    }

    /**
     * The result of a list: the matching objects and the resourceVersion they are current
     * at.
     */
    record Listing(List<ObjectNode> items, long resourceVersion) {
    }

    synchronized Listing list(ApiResource resource, String namespace, Predicate<ObjectNode> filter) {
        List<ObjectNode> items = new ArrayList<>();
        for (ObjectNode object : objects.getOrDefault(resource, new TreeMap<>()).values()) {
            if ((namespace.isEmpty() || namespace.equals(namespaceOf(object))) && filter.test(object)) {
                items.add(object.deepCopy());
            }
        }
        return new Listing(items, resourceVersion);
    }

    synchronized Optional<ObjectNode> get(ApiResource resource, String namespace, String name) {
        return Optional.ofNullable(objects.getOrDefault(resource, new TreeMap<>()).get(key(namespace, name)))
            .map(ObjectNode::deepCopy);
    }

    synchronized long resourceVersion() {
        return resourceVersion;
    }

    /** Stores a new object; the caller has checked that it does not exist. */
    synchronized ObjectNode create(ApiResource resource, String namespace, ObjectNode object) {
        ObjectNode metadata = object.withObject("metadata");
        putNamespace(metadata, namespace);
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        metadata.put("generation", 1);
        return write("ADDED", resource, namespace, asStored(resource, object), null);
    }

    /** Replaces an existing object, keeping its identity fields. */
    synchronized ObjectNode update(ApiResource resource, String namespace, ObjectNode previous, ObjectNode object) {
        ObjectNode metadata = object.withObject("metadata");
        JsonNode oldMetadata = previous.path("metadata");
        putNamespace(metadata, namespace);
        metadata.set("uid", oldMetadata.path("uid"));
        metadata.set("creationTimestamp", oldMetadata.path("creationTimestamp"));
        metadata.put("generation", oldMetadata.path("generation").asLong(1) + 1);
        return write("MODIFIED", resource, namespace, asStored(resource, object), previous);
    }

    /**
     * What kube-apiserver gives back: it stores objects as protobuf, where an empty list
     * and no list are the same, and EndpointSlice's {@code endpoints} and {@code ports}
     * have no omitempty, so an empty one reads back as null (found by running the
     * stream's model-based test on a real API server).
     */
    private static ObjectNode asStored(ApiResource resource, ObjectNode object) {
        if (resource.equals(ApiResource.ENDPOINT_SLICES)) {
            for (String field : java.util.List.of("endpoints", "ports")) {
                if (object.path(field).isArray() && object.path(field).isEmpty()) {
                    object.putNull(field);
                }
            }
        }
        return object;
    }

    synchronized Optional<ObjectNode> delete(ApiResource resource, String namespace, String name) {
        ObjectNode removed = objects.getOrDefault(resource, new TreeMap<>()).remove(key(namespace, name));
        if (removed == null) {
            return Optional.empty();
        }
        long version = ++resourceVersion;
        removed.withObject("metadata").put("resourceVersion", Long.toString(version));
        record(new WatchEvent("DELETED", resource, removed.deepCopy(), null, version));
        return Optional.of(removed.deepCopy());
    }

    private ObjectNode write(String type, ApiResource resource, String namespace, ObjectNode object,
            ObjectNode previous) {
        long version = ++resourceVersion;
        object.put("apiVersion", resource.apiVersion());
        object.put("kind", resource.kind());
        object.withObject("metadata").put("resourceVersion", Long.toString(version));
        String name = object.path("metadata").path("name").asString();
        objects.computeIfAbsent(resource, r -> new TreeMap<>()).put(key(namespace, name), object.deepCopy());
        record(new WatchEvent(type, resource, object.deepCopy(), previous, version));
        return object.deepCopy();
    }

    private void record(WatchEvent event) {
        history.addLast(event);
        while (history.size() > historyLimit) {
            compactedThrough = history.removeFirst().resourceVersion();
        }
        for (Consumer<WatchEvent> subscriber : subscribers) {
            subscriber.accept(event);
        }
    }

    /**
     * Subscribes to events after {@code fromVersion}: replays those from history, then
     * delivers live ones, with no gap and no duplicate between the two.
     * @return false when the history no longer reaches back to {@code fromVersion} (the
     * watch has expired)
     */
    synchronized boolean subscribe(long fromVersion, Consumer<WatchEvent> subscriber) {
        if (fromVersion < compactedThrough) {
            return false;
        }
        for (WatchEvent event : history) {
            if (event.resourceVersion() > fromVersion) {
                subscriber.accept(event);
            }
        }
        subscribers.add(subscriber);
        return true;
    }

    /**
     * Delivers ADDED for every current object, then live events: a watch without a
     * resourceVersion.
     */
    synchronized void subscribeWithInitialState(ApiResource resource, Consumer<WatchEvent> subscriber) {
        for (ObjectNode object : objects.getOrDefault(resource, new TreeMap<>()).values()) {
            subscriber.accept(new WatchEvent("ADDED", resource, object.deepCopy(), null,
                    object.path("metadata").path("resourceVersion").asLong()));
        }
        subscribers.add(subscriber);
    }

    void unsubscribe(Consumer<WatchEvent> subscriber) {
        subscribers.remove(subscriber);
    }

    /**
     * Forgets all history up to now: any watch from an older resourceVersion gets 410
     * Gone.
     */
    synchronized void compact() {
        history.clear();
        compactedThrough = resourceVersion;
    }

    /**
     * Cluster-scoped objects (stored under the empty namespace) have no namespace field.
     */
    private static void putNamespace(ObjectNode metadata, String namespace) {
        if (namespace.isEmpty()) {
            metadata.remove("namespace");
        }
        else {
            metadata.put("namespace", namespace);
        }
    }

    static String namespaceOf(JsonNode object) {
        return object.path("metadata").path("namespace").asString("");
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

}
