package io.discoverygateway.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.SnapshotEncoder;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
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

    ServiceController(Catalog catalog, SnapshotEncoder encoder, RequestValidator validator) {
        this.catalog = catalog;
        this.encoder = encoder;
        this.validator = validator;
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

    /** One service with its endpoints; {@code ready=true} keeps only ready endpoints. */
    @GetMapping("/namespaces/{namespace}/services/{name}")
    ResponseEntity<byte[]> service(@PathVariable String namespace, @PathVariable String name,
            @RequestParam(defaultValue = "false") boolean ready, WebRequest request) {
        ServiceSnapshot snapshot = validator.existingService(catalog.view(), new ServiceKey(namespace, name));
        String etag = ready ? variantEtag(snapshot.etag(), READY_ONLY) : snapshot.etag();
        if (request.checkNotModified(etag)) {
            return null;
        }
        byte[] body = ready ? snapshot.derived(READY_ONLY, s -> encoder.document(s, Endpoint::ready)) : snapshot.json();
        return ResponseEntity.ok().eTag(etag).body(body);
    }

    private ResponseEntity<byte[]> list(CatalogView view, List<ServiceSnapshot> services, LabelSelector selector,
            WebRequest request) {
        String etag = view.etag();
        if (request.checkNotModified(etag)) {
            return null;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(256 + services.size() * 256);
        body.writeBytes(("{\"epoch\":\"" + view.epoch() + "\",\"revision\":" + view.revision() + ",\"items\":[")
                .getBytes(StandardCharsets.UTF_8));
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
