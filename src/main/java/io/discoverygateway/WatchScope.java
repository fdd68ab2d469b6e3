package io.discoverygateway;

import java.util.List;

/**
 * Which namespaces the gateway watches: every namespace, or a fixed list.
 *
 * @param namespaces the watched namespaces, sorted; empty when {@code allNamespaces}
 */
public record WatchScope(boolean allNamespaces, List<String> namespaces) {

    public WatchScope {
        namespaces = allNamespaces ? List.of() : namespaces.stream().distinct().sorted().toList();
    }

    public boolean includes(String namespace) {
        return allNamespaces || namespaces.contains(namespace);
    }

    @Override
    public String toString() {
        return allNamespaces ? "all namespaces" : String.join(", ", namespaces);
    }
}
