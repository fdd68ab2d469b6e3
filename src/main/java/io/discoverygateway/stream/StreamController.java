package io.discoverygateway.stream;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ConsumerPlaces;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.runtime.Capacity;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.clusterset.ClusterSetPublisher;
import io.discoverygateway.web.ApiException;
import io.discoverygateway.web.RequestValidator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/stream}: server-sent events of service changes. Filters are checked
 * before the stream starts, so a bad one is a 400 problem+json rather than a broken
 * stream.
 */
@RestController
class StreamController {

    private final StreamHub hub;

    private final ObjectProvider<StreamHub> clusterSetStreamHub;

    private final ObjectProvider<ClusterSetPublisher> clusterSet;

    /** The response header of the cluster set's stream that names this cluster. */
    static final String CLUSTER_HEADER = "Discovery-Gateway-Cluster";

    private final CatalogReader catalog;

    private final RequestValidator validator;

    private final ConsumerPlaces streamPlaces;

    private final boolean podMetadata;

    StreamController(StreamHub hub, @Qualifier("clusterSetStreamHub") ObjectProvider<StreamHub> clusterSetStreamHub,
            ObjectProvider<ClusterSetPublisher> clusterSet, CatalogReader catalog, RequestValidator validator,
            ConsumerPlaces streamPlaces, GatewayProperties properties) {
        this.hub = hub;
        this.clusterSetStreamHub = clusterSetStreamHub;
        this.clusterSet = clusterSet;
        this.streamPlaces = streamPlaces;
        this.catalog = catalog;
        this.validator = validator;
        this.podMetadata = properties.podMetadata().enabled();
    }

