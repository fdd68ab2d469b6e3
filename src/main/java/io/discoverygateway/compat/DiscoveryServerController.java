package io.discoverygateway.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.TreeMap;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.access.ReadAccess;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.cloud.kubernetes.commons.discovery.DefaultKubernetesServiceInstance;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.clusterset.ClusterSetPublisher;
import io.discoverygateway.web.JsonBuffer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.kubernetes.commons.discovery.EndpointNameAndNamespace;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

/**
 * The API of Spring Cloud Kubernetes' discovery server, so that its HTTP discovery client
 * ({@code spring.cloud.kubernetes.discovery.discovery-server-url}) works against the
 * gateway unchanged. As there, a service is identified by name alone and same-named
 * services of all watched namespaces are merged; an unknown name gives an empty list and
 * an unknown instance an empty body, because that client expects exactly that.
 */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "discovery-server", description = "The API of Spring Cloud Kubernetes' Discovery Server")
class DiscoveryServerController {

    /**
     * {@code GET /apps}: a service name and its instances, merged over the namespaces.
     */
    @Schema(name = "App")
    record App(String name, List<DefaultKubernetesServiceInstance> serviceInstances) {
    }

    /**
     * Key of the derived representation: the snapshot's instances as the elements of a
     * JSON array.
     */
    private static final ServiceSnapshot.Representation INSTANCES = new ServiceSnapshot.Representation() {
    };

    private final CatalogReader catalog;

    private final JsonMapper mapper;

    private final DiscoveryServerInstances instances;

    /**
     * The cluster set's services as a catalog, with {@code gateway.clusterset.merge-apps}
     * (else null).
     */
    private final CatalogReader clusterSet;

    DiscoveryServerController(CatalogReader catalog, JsonMapper mapper, GatewayProperties properties,
            ObjectProvider<ClusterSetPublisher> clusterSet) {
        this.catalog = catalog;
        ClusterSetPublisher set = clusterSet.getIfAvailable();
        this.clusterSet = set != null && properties.clusterset().mergeApps() ? set.catalog() : null;
        this.mapper = mapper;
        this.instances = new DiscoveryServerInstances(properties.discoveryServer().includeNotReadyAddresses(),
                properties.discoveryServer().includeExternalNameServices());
    }

