package io.discoverygateway.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ConsumerPlaces;
import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.clusterset.ClusterMember;
import io.discoverygateway.clusterset.ClusterSetPublisher;
import io.discoverygateway.clusterset.ClusterSetService;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEndpoint;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEntry;
import io.discoverygateway.clusterset.ClusterSetService.Port;
import io.discoverygateway.clusterset.ClusterSetView;
import io.discoverygateway.longpoll.ChangeWaiters;
import io.discoverygateway.longpoll.WaitDuration;
import io.discoverygateway.longpoll.WaitTopic;
import io.discoverygateway.web.ApiException;
import io.discoverygateway.web.ConnectionProbe;
import io.discoverygateway.web.RequestValidator;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The cluster-set views ({@code gateway.clusterset.enabled}): the services the clusters
 * of the set export, merged, each endpoint with its cluster; and the clusters with their
 * state. Written from the published {@link ClusterSetView}: the unfiltered document of a
 * service is encoded once per change. A consumer sees a cluster-set service when it may
 * read that namespace in this cluster.
 *
 * <p>
 * The services and one service can be long-polled as the native API's: with {@code wait}
 * (or {@code index} alone) the request is held until the cluster set changes past the
 * client's revision ({@code index=<epoch>-cs<revision>}, or the ETag in
 * {@code If-None-Match}), then answered 200, or 304 when the wait elapses.
 */
@RestController
@RequestMapping(path = "/api/v1/clusterset", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "clusterset", description = "Services exported by the clusters of a cluster set, merged")
class ClusterSetController {

    private static final WaitTopic ALL = new WaitTopic.ClusterSet(null);

    private final ObjectProvider<ClusterSetPublisher> publisher;

    private final CatalogReader catalog;

    private final RequestValidator validator;

    private final ChangeWaiters waiters;

    private final ConsumerPlaces longPollPlaces;

    private final GatewayProperties.LongPoll longPoll;

    private final JsonMapper json = JsonMapper.builder().build();

    ClusterSetController(ObjectProvider<ClusterSetPublisher> publisher, CatalogReader catalog,
            RequestValidator validator, ChangeWaiters waiters, ConsumerPlaces longPollPlaces,
            GatewayProperties properties) {
        this.publisher = publisher;
        this.catalog = catalog;
        this.validator = validator;
        this.waiters = waiters;
        this.longPollPlaces = longPollPlaces;
        this.longPoll = properties.longPoll();
        publisher.ifAvailable(set -> set.addListener((view, changed) -> {
            List<WaitTopic> topics = new ArrayList<>(changed.size() + 1);
            topics.add(ALL);
            changed.forEach(key -> topics.add(new WaitTopic.ClusterSet(key)));
            waiters.wake(topics);
        }));
    }

