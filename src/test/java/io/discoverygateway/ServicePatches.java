package io.discoverygateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.discoverygateway.protocol.EndpointKey;
import io.discoverygateway.protocol.EventType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stream's {@code PATCHED} events applied the way their documentation tells a
 * consumer to, written from that documentation (not from the gateway's code): the held
 * service must be at the base revision; endpoints are known by their first address and
 * their ports' names and numbers; a listed endpoint replaces the one with its key or is
 * added, a removed one goes.
 */
public final class ServicePatches {

    private ServicePatches() {
    }

    /**
     * The service after the patch, or empty when {@code held} is not at the patch's base
     * revision.
     */
    public static Optional<JsonNode> apply(JsonNode held, JsonNode patch) {
        if (held == null || held.path("revision").asLong() != patch.path("baseRevision").asLong()) {
            return Optional.empty();
        }
        Map<String, JsonNode> endpoints = new LinkedHashMap<>();
        held.path("endpoints").forEach(endpoint -> endpoints.put(endpointKey(endpoint), endpoint));
        patch.path("removed").forEach(endpoint -> endpoints.remove(endpointKey(endpoint)));
        patch.path("endpoints").forEach(endpoint -> endpoints.put(endpointKey(endpoint), endpoint));
        ObjectNode patched = ((ObjectNode) held).deepCopy();
        patched.put("revision", patch.path("revision").asLong());
        patched.putArray("endpoints").addAll(endpoints.values());
        return Optional.of(patched);
    }

    /**
     * The services a client holds after these events, by {@code namespace/name}; fails on
     * a patch that does not apply to what it holds.
     */
    public static Map<String, JsonNode> view(List<SseClient.Event> events) {
        Map<String, JsonNode> view = new TreeMap<>();
        for (SseClient.Event event : events) {
            if (event.type() == null || event.data() == null) {
                continue;
            }
            EventType type = EventType.parse(event.type()).orElse(null);
            if (type == EventType.RESET) {
                view.clear();
                continue;
            }
            if (type != EventType.ADDED && type != EventType.MODIFIED && type != EventType.DELETED
                    && type != EventType.PATCHED) {
                continue;
            }
            JsonNode data = GatewayClient.parse(event.data());
            String key = data.path("namespace").asString() + "/" + data.path("name").asString();
            switch (type) {
                case DELETED -> view.remove(key);
                case PATCHED -> view.put(key,
                        apply(view.get(key), data).orElseThrow(() -> new AssertionError(
                                "PATCHED " + key + " from " + data.path("baseRevision") + " but the client holds "
                                        + (view.containsKey(key) ? view.get(key).path("revision") : "nothing"))));
                default -> view.put(key, data);
            }
        }
        return view;
    }

    /**
     * A service's revision, labels and endpoints in a canonical order (patched ones may
     * be in another).
     */
    public static String canonical(JsonNode document) {
        List<String> endpoints = new ArrayList<>();
        document.path("endpoints").forEach(endpoint -> endpoints.add(endpoint.toString()));
        endpoints.sort(null);
        return document.path("revision").asLong() + " " + document.path("labels") + " "
                + document.path("annotations").size() + " annotations " + endpoints;
    }

    /** The protocol's {@link EndpointKey} of an endpoint's JSON. */
    public static String endpointKey(JsonNode endpoint) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        endpoint.path("ports")
            .forEach(port -> ports.put(port.path("name").asString(""),
                    port.path("port").isNumber() ? port.path("port").asInt() : null));
        return EndpointKey.of(endpoint.path("addresses").get(0).asString(), ports);
    }

}
