package io.discoverygateway.catalog;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import tools.jackson.databind.json.JsonMapper;

/** Encodes service snapshots to the JSON of the gateway's API. */
public final class SnapshotEncoder {

    private final JsonMapper mapper;

    public SnapshotEncoder(JsonMapper mapper) {
        this.mapper = mapper;
    }

    byte[] document(ServiceState state, long revision) {
        return mapper.writeValueAsBytes(ServiceDocument.of(state, revision, endpoint -> true));
    }

    /**
     * The document restricted to the endpoints that pass the filter (for example ready
     * ones).
     */
    public byte[] document(ServiceSnapshot snapshot, Predicate<Endpoint> filter) {
        return mapper.writeValueAsBytes(ServiceDocument.of(snapshot.state(), snapshot.revision(), filter));
    }

    /**
     * A change to a service's endpoints only, for clients that hold it at
     * {@code baseRevision}: the endpoints added or changed, and those removed (see the
     * stream's {@code PATCHED} events).
     */
    public byte[] endpointPatch(ServiceSnapshot current, long baseRevision, List<Endpoint> endpoints,
            List<Endpoint> removed) {
        return mapper.writeValueAsBytes(new EndpointPatchDocument(current.key().namespace(), current.key().name(),
                current.revision(), baseRevision, endpoints, removed));
    }

    byte[] summary(ServiceState state, long revision) {
        ServiceResource service = state.service();
        return mapper.writeValueAsBytes(new ServiceSummary(service.key().namespace(), service.key().name(),
                service.type(), service.externalName(), service.ports(), service.labels(), state.endpoints().size(),
                state.readyEndpointCount(), revision));
    }

    /**
     * A service with its endpoints: the JSON of {@code GET .../services/{name}} and of
     * the stream's events.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "namespace", "name", "uid", "type", "clusterIPs", "ipFamilies", "externalName", "ports",
            "labels", "annotations", "revision", "endpoints" })
    public record ServiceDocument(String namespace, String name, String uid, String type, List<String> clusterIPs,
            List<String> ipFamilies, String externalName, List<ServicePort> ports, Map<String, String> labels,
            Map<String, String> annotations, long revision, List<Endpoint> endpoints) {

        static ServiceDocument of(ServiceState state, long revision, Predicate<Endpoint> filter) {
            ServiceResource s = state.service();
            return new ServiceDocument(s.key().namespace(), s.key().name(), s.uid(), s.type(), s.clusterIPs(),
                    s.ipFamilies(), s.externalName(), s.ports(), s.labels(), s.annotations(), revision,
                    state.endpoints().stream().filter(filter).toList());
        }
    }

    /**
     * A service without its endpoints, with their counts: an item of the service lists.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServiceSummary(String namespace, String name, String type, String externalName,
            List<ServicePort> ports, Map<String, String> labels, int endpoints, long readyEndpoints, long revision) {
    }

    /**
     * The data of a {@code PATCHED} event.
     *
     * @param revision the service's revision after the patch
     * @param baseRevision the revision of the service the patch applies to
     * @param endpoints endpoints added or changed, in full
     * @param removed endpoints removed, in full as they were
     */
    @JsonPropertyOrder({ "namespace", "name", "revision", "baseRevision", "endpoints", "removed" })
    public record EndpointPatchDocument(String namespace, String name, long revision, long baseRevision,
            List<Endpoint> endpoints, List<Endpoint> removed) {
    }

}
