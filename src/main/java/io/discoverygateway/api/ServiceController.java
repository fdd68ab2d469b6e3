package io.discoverygateway.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ConsumerPlaces;
import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.Revisions;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.longpoll.ChangeWaiters;
import io.discoverygateway.longpoll.WaitDuration;
import io.discoverygateway.longpoll.WaitTopic;
import io.discoverygateway.web.ApiDocumentation;
import io.discoverygateway.web.ApiException;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.discoverygateway.web.ConnectionProbe;
import io.discoverygateway.web.JsonBuffer;
import io.discoverygateway.web.RequestValidator;
import io.discoverygateway.web.Staleness;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The gateway's native read API. Every answer is written from the catalog's precomputed
 * snapshots: no Kubernetes API call, no per-request encoding of a whole service (except
 * for the open-ended {@code podLabelSelector}).
 *
 * <p>
 * Each resource can be long-polled: with {@code wait} (or {@code index} alone, which
 * waits the default wait) the request is held, without a thread, until the resource
 * changes past the revision the client has ({@code index}, or the revision in
 * {@code If-None-Match}), then answered 200; when the wait elapses, 304. A revision of
 * another epoch (another replica, an earlier run) is answered at once with the current
 * state.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "services", description = "The native read API")
class ServiceController {

    /** The document with ready endpoints only; also the suffix of its entity tag. */
    private static final String READY_ONLY = "ready-only";

    private static final ServiceSnapshot.Representation READY_ONLY_DOCUMENT = new ServiceSnapshot.Representation() {
    };

    private final CatalogReader catalog;

    private final SnapshotEncoder encoder;

    private final RequestValidator validator;

    private final ChangeWaiters waiters;

    private final ConsumerPlaces longPollPlaces;

    private final Staleness staleness;

    private final GatewayProperties.LongPoll longPoll;

    private final boolean podMetadata;

    ServiceController(CatalogReader catalog, SnapshotEncoder encoder, RequestValidator validator, ChangeWaiters waiters,
            ConsumerPlaces longPollPlaces, Staleness staleness, GatewayProperties properties) {
        this.catalog = catalog;
        this.encoder = encoder;
        this.validator = validator;
        this.waiters = waiters;
        this.longPollPlaces = longPollPlaces;
        this.staleness = staleness;
        this.longPoll = properties.longPoll();
        this.podMetadata = properties.podMetadata().enabled();
    }

    // ---- lists
    // -------------------------------------------------------------------------------------------------

