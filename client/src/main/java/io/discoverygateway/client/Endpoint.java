package io.discoverygateway.client;

import java.util.List;
import java.util.Map;

/**
 * One endpoint of a service, as the gateway serves it.
 *
 * @param addresses its addresses (usually one)
 * @param ready whether it should receive traffic
 * @param serving whether it can serve (also while terminating)
 * @param terminating whether it is shutting down
 * @param zone its zone, or null
 * @param nodeName its node, or null
 * @param targetName the name of the object behind it (a Pod), or null
 * @param targetNamespace that object's namespace, or null
 * @param targetUid that object's uid, or null
 * @param ports its ports by name ("" for an unnamed one)
 * @param podLabels the labels of its pod when the gateway serves pod metadata, else empty
 */
public record Endpoint(List<String> addresses, boolean ready, boolean serving, boolean terminating, String zone,
        String nodeName, String targetName, String targetNamespace, String targetUid, Map<String, Integer> ports,
        Map<String, String> podLabels) {

    public Endpoint {
        addresses = List.copyOf(addresses);
        ports = Map.copyOf(ports);
        podLabels = Map.copyOf(podLabels);
    }

    /** Its first address. */
    public String address() {
        return addresses.isEmpty() ? "" : addresses.get(0);
    }
}
