package io.discoverygateway.catalog;

import java.util.Comparator;

/**
 * Identifies a Kubernetes Service: namespace and name. Ordered by namespace, then name.
 */
public record ServiceKey(String namespace, String name) implements Comparable<ServiceKey> {

    private static final Comparator<ServiceKey> ORDER = Comparator.comparing(ServiceKey::namespace)
        .thenComparing(ServiceKey::name);

    @Override
    public int compareTo(ServiceKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