    @Operation(summary = "Server-sent events of service changes", tags = "stream", description = """
            A full snapshot (RESET, then ADDED per matching service, then SYNCED) or, with Last-Event-ID or since, a
            resume (what changed since: ADDED, MODIFIED, DELETED), then live events. Each event is
            `event: <type>` and one `data:` line:
            - ADDED, MODIFIED, DELETED: the service as GET .../services/{name} returns it (schema ServiceDocument;
              a DELETED for lost access carries RevokedServiceData); live events carry `id: <epoch>-<revision>`
              (with consumer authentication, `-<scope tag>` appended);
            - PATCHED (only with patches=true): schema EndpointPatchDocument, a live change of a service's endpoints
              only: the endpoints added or changed (replacing the one with the same key: first address, and ports'
              names and numbers) and those removed, for a client that holds the service at baseRevision; a client
              that does not reconnects with its last event id. Other changes stay MODIFIED with the whole service;
            - RESET: schema ResetEventData: drop what you hold, a full snapshot follows;
            - SYNCED: the revision (an integer) with an id: you now hold the complete view;
            - REAUTHENTICATE: schema ReauthenticateEventData, the last event: reconnect with a fresh token.
            Also `retry:` (gateway.stream.retry, 3 s by default) and `: heartbeat` comments (every
            gateway.stream.heartbeat, 5 s by default). HEAD answers the headers only.""")
    @ApiResponse(responseCode = "200", description = "The stream",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")))
    @Parameter(name = "Last-Event-ID", in = ParameterIn.HEADER, description = "Resume after this event id",
            schema = @Schema(type = "string"))
    @GetMapping(path = "/api/v1/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    void stream(@RequestParam(required = false) List<String> namespace,
            @RequestParam(required = false) List<String> service, @RequestParam(required = false) String labelSelector,
            @RequestParam(required = false) String podLabelSelector, @RequestParam(required = false) String since,
            @Parameter(description = "Send a live change of a service's endpoints as a PATCHED event (what changed)"
                    + " rather than the whole service") @RequestParam(defaultValue = "false") boolean patches,
            @Parameter(hidden = true) @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            ReadAccess access, HttpServletRequest request, HttpServletResponse response) throws IOException {
        serve(hub, namespace, service, labelSelector, podLabelSelector, since, patches, lastEventId, access, request,
                response);
    }

    @Operation(summary = "Server-sent events of the cluster set's services", tags = "clusterset", description = """
            As /api/v1/stream, for the services the clusters of the set export (gateway.clusterset.enabled): each
            event's service is the cluster-set service, type ClusterSetIP or Headless, every endpoint with its
            `cluster`, and a label clusters.discovery-gateway.io/<cluster> per cluster that exports it;
            cluster= keeps the services one cluster exports. Its event ids are its own (resume this stream
            with them). The response header Discovery-Gateway-Cluster names this cluster. The clusters' states and the
            conflicts are in GET /api/v1/clusterset/namespaces/{ns}/services/{name}.""")
    @ApiResponse(responseCode = "200", description = "The stream",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")))
    @Parameter(name = "Last-Event-ID", in = ParameterIn.HEADER, description = "Resume after this event id",
            schema = @Schema(type = "string"))
    @GetMapping(path = "/api/v1/clusterset/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    void clusterSetStream(@RequestParam(required = false) List<String> namespace,
            @RequestParam(required = false) List<String> service,
            @Parameter(description = "Only the services this cluster of the set exports") @RequestParam(
                    required = false) String cluster,
            @RequestParam(required = false) String since, @RequestParam(defaultValue = "false") boolean patches,
            @Parameter(hidden = true) @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            ReadAccess access, HttpServletRequest request, HttpServletResponse response) throws IOException {
        StreamHub clusterSet = clusterSetStreamHub.getIfAvailable();
        if (clusterSet == null) {
            throw new ApiException(org.springframework.http.HttpStatus.NOT_FOUND, "Cluster set off",
                    "This gateway serves no cluster set (gateway.clusterset.enabled is false)");
        }
        ClusterSetPublisher set = this.clusterSet.getObject();
        if (cluster != null && set.members().stream().noneMatch(member -> member.name().equals(cluster))) {
            throw ApiException.invalidParameter("cluster", "'" + cluster + "' is no cluster of the set; the set is "
                    + String.join(", ", set.members().stream().map(member -> member.name()).toList()));
        }
        // Clients that balance local-first learn which cluster is theirs.
        response.setHeader(CLUSTER_HEADER, set.localName());
        serve(clusterSet, namespace, service, cluster == null ? null : ClusterSetPublisher.clusterLabel(cluster), null,
                since, patches, lastEventId, access, request, response);
    }

    private void serve(StreamHub hub, List<String> namespace, List<String> service, String labelSelector,
            String podLabelSelector, String since, boolean patches, String lastEventId, ReadAccess access,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        // Named namespaces must each be readable (403 otherwise, before saying whether
        // the gateway watches them);
        // without any, the stream covers all it may read.
        StreamFilter filter = filter(namespace, service, labelSelector, podLabelSelector, access);
        filter = filter.withReadable(access.scope(catalog.view()));
        if (HttpMethod.HEAD.matches(request.getMethod())) {
            // Headers only: the body of a HEAD answer is discarded, so a stream behind it
            // would never see its
            // client leave and would keep its place for ever.
            streamHeaders(response);
            return;
        }
        if (!hub.isRunning()) {
            throw ApiException.stopping();
        }
        Runnable givePlaceBack = streamPlaces.take(access);
        Capacity.Place place = hub.reserve();
        if (place == null) {
            givePlaceBack.run();
            throw ApiException.overloaded("The gateway serves as many streams as it is configured for;"
                    + " retry later or against another replica", 5);
        }
        streamHeaders(response);
        hub.open(request, response.getOutputStream(), filter, patches, lastEventId != null ? lastEventId : since,
                access, place, givePlaceBack);
    }

    private static void streamHeaders(HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream;charset=UTF-8");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
    }

    private StreamFilter filter(List<String> namespaces, List<String> services, String labelSelector,
            String podLabelSelector, ReadAccess access) {
        Set<String> namespaceSet = new HashSet<>();
        for (String namespace : orEmpty(namespaces)) {
            access.requireReadableNamespace(namespace, validator);
            namespaceSet.add(namespace);
        }
        Set<String> names = new HashSet<>();
        Set<ServiceKey> keys = new HashSet<>();
        for (String service : orEmpty(services)) {
            int slash = service.indexOf('/');
            if (slash < 0) {
                validator.name("service name", service);
                names.add(service);
            }
            else {
                String ns = service.substring(0, slash);
                String name = service.substring(slash + 1);
                access.requireReadableNamespace(ns, validator);
                validator.name("service name", name);
                keys.add(new ServiceKey(ns, name));
            }
        }
        LabelSelector selector = validator.labelSelector(labelSelector);
        if (podLabelSelector != null && !podMetadata) {
            throw ApiException.invalidParameter("podLabelSelector", "this gateway does not watch pods"
                    + " (gateway.pod-metadata.enabled is false), so endpoints carry no pod labels to select on");
        }
        LabelSelector podSelector = validator.labelSelector("podLabelSelector", podLabelSelector);
        return new StreamFilter(namespaceSet, names, keys, selector, podSelector);
    }

    private static List<String> orEmpty(List<String> values) {
        return values == null ? List.of() : values;
    }

}
