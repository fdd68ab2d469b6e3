package io.discoverygateway.stream;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.web.ApiException;
import io.discoverygateway.web.RequestValidator;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.ServiceKey;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/stream}: server-sent events of service changes. Filters are checked before the stream starts,
 * so a bad one is a 400 problem+json rather than a broken stream.
 */
@RestController
class StreamController {

    private final StreamHub hub;
    private final CatalogReader catalog;
    private final RequestValidator validator;
    private final boolean podMetadata;

    StreamController(StreamHub hub, CatalogReader catalog, RequestValidator validator, GatewayProperties properties) {
        this.hub = hub;
        this.catalog = catalog;
        this.validator = validator;
        this.podMetadata = properties.podMetadata().enabled();
    }

    @GetMapping(path = "/api/v1/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    void stream(@RequestParam(required = false) List<String> namespace,
            @RequestParam(required = false) List<String> service,
            @RequestParam(required = false) String labelSelector,
            @RequestParam(required = false) String podLabelSelector, @RequestParam(required = false) String since,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId, ReadAccess access,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        StreamFilter filter = filter(namespace, service, labelSelector, podLabelSelector);
        // Named namespaces must each be readable (403 otherwise); without any, the stream covers all it may read.
        filter.namespaces().forEach(access::requireNamespace);
        filter.keys().forEach(key -> access.requireNamespace(key.namespace()));
        filter = filter.withReadable(access.scope(catalog.view()));
        if (HttpMethod.HEAD.matches(request.getMethod())) {
            // Headers only: the body of a HEAD answer is discarded, so a stream behind it would never see its
            // client leave and would keep its place for ever.
            streamHeaders(response);
            return;
        }
        if (!hub.reserve()) {
            throw ApiException.overloaded("The gateway serves as many streams as it is configured for;"
                    + " retry later or against another replica", 5);
        }
        streamHeaders(response);
        hub.open(request, response.getOutputStream(), filter, lastEventId != null ? lastEventId : since, access);
    }

    private static void streamHeaders(HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream;charset=UTF-8");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
    }

    private StreamFilter filter(List<String> namespaces, List<String> services, String labelSelector,
            String podLabelSelector) {
        Set<String> namespaceSet = new HashSet<>();
        for (String namespace : orEmpty(namespaces)) {
            validator.watchedNamespace(namespace);
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
                validator.watchedNamespace(ns);
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
