package io.discoverygateway.catalog;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable, consistent picture of every cached service at one revision, sorted by
 * namespace and name. The catalog's writer replaces the view as a whole; readers never
 * lock.
 */
public final class CatalogView {

    private final String epoch;

    private final long revision;

    private final ServiceSnapshot[] services;

    private final List<String> namespaces;

    private final Map<String, Long> namespaceRevisions;

    private final long endpointCount;

    private final Instant lastChangeAt;

    CatalogView(String epoch, long revision, ServiceSnapshot[] services, List<String> namespaces,
            Map<String, Long> namespaceRevisions, long endpointCount, Instant lastChangeAt) {
        this.namespaceRevisions = namespaceRevisions;
        this.epoch = epoch;
        this.revision = revision;
        this.services = services;
        this.namespaces = namespaces;
        this.endpointCount = endpointCount;
        this.lastChangeAt = lastChangeAt;
    }

    public String epoch() {
        return epoch;
    }

    /** The revision of the latest change in this view (0 before the first). */
    public long revision() {
        return revision;
    }

    /**
     * The revision of the latest change of a service in this namespace, deletions
     * included (0 before any).
     */
    public long revision(String namespace) {
        return namespaceRevisions.getOrDefault(namespace, 0L);
    }

    public Optional<ServiceSnapshot> find(ServiceKey key) {
        int index = Arrays.binarySearch(services, key, CatalogView::compareKey);
        return index >= 0 ? Optional.of(services[index]) : Optional.empty();
    }

    /** Every service, sorted by namespace and name. */
    public List<ServiceSnapshot> services() {
        return Collections.unmodifiableList(Arrays.asList(services));
    }

    /** The services of one namespace, sorted by name. */
    public List<ServiceSnapshot> services(String namespace) {
        int from = -Arrays.binarySearch(services, new ServiceKey(namespace, ""), CatalogView::compareKey) - 1;
        int to = from;
        while (to < services.length && services[to].key().namespace().equals(namespace)) {
            to++;
        }
        return Collections.unmodifiableList(Arrays.asList(services).subList(Math.max(from, 0), to));
    }

    /** The namespaces that hold at least one cached service, sorted. */
    public List<String> namespaces() {
        return namespaces;
    }

    public int serviceCount() {
        return services.length;
    }

    public long endpointCount() {
        return endpointCount;
    }

    /** When the latest change was applied, or null before the first. */
    public Instant lastChangeAt() {
        return lastChangeAt;
    }

    private static int compareKey(Object element, Object key) {
        return ((ServiceSnapshot) element).key().compareTo((ServiceKey) key);
    }

}
