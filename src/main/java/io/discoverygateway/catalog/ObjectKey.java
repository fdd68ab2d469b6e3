package io.discoverygateway.catalog;

import java.util.Comparator;

/**
 * Identifies a namespaced Kubernetes object other than a Service (an EndpointSlice, a
 * Pod) by namespace and name, so that no {@code "namespace/name"} string is built and
 * parsed back.
 */
public record ObjectKey(String namespace, String name) implements Comparable<ObjectKey> {

    private static final Comparator<ObjectKey> ORDER = Comparator.comparing(ObjectKey::namespace)
        .thenComparing(ObjectKey::name);

    @Override
    public int compareTo(ObjectKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
