package io.discoverygateway.clusterset;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.discoverygateway.catalog.ServiceKey;

/**
 * One published state of the cluster set: every cluster-set service with its JSON,
 * encoded once. Immutable.
 *
 * @param revision grows with every change of any cluster-set service
 * @param services ordered by namespace and name
 * @param conflicted how many services have a conflict
 */
public record ClusterSetView(long revision, Map<ServiceKey, Entry> services, int conflicted) {

    public static final ClusterSetView EMPTY = new ClusterSetView(0, Map.of(), 0);

    public ClusterSetView {
        services = Collections.unmodifiableMap(new TreeMap<>(services));
    }

    public Optional<Entry> find(ServiceKey key) {
        return Optional.ofNullable(services.get(key));
    }

    public Collection<Entry> all() {
        return services.values();
    }

    /**
     * A cluster-set service and its document.
     *
     * @param fingerprint what it was merged from, to tell whether it must be merged again
     */
    public record Entry(ClusterSetService service, byte[] json, List<Object> fingerprint) {
    }

}
