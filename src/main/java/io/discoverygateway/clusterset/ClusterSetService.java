package io.discoverygateway.clusterset;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.discoverygateway.catalog.Endpoint;

/**
 * A cluster-set service: the Services of one namespace and name that the clusters of the
 * set export, merged as the Multi-Cluster Services API derives a ServiceImport.
 *
 * @param type {@code ClusterSetIP}, or {@code Headless} when the exported Services are
 * headless
 * @param ports the union of the exported Services' ports
 * @param clusters every cluster that exports it, this one first, then by name
 * @param conflicts where the clusters' Services disagree, and whose definition won
 * @param endpoints the endpoints of every cluster whose data is served, each with its
 * cluster
 */
@JsonPropertyOrder({ "namespace", "name", "type", "ports", "clusters", "conflicts", "revision", "endpoints" })
public record ClusterSetService(String namespace, String name, String type, List<Port> ports,
        List<ClusterEntry> clusters, List<Conflict> conflicts, long revision, List<ClusterEndpoint> endpoints) {

    public ClusterSetService {
        ports = List.copyOf(ports);
        clusters = List.copyOf(clusters);
        conflicts = List.copyOf(conflicts);
        endpoints = List.copyOf(endpoints);
    }

    ClusterSetService withRevision(long revision) {
        return new ClusterSetService(namespace, name, type, ports, clusters, conflicts, revision, endpoints);
    }

    /** A port of the cluster-set service (target ports stay each cluster's own). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Port(String name, int port, String protocol, String appProtocol) {
    }

    /**
     * One cluster's part.
     *
     * @param state {@code current}; {@code stale} while its API cannot be watched (its
     * last known endpoints are served); {@code withdrawn} when that has lasted longer
     * than {@code gateway.clusterset.withdraw-after} (its endpoints are not served)
     * @param exportedAt when its ServiceExport was created (null for an export by
     * annotation): the oldest export wins a conflict
     * @param staleSince since when its data is stale, else null
     * @param endpoints its endpoints, and how many of them are ready
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "cluster", "local", "state", "exportedAt", "staleSince", "reason", "serviceRevision",
            "endpoints", "readyEndpoints" })
    public record ClusterEntry(String cluster, boolean local, String state, Instant exportedAt, Instant staleSince,
            String reason, long serviceRevision, int endpoints, long readyEndpoints) {
    }

    /**
     * A disagreement between the clusters' Services, resolved for the oldest export.
     *
     * @param field {@code type} or {@code ports}
     * @param clusters the clusters whose Services disagree with the winner
     * @param winner the cluster whose definition is served
     */
    public record Conflict(String field, String detail, List<String> clusters, String winner) {
    }

    /** An endpoint with the cluster it is in. */
    public record ClusterEndpoint(String cluster, @JsonUnwrapped Endpoint endpoint) {
    }

}
