package io.discoverygateway.client;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The complete view of the services the stream covers, as of one moment: immutable,
 * replaced as a whole on every change, so a reader never sees half of an update.
 *
 * @param services by {@code namespace/name}
 * @param lastEventId the id of the last complete resume point received
 * @param updatedAt when this view was made
 */
public record DiscoveryView(Map<String, ServiceEntry> services, String lastEventId, Instant updatedAt) {

    public static final DiscoveryView EMPTY = new DiscoveryView(Map.of(), null, Instant.EPOCH);

    public DiscoveryView {
        services = Map.copyOf(services);
    }

    public Optional<ServiceEntry> service(String namespace, String name) {
        return Optional.ofNullable(services.get(namespace + "/" + name));
    }

    /** Every service of that name, in any namespace the view covers. */
    public List<ServiceEntry> named(String name) {
        return services.values().stream().filter(service -> service.name().equals(name)).toList();
    }

    public Collection<ServiceEntry> all() {
        return services.values();
    }
}
