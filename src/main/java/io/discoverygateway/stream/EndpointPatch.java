package io.discoverygateway.stream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.protocol.EndpointKey;

/**
 * What changed in a service's endpoints between the state a client holds and the current
 * one, for the stream's {@code PATCHED} events: a pure rule, no I/O.
 *
 * <p>
 * An endpoint is known by its key: its first address and its ports' names and numbers. A
 * patch lists the endpoints that are new or changed (in full, replacing the one with the
 * same key) and the endpoints that are gone (in full, as the client holds them). There is
 * no patch, and the client gets the whole document, when anything but the endpoints
 * changed (the Service itself: labels, annotations, ports, uid...), when two endpoints of
 * either state share a key (a client could not tell them apart), or when the patch would
 * list more endpoints than the whole document.
 *
 * @param endpoints the endpoints added or changed, in the order of the current document
 * @param removed the endpoints of the held state that are gone, in its order
 */
record EndpointPatch(List<Endpoint> endpoints, List<Endpoint> removed) {

    EndpointPatch {
        endpoints = List.copyOf(endpoints);
        removed = List.copyOf(removed);
    }

    /**
     * The patch from {@code held} to {@code current}, both restricted to the endpoints
     * {@code keeps} accepts, or empty when the client should get the whole document.
     */
    static Optional<EndpointPatch> between(ServiceSnapshot held, ServiceSnapshot current, Predicate<Endpoint> keeps) {
        if (!held.key().equals(current.key()) || !held.state().service().equals(current.state().service())) {
            return Optional.empty();
        }
        Map<String, Endpoint> before = byKey(held.state().endpoints(), keeps);
        Map<String, Endpoint> after = byKey(current.state().endpoints(), keeps);
        if (before == null || after == null) {
            return Optional.empty();
        }
        List<Endpoint> changed = new ArrayList<>();
        after.forEach((key, endpoint) -> {
            if (!endpoint.equals(before.get(key))) {
                changed.add(endpoint);
            }
        });
        List<Endpoint> removed = new ArrayList<>();
        before.forEach((key, endpoint) -> {
            if (!after.containsKey(key)) {
                removed.add(endpoint);
            }
        });
        if (changed.size() + removed.size() > Math.max(1, after.size())) {
            return Optional.empty();
        }
        return Optional.of(new EndpointPatch(changed, removed));
    }

    /**
     * The endpoints {@code keeps} accepts, by key, in their order; null when two share a
     * key.
     */
    private static Map<String, Endpoint> byKey(List<Endpoint> endpoints, Predicate<Endpoint> keeps) {
        Map<String, Endpoint> byKey = new LinkedHashMap<>();
        for (Endpoint endpoint : endpoints) {
            if (keeps.test(endpoint) && byKey.put(key(endpoint), endpoint) != null) {
                return null;
            }
        }
        return byKey;
    }

    /** What a client tells endpoints apart by: {@link EndpointKey}. */
    static String key(Endpoint endpoint) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (EndpointPort port : endpoint.ports()) {
            ports.put(port.name(), port.port());
        }
        return EndpointKey.of(endpoint.addresses().get(0), ports);
    }
}
