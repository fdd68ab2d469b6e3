package io.discoverygateway.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.discoverygateway.protocol.EndpointKey;
import tools.jackson.databind.JsonNode;

/**
 * One service as the gateway serves it: its identity, ports, labels, annotations and
 * endpoints.
 *
 * @param ipFamilies the Service's IP families, the primary one first (empty for an
 * ExternalName service)
 * @param ports the Service's ports by name ("" for an unnamed one), in its order
 * @param revision the gateway's revision of its last change
 * @param endpoints its endpoints, ordered by address and then ports (whether it came
 * whole or patched)
 */
public record ServiceEntry(String namespace, String name, String uid, String type, List<String> ipFamilies,
        Map<String, Integer> ports, Map<String, String> labels, Map<String, String> annotations, long revision,
        List<Endpoint> endpoints) {

    public ServiceEntry {
        ipFamilies = List.copyOf(ipFamilies);
        ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        List<Endpoint> sorted = new ArrayList<>(endpoints);
        sorted.sort(ORDER);
        endpoints = List.copyOf(sorted);
    }

    private static final Comparator<Endpoint> ORDER = Comparator.comparing(Endpoint::address)
        .thenComparing(endpoint -> new TreeMap<>(endpoint.ports()).toString());

    public String key() {
        return namespace + "/" + name;
    }

    /**
     * Reads the JSON of a service event (or of {@code GET
     * /api/v1/namespaces/{ns}/services/{name}}).
     */
    public static ServiceEntry parse(JsonNode json) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (JsonNode endpoint : json.path("endpoints")) {
            endpoints.add(endpoint(endpoint));
        }
        return new ServiceEntry(json.path("namespace").asString(""), json.path("name").asString(""),
                json.path("uid").asString(""), json.path("type").asString("ClusterIP"), texts(json.path("ipFamilies")),
                ports(json.path("ports"), "port"), strings(json.path("labels")), strings(json.path("annotations")),
                json.path("revision").asLong(), endpoints);
    }

    /**
     * This service after a {@code PATCHED} event of the gateway (a change of its
     * endpoints only), or null when the patch is for another revision than this one (the
     * client should then resume, which sends it whole). Endpoints are known by their
     * first address and their ports: a listed one replaces the one with its key or is
     * added, a removed one goes.
     */
    ServiceEntry patched(JsonNode patch) {
        if (patch.path("baseRevision").asLong(-1) != revision) {
            return null;
        }
        Map<String, Endpoint> byKey = new LinkedHashMap<>();
        endpoints.forEach(endpoint -> byKey.put(key(endpoint), endpoint));
        patch.path("removed").forEach(endpoint -> byKey.remove(key(endpoint(endpoint))));
        patch.path("endpoints").forEach(endpoint -> {
            Endpoint changed = endpoint(endpoint);
            byKey.put(key(changed), changed);
        });
        return new ServiceEntry(namespace, name, uid, type, ipFamilies, ports, labels, annotations,
                patch.path("revision").asLong(), List.copyOf(byKey.values()));
    }

    private static String key(Endpoint endpoint) {
        return EndpointKey.of(endpoint.address(), endpoint.ports());
    }

    private static Endpoint endpoint(JsonNode endpoint) {
        List<String> addresses = new ArrayList<>();
        endpoint.path("addresses").forEach(address -> addresses.add(address.asString()));
        JsonNode target = endpoint.path("targetRef");
        return new Endpoint(addresses, endpoint.path("addressType").asString("IPv4"),
                endpoint.path("ready").asBoolean(true), endpoint.path("serving").asBoolean(true),
                endpoint.path("terminating").asBoolean(false), text(endpoint, "zone"), text(endpoint, "nodeName"),
                text(target, "name"), text(target, "namespace"), text(target, "uid"),
                ports(endpoint.path("ports"), "port"), strings(endpoint.path("pod").path("labels")),
                strings(endpoint.path("pod").path("annotations")), text(endpoint, "cluster"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.asString() : null;
    }

    private static Map<String, Integer> ports(JsonNode array, String field) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (JsonNode port : array) {
            if (port.path(field).isNumber()) {
                ports.put(port.path("name").asString(""), port.path(field).asInt());
            }
        }
        return ports;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asString()));
        return texts;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new HashMap<>();
        object.properties().forEach(entry -> map.put(entry.getKey(), entry.getValue().asString()));
        return map;
    }
}
