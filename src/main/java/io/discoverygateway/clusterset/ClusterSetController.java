package io.discoverygateway.clusterset;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEndpoint;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEntry;
import io.discoverygateway.clusterset.ClusterSetService.Port;
import io.discoverygateway.web.ApiException;
import io.discoverygateway.web.RequestValidator;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

/**
 * The cluster-set views ({@code gateway.clusterset.enabled}): the services the clusters
 * of the set export, merged, each endpoint with its cluster; and the clusters with their
 * state. Written from the published {@link ClusterSetView}: the unfiltered document of a
 * service is encoded once per change. A consumer sees a cluster-set service when it may
 * read that namespace in this cluster.
 */
@RestController
@RequestMapping(path = "/api/v1/clusterset", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "clusterset", description = "Services exported by the clusters of a cluster set, merged")
class ClusterSetController {

    private final ObjectProvider<ClusterSetPublisher> publisher;

    private final CatalogReader catalog;

    private final RequestValidator validator;

    private final JsonMapper json = JsonMapper.builder().build();

    ClusterSetController(ObjectProvider<ClusterSetPublisher> publisher, CatalogReader catalog,
            RequestValidator validator) {
        this.publisher = publisher;
        this.catalog = catalog;
        this.validator = validator;
    }

    @Operation(summary = "The clusters of the set",
            description = "Each cluster: whether it is this one, its state (syncing, current, stale, withdrawn),"
                    + " since when and why it is stale, and how many services it exports.")
    @ApiResponse(responseCode = "200", description = "The clusters",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ClusterList.class)))
    @GetMapping("/clusters")
    ResponseEntity<byte[]> clusters(ReadAccess access) {
        ClusterSetPublisher set = enabled();
        access.scope(catalog.view());
        List<ClusterInfo> clusters = new ArrayList<>();
        for (ClusterMember member : set.members()) {
            clusters.add(new ClusterInfo(member.name(), member.local(), member.synced(),
                    member.staleSince().orElse(null), member.staleReason()));
        }
        return ResponseEntity.ok(json.writeValueAsBytes(new ClusterList(clusters)));
    }

    @Operation(summary = "Summaries of the cluster-set services the consumer may read",
            description = "Every service that a cluster of the set exports (of one namespace with namespace=, with"
                    + " endpoints in one cluster with cluster=), without endpoints but with their counts.")
    @ApiResponse(responseCode = "200", description = "The list",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ClusterSetList.class)))
    @ApiResponse(responseCode = "304", description = "Not modified: the ETag is current", content = @Content)
    @GetMapping("/services")
    ResponseEntity<byte[]> services(@RequestParam(required = false) String namespace,
            @RequestParam(required = false) String cluster, ReadAccess access, WebRequest request) {
        ClusterSetPublisher set = enabled();
        if (namespace != null) {
            access.requireReadableNamespace(namespace, validator);
        }
        requireCluster(set, cluster);
        NamespaceScope scope = access.scope(catalog.view());
        ClusterSetView view = set.view();
        String etag = etag(view) + (cluster == null ? "" : "-" + cluster) + "-" + scope.tag();
        if (request.checkNotModified(etag)) {
            return null;
        }
        List<Summary> items = new ArrayList<>();
        for (ClusterSetView.Entry entry : view.all()) {
            ClusterSetService service = entry.service();
            if ((namespace == null || namespace.equals(service.namespace())) && scope.includes(service.namespace())
                    && (cluster == null || service.clusters().stream().anyMatch(c -> c.cluster().equals(cluster)))) {
                items.add(Summary.of(service));
            }
        }
        return ResponseEntity.ok().eTag(etag).body(json.writeValueAsBytes(new ClusterSetList(view.revision(), items)));
    }

    @Operation(summary = "One cluster-set service with the endpoints of every cluster",
            description = "The exported Services of one namespace and name in every cluster of the set, merged:"
                    + " type, union of ports, clusters with their state, conflicts, and every endpoint with its"
                    + " cluster. cluster= keeps one cluster's endpoints, ready=true ready ones.")
    @ApiResponse(responseCode = "200", description = "The service",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ClusterSetService.class)))
    @ApiResponse(responseCode = "304", description = "Not modified", content = @Content)
    @GetMapping("/namespaces/{namespace}/services/{name}")
    ResponseEntity<byte[]> service(@PathVariable String namespace, @PathVariable String name,
            @RequestParam(required = false) String cluster, @RequestParam(defaultValue = "false") boolean ready,
            ReadAccess access, WebRequest request) {
        ClusterSetPublisher set = enabled();
        access.requireReadableNamespace(namespace, validator);
        validator.name("service name", name);
        requireCluster(set, cluster);
        ClusterSetView.Entry entry = set.view()
            .find(new ServiceKey(namespace, name))
            .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "Service not exported",
                    "No cluster of the set exports a service '" + name + "' in namespace '" + namespace + "'"));
        ClusterSetService service = entry.service();
        String etag = "\"" + catalog.epoch() + "-cs" + service.revision() + (cluster == null ? "" : "-" + cluster)
                + (ready ? "-ready-only" : "") + "\"";
        if (request.checkNotModified(etag)) {
            return null;
        }
        if (cluster == null && !ready) {
            return ResponseEntity.ok().eTag(etag).body(entry.json());
        }
        Predicate<ClusterEndpoint> kept = endpoint -> (cluster == null || cluster.equals(endpoint.cluster()))
                && (!ready || endpoint.endpoint().ready());
        ClusterSetService filtered = new ClusterSetService(service.namespace(), service.name(), service.type(),
                service.ports(), service.clusters(), service.conflicts(), service.revision(),
                service.endpoints().stream().filter(kept).toList());
        return ResponseEntity.ok().eTag(etag).body(json.writeValueAsBytes(filtered));
    }

    private ClusterSetPublisher enabled() {
        ClusterSetPublisher set = publisher.getIfAvailable();
        if (set == null) {
            throw new ApiException(HttpStatus.NOT_FOUND, "Cluster set off",
                    "This gateway serves no cluster set (gateway.clusterset.enabled is false)");
        }
        return set;
    }

    private static void requireCluster(ClusterSetPublisher set, String cluster) {
        if (cluster != null && set.members().stream().noneMatch(member -> member.name().equals(cluster))) {
            throw ApiException.invalidParameter("cluster", "'" + cluster + "' is no cluster of the set; the set is "
                    + String.join(", ", set.members().stream().map(ClusterMember::name).toList()));
        }
    }

    private String etag(ClusterSetView view) {
        return "\"" + catalog.epoch() + "-cs" + view.revision() + "\"";
    }

    /** The answer of {@code /api/v1/clusterset/services}. */
    record ClusterSetList(long revision, List<Summary> items) {
    }

    /**
     * A cluster-set service without its endpoints.
     *
     * @param clusters the clusters that export it, with their state
     */
    record Summary(String namespace, String name, String type, List<Port> ports, List<ClusterEntry> clusters,
            int conflicts, int endpoints, long readyEndpoints, long revision) {

        static Summary of(ClusterSetService service) {
            return new Summary(service.namespace(), service.name(), service.type(), service.ports(), service.clusters(),
                    service.conflicts().size(), service.endpoints().size(),
                    service.endpoints().stream().filter(e -> e.endpoint().ready()).count(), service.revision());
        }
    }

    /** The answer of {@code /api/v1/clusterset/clusters}. */
    record ClusterList(List<ClusterInfo> clusters) {
    }

    /**
     * A cluster of the set.
     *
     * @param synced whether its watches have listed everything once
     * @param staleSince since when its API cannot be watched
     * @param reason why
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ClusterInfo(String name, boolean local, boolean synced, Instant staleSince, String reason) {
    }

}