    /**
     * Summaries of every cached service, optionally of one namespace and matching a label
     * selector.
     */
    @Operation(summary = "Summaries of the services the consumer may read",
            description = "Every cached service (of one namespace with namespace=), matching the label selector,"
                    + " without endpoints but with their counts. Long-polled with wait/index.")
    @ApiResponse(responseCode = "200", description = "The list",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ApiDocumentation.ServiceList.class)))
    @ApiResponse(responseCode = "304", description = "Not modified: the ETag or index is current", content = @Content)
    @LongPolled
    @GetMapping(path = "/services", params = { "!wait", "!index" })
    ResponseEntity<byte[]> services(@RequestParam(required = false) String namespace,
            @RequestParam(required = false) String labelSelector, ReadAccess access, WebRequest request) {
        Listing listing = listing(namespace, labelSelector, access);
        return notModifiedOr(request, listing.etag(catalog.view()), () -> listing.answer(catalog.view()));
    }

    @Hidden
    @GetMapping(path = "/services") // with wait or index (the mapping above takes
                                    // neither)
    DeferredResult<ResponseEntity<byte[]>> awaitServices(@RequestParam(required = false) String namespace,
            @RequestParam(required = false) String labelSelector, @RequestParam(required = false) String wait,
            @RequestParam(required = false) String index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch, ReadAccess access,
            HttpServletRequest servletRequest) {
        Listing listing = listing(namespace, labelSelector, access);
        return longPoll(servletRequest, access, listing.topic(), wait, index, ifNoneMatch, listing::etag,
                listing::answer);
    }

    @Operation(summary = "Summaries of one namespace's services",
            description = "As /api/v1/services for one namespace; its ETag changes only with that namespace.")
    @ApiResponse(responseCode = "200", description = "The list",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ApiDocumentation.ServiceList.class)))
    @ApiResponse(responseCode = "304", description = "Not modified", content = @Content)
    @LongPolled
    @GetMapping(path = "/namespaces/{namespace}/services", params = { "!wait", "!index" })
    ResponseEntity<byte[]> namespaceServices(@PathVariable String namespace,
            @RequestParam(required = false) String labelSelector, ReadAccess access, WebRequest request) {
        access.requireReadableNamespace(namespace, validator);
        return services(namespace, labelSelector, access, request);
    }

    @Hidden
    @GetMapping(path = "/namespaces/{namespace}/services") // with wait or index
    DeferredResult<ResponseEntity<byte[]>> awaitNamespaceServices(@PathVariable String namespace,
            @RequestParam(required = false) String labelSelector, @RequestParam(required = false) String wait,
            @RequestParam(required = false) String index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch, ReadAccess access,
            HttpServletRequest servletRequest) {
        access.requireReadableNamespace(namespace, validator);
        return awaitServices(namespace, labelSelector, wait, index, ifNoneMatch, access, servletRequest);
    }

    // ---- one service
    // -------------------------------------------------------------------------------------------

    /**
     * One service with its endpoints; {@code ready=true} keeps only ready endpoints,
     * {@code podLabelSelector} only those whose pod has matching labels (with pod
     * metadata enabled).
     */
    @Operation(summary = "One service with its endpoints",
            description = "The union of the service's EndpointSlices: addresses, readiness, ports, zone, node, target"
                    + " pod (and pod metadata when on). ready=true keeps ready endpoints only; podLabelSelector those"
                    + " whose pod matches. Long-polled with wait/index; 404 when deleted while waiting.")
    @ApiResponse(responseCode = "200", description = "The service",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = SnapshotEncoder.ServiceDocument.class)))
    @ApiResponse(responseCode = "304", description = "Not modified", content = @Content)
    @LongPolled
    @GetMapping(path = "/namespaces/{namespace}/services/{name}", params = { "!wait", "!index" })
    ResponseEntity<byte[]> service(@PathVariable String namespace, @PathVariable String name,
            @RequestParam(defaultValue = "false") boolean ready,
            @RequestParam(required = false) String podLabelSelector, ReadAccess access, WebRequest request) {
        ServiceKey key = new ServiceKey(namespace, name);
        readable(access, key);
        ServiceSnapshot snapshot = validator.existingService(catalog.view(), key);
        Variant variant = variant(ready, podLabelSelector);
        return notModifiedOr(request, variant.etag(snapshot), () -> variant.answer(snapshot));
    }

    @Hidden
    @GetMapping(path = "/namespaces/{namespace}/services/{name}") // with wait or index
    DeferredResult<ResponseEntity<byte[]>> awaitService(@PathVariable String namespace, @PathVariable String name,
            @RequestParam(defaultValue = "false") boolean ready,
            @RequestParam(required = false) String podLabelSelector, @RequestParam(required = false) String wait,
            @RequestParam(required = false) String index,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch, ReadAccess access,
            HttpServletRequest servletRequest) {
        ServiceKey key = new ServiceKey(namespace, name);
        readable(access, key);
        validator.existingService(catalog.view(), key);
        Variant variant = variant(ready, podLabelSelector);
        return longPoll(servletRequest, access, new WaitTopic.Service(key), wait, index, ifNoneMatch,
                view -> variant.etag(validator.existingService(view, key)),
                view -> variant.answer(validator.existingService(view, key)));
    }

    /**
     * A valid name in a watched namespace that the consumer may read (before saying
     * whether it exists).
     */
    private void readable(ReadAccess access, ServiceKey key) {
        access.requireReadableNamespace(key.namespace(), validator);
        validator.name("service name", key.name());
    }

    // ---- long-polling
    // ------------------------------------------------------------------------------------------

    /**
     * Holds the request until the topic's revision passes the client's, or the wait
     * elapses. The waiter is released as soon as the request ends for any reason, also
     * when its client leaves (its connection is probed). HEAD is answered at once: it
     * asks for headers, and holding it would only hold a place.
     */
    private DeferredResult<ResponseEntity<byte[]>> longPoll(HttpServletRequest servletRequest, ReadAccess access,
            WaitTopic topic, String wait, String index, String ifNoneMatch, Function<CatalogView, String> etag,
            Function<CatalogView, ResponseEntity<byte[]>> answer) {
        Duration timeout = wait == null ? min(longPoll.defaultWait(), longPoll.maxWait())
                : WaitDuration.parse(wait, longPoll.maxWait());
        OptionalLong known = index != null ? index(index) : Revisions.parse(ifNoneMatch, catalog.epoch());
        DeferredResult<ResponseEntity<byte[]>> result = new DeferredResult<>();
        CatalogView view = catalog.view();
        if (known.isEmpty() || topic.revision(view) > known.getAsLong()) {
            result.setResult(answer.apply(view));
            return result;
        }
        if (timeout.isZero() || HttpMethod.HEAD.matches(servletRequest.getMethod())) {
            result.setResult(notModified(etag.apply(view)));
            return result;
        }
        if (!waiters.isRunning()) {
            throw ApiException.stopping();
        }
        Runnable givePlaceBack = longPollPlaces.take(access);
        CompletableFuture<Void> change = waiters.await(topic, known.getAsLong(), timeout,
                new ConnectionProbe(servletRequest));
        if (change == null) {
            givePlaceBack.run();
            throw ApiException.overloaded("The gateway holds as many long-polls as it is configured for;"
                    + " retry later or against another replica", 5);
        }
        change.whenComplete((ignored, error) -> givePlaceBack.run());
        long knownRevision = known.getAsLong();
        change.thenApply(ignored -> {
            CatalogView current = catalog.view();
            return topic.revision(current) > knownRevision ? answer.apply(current) : notModified(etag.apply(current));
        }).whenComplete((response, error) -> {
            if (error != null) {
                result.setErrorResult(
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            }
            else {
                result.setResult(response);
            }
        });
        // Ends the wait when the request ends first: its timeout, an error, its client
        // gone.
        result.onCompletion(() -> change.complete(null));
        result.onError(error -> change.complete(null));
        return result;
    }

    /**
     * The revision in an {@code index}: a token {@code <epoch>-<revision>} (an ETag
     * without quotes, an event id).
     */
    private OptionalLong index(String index) {
        if (index.strip().chars().allMatch(Character::isDigit)) {
            throw ApiException.invalidParameter("index", "'" + index + "' has no epoch: pass the token of the last"
                    + " answer's ETag without its quotes (<epoch>-<revision>), so that an index from another replica"
                    + " or an earlier run is never mistaken for one of this gateway's");
        }
        return Revisions.parse(index, catalog.epoch());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static ResponseEntity<byte[]> notModified(String etag) {
        return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
    }

    private static ResponseEntity<byte[]> notModifiedOr(WebRequest request, String etag,
            Supplier<ResponseEntity<byte[]>> answer) {
        return request.checkNotModified(etag) ? null : answer.get();
    }

    // ---- representations
    // ---------------------------------------------------------------------------------------

    private Listing listing(String namespace, String labelSelector, ReadAccess access) {
        LabelSelector selector = validator.labelSelector(labelSelector);
        if (namespace != null) {
            access.requireReadableNamespace(namespace, validator);
            return new Listing(namespace, selector,
                    access.consumer().isPresent() ? NamespaceScope.of(Set.of(namespace)) : NamespaceScope.EVERYTHING);
        }
        return new Listing(null, selector, access.scope(catalog.view()));
    }

    /**
     * A list of service summaries: all the consumer may read, or one namespace's,
     * matching a selector. Its revision and ETag are those of what it covers, so a change
     * elsewhere neither shows nor wakes its long-polls.
     */
    private final class Listing {

        private final String namespace;

        private final LabelSelector selector;

        private final NamespaceScope scope;

        Listing(String namespace, LabelSelector selector, NamespaceScope scope) {
            this.namespace = namespace;
            this.selector = selector;
            this.scope = scope;
        }

        WaitTopic topic() {
            if (namespace != null) {
                return new WaitTopic.Namespace(namespace);
            }
            return scope.everything() ? new WaitTopic.Everything() : new WaitTopic.Namespaces(scope.namespaces());
        }

        /** Changes only when a service of the list's scope changes. */
        String etag(CatalogView view) {
            return Revisions.etag(view.epoch(), topic().revision(view));
        }

        ResponseEntity<byte[]> answer(CatalogView view) {
            List<ServiceSnapshot> services = namespace == null ? view.services() : view.services(namespace);
            // A consumer limited to some namespaces sees their revision, not how much
            // changed elsewhere.
            long revision = scope.everything() ? view.revision() : topic().revision(view);
            JsonBuffer json = new JsonBuffer(256 + services.size() * 256).beginObject()
                .field("epoch", view.epoch())
                .field("revision", revision);
            staleness.writeFields(json);
            json.name("items").beginArray();
            for (ServiceSnapshot snapshot : services) {
                if (scope.includes(snapshot.key().namespace())
                        && selector.matches(snapshot.state().service().labels())) {
                    json.raw(snapshot.summaryJson());
                }
            }
            return ResponseEntity.ok()
                .eTag(etag(view))
                .contentType(MediaType.APPLICATION_JSON)
                .body(json.endArray().endObject().toByteArray());
        }

    }

    private Variant variant(boolean ready, String podLabelSelector) {
        if (podLabelSelector == null) {
            return new Variant(ready, null);
        }
        if (!podMetadata) {
            throw ApiException.invalidParameter("podLabelSelector", "this gateway does not watch pods"
                    + " (gateway.pod-metadata.enabled is false), so endpoints carry no pod labels to select on");
        }
        return new Variant(ready, validator.labelSelector("podLabelSelector", podLabelSelector));
    }

    /**
     * A representation of one service: all endpoints, ready ones, or those whose pod
     * matches a selector. Each has an entity tag of its own; a selector's is a digest of
     * the selector, so two selectors never share one.
     */
    private final class Variant {

        private final boolean ready;

        private final LabelSelector pods;

        Variant(boolean ready, LabelSelector pods) {
            this.ready = ready;
            this.pods = pods;
        }

        String etag(ServiceSnapshot snapshot) {
            if (pods == null) {
                return ready ? variantEtag(snapshot.etag(), READY_ONLY) : snapshot.etag();
            }
            return variantEtag(snapshot.etag(), (ready ? "ready-" : "") + "pods-" + digest(pods.toString()));
        }

        ResponseEntity<byte[]> answer(ServiceSnapshot snapshot) {
            return ResponseEntity.ok()
                .eTag(etag(snapshot))
                .contentType(MediaType.APPLICATION_JSON)
                .body(staleness.mark(body(snapshot)));
        }

        private byte[] body(ServiceSnapshot snapshot) {
            if (pods != null) {
                // Encoded per request: selectors are open-ended, so these variants are
                // not kept with the snapshot.
                return encoder.document(snapshot,
                        endpoint -> (!ready || endpoint.ready()) && pods.matches(endpoint.podLabels()));
            }
            return ready ? snapshot.derived(READY_ONLY_DOCUMENT, s -> encoder.document(s, Endpoint::ready))
                    : snapshot.json();
        }

    }

    /** A distinct strong tag for another representation of the same snapshot. */
    private static String variantEtag(String etag, String variant) {
        return etag.substring(0, etag.length() - 1) + "-" + variant + '"';
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every JDK", ex);
        }
    }

}