    /**
     * Every endpoint that stands for an object (its {@code targetRef}): what the HTTP
     * discovery client's catalog watcher polls to publish a {@code HeartbeatEvent} when
     * it changes (Spring Cloud Gateway, Spring Boot Admin).
     */
    @Operation(summary = "Every endpoint's target object",
            description = "What the HTTP discovery client's catalog watcher polls to publish a HeartbeatEvent.")
    @ApiResponse(responseCode = "200", description = "The targets",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = EndpointNameAndNamespace.class))))
    @GetMapping("/state")
    ResponseEntity<byte[]> state(ReadAccess access, WebRequest request) {
        CatalogView view = catalog.view();
        NamespaceScope scope = access.scope(view);
        if (request.checkNotModified(scope.etag(view))) {
            return null;
        }
        Set<EndpointNameAndNamespace> endpoints = new TreeSet<>(
                Comparator.comparing(EndpointNameAndNamespace::namespace)
                    .thenComparing(EndpointNameAndNamespace::endpointName));
        for (ServiceSnapshot snapshot : view.services()) {
            if (!scope.includes(snapshot.key().namespace())) {
                continue;
            }
            for (Endpoint endpoint : snapshot.state().endpoints()) {
                if (endpoint.targetRef() != null && endpoint.targetRef().name() != null) {
                    String namespace = endpoint.targetRef().namespace() != null ? endpoint.targetRef().namespace()
                            : snapshot.key().namespace();
                    endpoints.add(new EndpointNameAndNamespace(endpoint.targetRef().name(), namespace));
                }
            }
        }
        return ResponseEntity.ok().eTag(scope.etag(view)).body(mapper.writeValueAsBytes(endpoints));
    }

    @Operation(summary = "Every service name with its instances")
    @ApiResponse(responseCode = "200", description = "The apps",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = App.class))))
    @GetMapping("/apps")
    ResponseEntity<byte[]> apps(ReadAccess access, WebRequest request) {
        CatalogView view = catalog.view();
        NamespaceScope scope = access.scope(view);
        CatalogView merged = clusterSet == null ? null : clusterSet.view();
        String etag = etag(scope, view, merged);
        if (request.checkNotModified(etag)) {
            return null;
        }
        Map<String, List<ServiceSnapshot>> byName = new TreeMap<>();
        for (ServiceSnapshot snapshot : services(view, merged)) {
            if (scope.includes(snapshot.key().namespace()) && instances.listed(snapshot)) {
                byName.computeIfAbsent(snapshot.key().name(), name -> new ArrayList<>()).add(snapshot);
            }
        }
        JsonBuffer json = new JsonBuffer(1024).beginArray();
        for (Map.Entry<String, List<ServiceSnapshot>> app : byName.entrySet()) {
            json.beginObject().field("name", app.getKey()).name("serviceInstances");
            writeInstances(json, app.getValue());
            json.endObject();
        }
        return ResponseEntity.ok().eTag(etag).body(json.endArray().toByteArray());
    }

    @Operation(summary = "The instances of a service name, over all namespaces ([] when unknown)")
    @ApiResponse(responseCode = "200", description = "The instances",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = DefaultKubernetesServiceInstance.class))))
    @GetMapping("/apps/{name}")
    ResponseEntity<byte[]> app(@PathVariable String name, ReadAccess access, WebRequest request) {
        CatalogView view = catalog.view();
        NamespaceScope scope = access.scope(view);
        CatalogView merged = clusterSet == null ? null : clusterSet.view();
        String etag = etag(scope, view, merged);
        if (request.checkNotModified(etag)) {
            return null;
        }
        JsonBuffer json = new JsonBuffer(1024);
        writeInstances(json, sameNamed(view, merged, name, scope));
        return ResponseEntity.ok().eTag(etag).body(json.toByteArray());
    }

    @Operation(summary = "One instance by its id (the pod uid); an empty body when unknown")
    @ApiResponse(responseCode = "200", description = "The instance, or nothing",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = DefaultKubernetesServiceInstance.class)))
    @GetMapping("/apps/{name}/{instanceId}")
    ResponseEntity<byte[]> instance(@PathVariable String name, @PathVariable String instanceId, ReadAccess access) {
        CatalogView view = catalog.view();
        for (ServiceSnapshot snapshot : sameNamed(view, clusterSet == null ? null : clusterSet.view(), name,
                access.scope(view))) {
            for (ServiceInstance instance : instances.of(snapshot)) {
                if (instance.getInstanceId().equals(instanceId)) {
                    return ResponseEntity.ok(mapper.writeValueAsBytes(instance));
                }
            }
        }
        return ResponseEntity.ok().build();
    }

    /**
     * The listed services of that name in the namespaces the consumer may read (with the
     * cluster set merged: its service where there is one).
     */
    private List<ServiceSnapshot> sameNamed(CatalogView view, CatalogView merged, String name, NamespaceScope scope) {
        List<ServiceSnapshot> found = new ArrayList<>();
        Set<String> namespaces = new TreeSet<>(view.namespaces());
        if (merged != null) {
            namespaces.addAll(merged.namespaces());
        }
        for (String namespace : namespaces) {
            if (!scope.includes(namespace)) {
                continue;
            }
            ServiceKey key = new ServiceKey(namespace, name);
            Optional<ServiceSnapshot> snapshot = merged == null ? Optional.empty() : merged.find(key);
            snapshot.or(() -> view.find(key)).filter(instances::listed).ifPresent(found::add);
        }
        return found;
    }

    /**
     * This cluster's services, with the cluster set merged: a cluster-set service in
     * place of this cluster's Service of its name, and those only remote clusters export.
     */
    private static List<ServiceSnapshot> services(CatalogView view, CatalogView merged) {
        if (merged == null) {
            return view.services();
        }
        Map<ServiceKey, ServiceSnapshot> all = new TreeMap<>();
        view.services().forEach(snapshot -> all.put(snapshot.key(), snapshot));
        merged.services().forEach(snapshot -> all.put(snapshot.key(), snapshot));
        return List.copyOf(all.values());
    }

    /** The consumer's ETag, with the cluster set's revision when it is merged. */
    private static String etag(NamespaceScope scope, CatalogView view, CatalogView merged) {
        String etag = scope.etag(view);
        return merged == null ? etag
                : etag.substring(0, etag.length() - 1) + "-cs" + merged.revision() + etag.substring(etag.length() - 1);
    }

    /**
     * Writes one JSON array holding the instances of all the snapshots, each encoded once
     * per snapshot.
     */
    /**
     * An array of every instance of the snapshots (each snapshot's encoded once, then
     * shared).
     */
    private void writeInstances(JsonBuffer json, List<ServiceSnapshot> snapshots) {
        json.beginArray();
        for (ServiceSnapshot snapshot : snapshots) {
            json.elements(snapshot.derived(INSTANCES, this::encodeElements));
        }
        json.endArray();
    }

    private byte[] encodeElements(ServiceSnapshot snapshot) {
        byte[] array = mapper.writeValueAsBytes(instances.of(snapshot));
        byte[] elements = new byte[array.length - 2];
        System.arraycopy(array, 1, elements, 0, elements.length);
        return elements;
    }

}
