package io.discoverygateway.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One endpoint of a service, as the gateway serves it.
 *
 * @param addresses its addresses (usually one)
 * @param addressType {@code IPv4}, {@code IPv6} or {@code FQDN}: the type of the
 * EndpointSlice it came from
 * @param ready whether it should receive traffic
 * @param serving whether it can serve (also while terminating)
 * @param terminating whether it is shutting down
 * @param zone its zone, or null
 * @param nodeName its node, or null
 * @param targetName the name of the object behind it (a Pod), or null
 * @param targetNamespace that object's namespace, or null
 * @param targetUid that object's uid, or null
 * @param ports its ports by name ("" for an unnamed one), in the EndpointSlice's order
 * @param podLabels the labels of its pod when the gateway serves pod metadata, else empty
 * @param podAnnotations the annotations of its pod when the gateway serves pod metadata,
 * else empty
 * @param cluster the cluster of the set it is in, on a cluster-set stream; else null
 */
public record Endpoint(List<String> addresses, String addressType, boolean ready, boolean serving, boolean terminating,
        String zone, String nodeName, String targetName, String targetNamespace, String targetUid,
        Map<String, Integer> ports, Map<String, String> podLabels, Map<String, String> podAnnotations, String cluster) {

    public Endpoint {
        addresses = List.copyOf(addresses);
        // The order is kept: with several ports and none preferred, the first is an
        // instance's port.
        ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
        podLabels = Map.copyOf(podLabels);
        podAnnotations = Map.copyOf(podAnnotations);
    }

    /** Its first address. */
    public String address() {
        return addresses.isEmpty() ? "" : addresses.get(0);
    }
}
