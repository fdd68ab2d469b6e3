package io.discoverygateway.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.Revisions;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.stream.ServiceWaiters;

import org.springframework.http.HttpHeaders;
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

/**
 * The gateway's native read API. Every answer is written from the catalog's precomputed snapshots: no Kubernetes
 * API call, no per-request encoding of a whole service.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
class ServiceController {

    private static final String READY_ONLY = "ready-only";

    private final Catalog catalog;
    private final SnapshotEncoder encoder;
    private final RequestValidator validator;
    private final ServiceWaiters waiters;
    private final Staleness staleness;

    ServiceController(Catalog catalog, SnapshotEncoder encoder, RequestValidator validator, ServiceWaiters waiters,
            Staleness staleness) {
        this.catalog = catalog;
        this.encoder = encoder;
        this.validator = validator;
        this.waiters = waiters;
        this.staleness = staleness;
    }

    /** Summaries of every cached service, optionally of one namespace and matching a label selector. */
    @GetMapping("/services")
    ResponseEntity<byte[]> services(@RequestParam(required = false) String namespace,
            @RequestParam(required = false) String labelSelector, WebRequest request) {
        CatalogView view = catalog.view();
        LabelSelector selector = validator.labelSelector(labelSelector);
        List<ServiceSnapshot> services;
        if (namespace == null) {
            services = view.services();
        }
        else {
            validator.watchedNamespace(namespace);
            services = view.services(namespace);
        }
        return list(view, services, selector, request);
    }

    @GetMapping("/namespaces/{namespace}/services")
    ResponseEntity<byte[]> namespaceServices(@PathVariable String namespace,
            @RequestParam(required = false) String labelSelector, WebRequest request) {
        validator.watchedNamespace(namespace);
        LabelSelector selector = validator.labelSelector(labelSelector);
        CatalogView view = catalog.view();
        return list(view, view.services(namespace), selector, request);
    }

    /**
     * One service with its endpoints; {@code ready=true} keeps only ready endpoints, {@code podLabelSelector} only
     * those whose pod has matching labels (with pod metadata enabled).
     */
    @GetMapping("/namespaces/{namespace}/services/{name}")
    ResponseEntity<byte[]> service(@PathVariable String namespace, @PathVariable String name,
            @RequestParam(defaultValue = "false") boolean ready,
            @RequestParam(required = false) String podLabelSelector, WebRequest request) {
        ServiceSnapshot snapshot = validator.existingService(catalog.view(), new ServiceKey(namespace, name));
        if (podLabelSelector != null) {
            return respondFiltered(snapshot, ready, validator.labelSelector("podLabelSelector", podLabelSelector),
                    request);
        }
        return respond(snapshot, ready, request);
    }

    /** Encoded per request: selectors are open-ended, so these variants are not kept with the snapshot. */
    private ResponseEntity<byte[]> respondFiltered(ServiceSnapshot snapshot, boolean ready, LabelSelector pods,
            WebRequest request) {
        String etag = variantEtag(snapshot.etag(), (ready ? "ready-" : "") + "pods-"
                + Integer.toHexString(pods.toString().hashCode()));
        if (request.checkNotModified(etag)) {
            return null;
        }
        byte[] body = encoder.document(snapshot, endpoint -> (!ready || endpoint.ready())
                && pods.matches(endpoint.pod() == null ? Map.of() : endpoint.pod().labels()));
        return ResponseEntity.ok().eTag(etag).body(staleness.mark(body));
    }

    /**
     * Long-polling read: held (without a thread) until the service changes past the revision the client has, from
     * {@code index} or {@code If-None-Match}, or until {@code wait} elapses (then 304). Without a known revision
     * it answers at once.
     */
    @GetMapping(path = "/namespaces/{namespace}/services/{name}", params = "wait")
    CompletableFuture<ResponseEntity<byte[]>> awaitService(@PathVariable String namespace, @PathVariable String name,
            @RequestParam String wait, @RequestParam(required = false) Long index,
            @RequestParam(defaultValue = "false") boolean ready,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch,
            WebRequest request) {
        ServiceKey key = new ServiceKey(namespace, name);
        ServiceSnapshot snapshot = validator.existingService(catalog.view(), key);
        Duration timeout = WaitDuration.parse(wait);
        OptionalLong known = index != null ? OptionalLong.of(index) : Revisions.parse(ifNoneMatch, catalog.epoch());
        if (known.isEmpty() || snapshot.revision() > known.getAsLong() || timeout.isZero()) {
            return CompletableFuture.completedFuture(respond(snapshot, ready, request));
        }
        CompletableFuture<Void> change = waiters.await(key, known.getAsLong(), timeout);
        if (change == null) {
            throw ApiException.overloaded("The gateway holds as many long-polls as it is configured for;"
                    + " retry later or against another replica", 5);
        }
        return change.thenApply(ignored -> {
            ServiceSnapshot current = validator.existingService(catalog.view(), key);
            String etag = ready ? variantEtag(current.etag(), READY_ONLY) : current.etag();
            if (current.revision() <= known.getAsLong()) {
                return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).<byte[]>build();
            }
            return ResponseEntity.ok().eTag(etag).contentType(MediaType.APPLICATION_JSON).body(body(current, ready));
        });
    }

    private ResponseEntity<byte[]> respond(ServiceSnapshot snapshot, boolean ready, WebRequest request) {
        String etag = ready ? variantEtag(snapshot.etag(), READY_ONLY) : snapshot.etag();
        if (request.checkNotModified(etag)) {
            return null;
        }
        return ResponseEntity.ok().eTag(etag).body(body(snapshot, ready));
    }

    private byte[] body(ServiceSnapshot snapshot, boolean ready) {
        return staleness.mark(
                ready ? snapshot.derived(READY_ONLY, s -> encoder.document(s, Endpoint::ready)) : snapshot.json());
    }

    private ResponseEntity<byte[]> list(CatalogView view, List<ServiceSnapshot> services, LabelSelector selector,
            WebRequest request) {
        String etag = view.etag();
        if (request.checkNotModified(etag)) {
            return null;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(256 + services.size() * 256);
        String stale = staleness.staleFor().map(age -> ",\"stale\":true,\"dataAgeSeconds\":" + age.toSeconds())
                .orElse("");
        body.writeBytes(("{\"epoch\":\"" + view.epoch() + "\",\"revision\":" + view.revision() + stale
                + ",\"items\":[").getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        for (ServiceSnapshot snapshot : services) {
            if (selector.matches(snapshot.state().service().labels())) {
                if (!first) {
                    body.write(',');
                }
                body.writeBytes(snapshot.summaryJson());
                first = false;
            }
        }
        body.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        return ResponseEntity.ok().eTag(etag).body(body.toByteArray());
    }

    /** A distinct strong tag for another representation of the same snapshot. */
    private static String variantEtag(String etag, String variant) {
        return etag.substring(0, etag.length() - 1) + "-" + variant + '"';
    }
}
