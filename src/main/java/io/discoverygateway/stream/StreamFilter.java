package io.discoverygateway.stream;

import java.util.Map;
import java.util.Set;

import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;

/**
 * Which services a subscriber wants. Empty sets mean "any"; every given criterion must
 * hold.
 *
 * @param namespaces namespaces to include
 * @param names service names in any namespace ({@code service=web})
 * @param keys services by namespace and name ({@code service=shop/web})
 * @param selector labels the service must have
 * @param podSelector labels an endpoint's pod must have for the endpoint to be in the
 * events' data
 * @param readable the namespaces the subscriber may read (everything without consumer
 * authentication)
 */
public record StreamFilter(Set<String> namespaces, Set<String> names, Set<ServiceKey> keys, LabelSelector selector,
        LabelSelector podSelector, NamespaceScope readable) {

    public StreamFilter {
        namespaces = Set.copyOf(namespaces);
        names = Set.copyOf(names);
        keys = Set.copyOf(keys);
    }

    /** A filter of a subscriber that may read everything. */
    public StreamFilter(Set<String> namespaces, Set<String> names, Set<ServiceKey> keys, LabelSelector selector,
            LabelSelector podSelector) {
        this(namespaces, names, keys, selector, podSelector, NamespaceScope.EVERYTHING);
    }

    StreamFilter withReadable(NamespaceScope scope) {
        return new StreamFilter(namespaces, names, keys, selector, podSelector, scope);
    }

    public boolean matches(ServiceSnapshot snapshot) {
        return matches(snapshot.key(), snapshot.state().service().labels());
    }

    /** Whether a service with this identity and these labels is wanted. */
    public boolean matches(ServiceKey key, Map<String, String> labels) {
        if (!readable.includes(key.namespace()) || !namespaces.isEmpty() && !namespaces.contains(key.namespace())) {
            return false;
        }
        if ((!names.isEmpty() || !keys.isEmpty()) && !names.contains(key.name()) && !keys.contains(key)) {
            return false;
        }
        return selector.matches(labels);
    }

    /** Whether an endpoint goes into the events' data. */
    public boolean keeps(Endpoint endpoint) {
        return podSelector.isEverything() || podSelector.matches(endpoint.podLabels());
    }
}
