package io.discoverygateway.compat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

/**
 * The API of Spring Cloud Kubernetes' discovery server, so that its HTTP discovery client
 * ({@code spring.cloud.kubernetes.discovery.discovery-server-url}) works against the gateway unchanged. As there,
 * a service is identified by name alone and same-named services of all watched namespaces are merged; an unknown
 * name gives an empty list and an unknown instance an empty body, because that client expects exactly that.
 */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
class DiscoveryServerController {

    /** Key of the derived representation: the snapshot's instances as the elements of a JSON array. */
    private static final ServiceSnapshot.Representation INSTANCES = new ServiceSnapshot.Representation() {
    };

    private final CatalogReader catalog;
    private final JsonMapper mapper;

    DiscoveryServerController(CatalogReader catalog, JsonMapper mapper) {
        this.catalog = catalog;
        this.mapper = mapper;
    }

    @GetMapping("/apps")
    ResponseEntity<byte[]> apps(WebRequest request) {
        CatalogView view = catalog.view();
        if (request.checkNotModified(view.etag())) {
            return null;
        }
        Map<String, List<ServiceSnapshot>> byName = new TreeMap<>();
        for (ServiceSnapshot snapshot : view.services()) {
            if (DiscoveryServerInstances.listed(snapshot)) {
                byName.computeIfAbsent(snapshot.key().name(), name -> new ArrayList<>()).add(snapshot);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('[');
        boolean first = true;
        for (Map.Entry<String, List<ServiceSnapshot>> app : byName.entrySet()) {
            if (!first) {
                body.write(',');
            }
            first = false;
            body.writeBytes(("{\"name\":" + mapper.writeValueAsString(app.getKey()) + ",\"serviceInstances\":")
                    .getBytes(StandardCharsets.UTF_8));
            writeInstances(body, app.getValue());
            body.write('}');
        }
        body.write(']');
        return ResponseEntity.ok().eTag(view.etag()).body(body.toByteArray());
    }

    @GetMapping("/apps/{name}")
    ResponseEntity<byte[]> app(@PathVariable String name, WebRequest request) {
        CatalogView view = catalog.view();
        if (request.checkNotModified(view.etag())) {
            return null;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeInstances(body, sameNamed(view, name));
        return ResponseEntity.ok().eTag(view.etag()).body(body.toByteArray());
    }

    @GetMapping("/apps/{name}/{instanceId}")
    ResponseEntity<byte[]> instance(@PathVariable String name, @PathVariable String instanceId) {
        for (ServiceSnapshot snapshot : sameNamed(catalog.view(), name)) {
            for (ServiceInstance instance : DiscoveryServerInstances.of(snapshot)) {
                if (instance.getInstanceId().equals(instanceId)) {
                    return ResponseEntity.ok(mapper.writeValueAsBytes(instance));
                }
            }
        }
        return ResponseEntity.ok().build();
    }

    private static List<ServiceSnapshot> sameNamed(CatalogView view, String name) {
        List<ServiceSnapshot> found = new ArrayList<>();
        for (String namespace : view.namespaces()) {
            view.find(new ServiceKey(namespace, name)).filter(DiscoveryServerInstances::listed).ifPresent(found::add);
        }
        return found;
    }

    /** Writes one JSON array holding the instances of all the snapshots, each encoded once per snapshot. */
    private void writeInstances(ByteArrayOutputStream body, List<ServiceSnapshot> snapshots) {
        body.write('[');
        boolean first = true;
        for (ServiceSnapshot snapshot : snapshots) {
            byte[] elements = snapshot.derived(INSTANCES, this::encodeElements);
            if (elements.length > 0) {
                if (!first) {
                    body.write(',');
                }
                body.writeBytes(elements);
                first = false;
            }
        }
        body.write(']');
    }

    private byte[] encodeElements(ServiceSnapshot snapshot) {
        byte[] array = mapper.writeValueAsBytes(DiscoveryServerInstances.of(snapshot));
        byte[] elements = new byte[array.length - 2];
        System.arraycopy(array, 1, elements, 0, elements.length);
        return elements;
    }
}