    @Operation(summary = "The clusters of the set",
            description = "Each cluster: whether it is this one, whether its watches have listed everything, since"
                    + " when and why its API cannot be watched.")
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
            description = "Every service that a cluster of the set exports (of one namespace with namespace=, exported"
                    + " by one cluster with cluster=), without endpoints but with their counts. Long-polled with"
                    + " wait/index.")
    @ApiResponse(responseCode = "200", description = "The list",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ClusterSetList.class)))
    @ApiResponse(responseCode = "304", description = "Not modified: the ETag or index is current", content = @Content)
    @LongPolled
    @GetMapping("/services")
    DeferredResult<ResponseEntity<byte[]>> services(@RequestParam(required = false) String namespace,
            @RequestParam(required = false) String cluster, @RequestParam(required = false) String wait,
            @RequestParam(required = false) String index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch, ReadAccess access,
            HttpServletRequest request) {
        ClusterSetPublisher set = enabled();
        if (namespace != null) {
            access.requireReadableNamespace(namespace, validator);
        }
        requireCluster(set, cluster);
        NamespaceScope scope = access.scope(catalog.view());
        String variant = (cluster == null ? "" : "-" + cluster) + "-" + scope.tag();
        Function<ClusterSetView, ResponseEntity<byte[]>> answer = view -> {
            List<Summary> items = new ArrayList<>();
            for (ClusterSetView.Entry entry : view.all()) {
                ClusterSetService service = entry.service();
                if ((namespace == null || namespace.equals(service.namespace())) && scope.includes(service.namespace())
                        && (cluster == null
                                || service.clusters().stream().anyMatch(c -> c.cluster().equals(cluster)))) {
                    items.add(Summary.of(service));
                }
            }
            return ResponseEntity.ok()
                .eTag(etag(view.revision(), variant))
                .body(json.writeValueAsBytes(new ClusterSetList(view.revision(), items)));
        };
        return answer(set, request, access, ALL, () -> set.view().revision(), wait, index, ifNoneMatch,
                view -> etag(view.revision(), variant), answer);
    }

    @Operation(summary = "One cluster-set service with the endpoints of every cluster",
            description = "The exported Services of one namespace and name in every cluster of the set, merged:"
                    + " type, union of ports, clusters with their state, conflicts, and every endpoint with its"
                    + " cluster. cluster= keeps one cluster's endpoints, ready=true ready ones. Long-polled with"
                    + " wait/index; 404 when no cluster exports it any more.")
    @ApiResponse(responseCode = "200", description = "The service",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ClusterSetService.class)))
    @ApiResponse(responseCode = "304", description = "Not modified", content = @Content)
    @LongPolled
    @GetMapping("/namespaces/{namespace}/services/{name}")
    DeferredResult<ResponseEntity<byte[]>> service(@PathVariable String namespace, @PathVariable String name,
            @RequestParam(required = false) String cluster, @RequestParam(defaultValue = "false") boolean ready,
            @RequestParam(required = false) String wait, @RequestParam(required = false) String index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch, ReadAccess access,
            HttpServletRequest request) {
        ClusterSetPublisher set = enabled();
        access.requireReadableNamespace(namespace, validator);
        validator.name("service name", name);
        requireCluster(set, cluster);
        ServiceKey key = new ServiceKey(namespace, name);
        exported(set.view(), key);
        String variant = (cluster == null ? "" : "-" + cluster) + (ready ? "-ready-only" : "");
        Function<ClusterSetView, ResponseEntity<byte[]>> answer = view -> {
            ClusterSetView.Entry entry = exported(view, key);
            ClusterSetService service = entry.service();
            String etag = etag(service.revision(), variant);
            if (cluster == null && !ready) {
                return ResponseEntity.ok().eTag(etag).body(entry.json());
            }
            Predicate<ClusterEndpoint> kept = endpoint -> (cluster == null || cluster.equals(endpoint.cluster()))
                    && (!ready || endpoint.endpoint().ready());
            ClusterSetService filtered = new ClusterSetService(service.namespace(), service.name(), service.type(),
                    service.ports(), service.clusters(), service.conflicts(), service.revision(),
                    service.endpoints().stream().filter(kept).toList());
            return ResponseEntity.ok().eTag(etag).body(json.writeValueAsBytes(filtered));
        };
        LongSupplier revision = () -> set.view()
            .find(key)
            .map(entry -> entry.service().revision())
            .orElse(Long.MAX_VALUE);
        return answer(set, request, access, new WaitTopic.ClusterSet(key), revision, wait, index, ifNoneMatch,
                view -> etag(exported(view, key).service().revision(), variant), answer);
    }

    /**
     * Answers at once, or, when the client holds the current revision and asks to wait,
     * when the topic changes (or 304 when the wait elapses, or at once for HEAD).
     */
    private DeferredResult<ResponseEntity<byte[]>> answer(ClusterSetPublisher set, HttpServletRequest request,
            ReadAccess access, WaitTopic topic, LongSupplier revision, String wait, String index, String ifNoneMatch,
            Function<ClusterSetView, String> etag, Function<ClusterSetView, ResponseEntity<byte[]>> answer) {
        DeferredResult<ResponseEntity<byte[]>> result = new DeferredResult<>();
        ClusterSetView view = set.view();
        long known = known(index != null ? index : ifNoneMatch, index != null);
        if (known < 0 || revision.getAsLong() > known) {
            result.setResult(answer.apply(view));
            return result;
        }
        if (wait == null && index == null) {
            result.setResult(notModified(etag.apply(view)));
            return result;
        }
        Duration timeout = wait == null ? min(longPoll.defaultWait(), longPoll.maxWait())
                : WaitDuration.parse(wait, longPoll.maxWait());
        if (timeout.isZero() || HttpMethod.HEAD.matches(request.getMethod())) {
            result.setResult(notModified(etag.apply(view)));
            return result;
        }
        Runnable givePlaceBack = longPollPlaces.take(access);
        CompletableFuture<Void> change = waiters.await(topic, revision, known, timeout, new ConnectionProbe(request));
        if (change == null) {
            givePlaceBack.run();
            throw ApiException.overloaded("The gateway holds as many long-polls as it is configured for;"
                    + " retry later or against another replica", 5);
        }
        change.whenComplete((ignored, error) -> givePlaceBack.run());
        change.thenRun(() -> {
            try {
                ClusterSetView current = set.view();
                result
                    .setResult(revision.getAsLong() > known ? answer.apply(current) : notModified(etag.apply(current)));
            }
            catch (RuntimeException ex) {
                result.setErrorResult(ex);
            }
        });
        result.onCompletion(() -> change.complete(null));
        result.onError(error -> change.complete(null));
        return result;
    }

    /**
     * The cluster-set revision in an index or ETag of this gateway
     * ({@code <epoch>-cs<revision>}, maybe quoted and with a variant after it), or -1 for
     * none or another replica's.
     */
    private long known(String token, boolean required) {
        if (token == null) {
            return -1;
        }
        String prefix = catalog.epoch() + "-cs";
        String stripped = token.strip();
        if (stripped.startsWith("W/")) {
            stripped = stripped.substring(2);
        }
        stripped = stripped.replace("\"", "");
        if (!stripped.startsWith(prefix)) {
            if (required && stripped.chars().allMatch(Character::isDigit)) {
                throw ApiException.invalidParameter("index", "'" + token + "' has no epoch: pass the token of the"
                        + " last answer's ETag without its quotes (<epoch>-cs<revision>)");
            }
            return -1;
        }
        int end = prefix.length();
        while (end < stripped.length() && Character.isDigit(stripped.charAt(end))) {
            end++;
        }
        return end == prefix.length() ? -1 : Long.parseLong(stripped.substring(prefix.length(), end));
    }

    private String etag(long revision, String variant) {
        return "\"" + catalog.epoch() + "-cs" + revision + variant + "\"";
    }

    private static ClusterSetView.Entry exported(ClusterSetView view, ServiceKey key) {
        return view.find(key)
            .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "Service not exported",
                    "No cluster of the set exports a service '" + key.name() + "' in namespace '" + key.namespace()
                            + "'"));
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

    private static ResponseEntity<byte[]> notModified(String etag) {
        return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
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
