package io.discoverygateway.catalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The catalog's state transitions, apart from its queue, thread and publishing: what the
 * Kubernetes side has said about Services, EndpointSlices and Pods, which services a
 * mutation can change, and the merged state of a service. A pure rule: no threads, no
 * I/O, unit-tested on its own; the {@link Catalog} owns one and touches it only from its
 * writer thread.
 *
 * <ul>
 * <li>A service's endpoints are the union of its slices (label
 * {@code kubernetes.io/service-name}). An endpoint can sit in two slices of a service for
 * a moment while the controller moves it; the copy in the slice whose name sorts first is
 * kept, so the result does not depend on the order events arrived in. Endpoints are
 * sorted by address type, address and ports.</li>
 * <li>A slice whose service-name label changes moves: both services change.</li>
 * <li>With pods known, an endpoint whose {@code targetRef} is a Pod of the service's own
 * namespace carries that pod's details. A targetRef into another namespace gets nothing:
 * whoever can write an EndpointSlice could otherwise read the labels of any pod. A pod
 * change changes exactly the services that have an endpoint on it.</li>
 * </ul>
 */
final class CatalogState {

    private static final Comparator<Endpoint> ENDPOINT_ORDER = Comparator.comparing(Endpoint::addressType)
        .thenComparing(endpoint -> endpoint.addresses().get(0))
        .thenComparing(endpoint -> endpoint.ports().toString());

    private final Map<ServiceKey, ServiceResource> services = new HashMap<>();

    private final Map<ObjectKey, EndpointSliceResource> slices = new HashMap<>();

    /** Each slice to the service it belongs to. */
    private final Index<ObjectKey, ServiceKey> sliceOwners = new Index<>();

    private final Map<ObjectKey, PodInfo> pods = new HashMap<>();

    /** Each service to the pods its endpoints stand for. */
    private final Index<ServiceKey, ObjectKey> podsOfService = new Index<>();

    /** Applies a mutation; returns the services whose state it may have changed. */
    Set<ServiceKey> apply(Mutation mutation) {
        if (mutation instanceof Mutation.ServiceUpsert upsert) {
            services.put(upsert.service().key(), upsert.service());
            return Set.of(upsert.service().key());
        }
        if (mutation instanceof Mutation.ServiceRemoval removal) {
            services.remove(removal.key());
            return Set.of(removal.key());
        }
        if (mutation instanceof Mutation.SliceUpsert upsert) {
            EndpointSliceResource slice = upsert.slice();
            Set<ServiceKey> touched = new HashSet<>(sliceOwners.targetsOf(slice.key()));
            slices.put(slice.key(), slice);
            sliceOwners.set(slice.key(), Set.of(slice.serviceKey()));
            touched.add(slice.serviceKey());
            return touched;
        }
        if (mutation instanceof Mutation.SliceRemoval removal) {
            Set<ServiceKey> touched = Set.copyOf(sliceOwners.targetsOf(removal.slice()));
            slices.remove(removal.slice());
            sliceOwners.set(removal.slice(), Set.of());
            return touched;
        }
        if (mutation instanceof Mutation.PodUpsert upsert) {
            PodInfo previous = pods.put(upsert.pod().key(), upsert.pod());
            return upsert.pod().equals(previous) ? Set.of() : Set.copyOf(podsOfService.sourcesOf(upsert.pod().key()));
        }
        Mutation.PodRemoval removal = (Mutation.PodRemoval) mutation;
        return pods.remove(removal.pod()) == null ? Set.of() : Set.copyOf(podsOfService.sourcesOf(removal.pod()));
    }

    /**
     * The service's merged state now, or null when there is no such Service; keeps the
     * pod index current.
     */
    ServiceState stateOf(ServiceKey key) {
        ServiceResource service = services.get(key);
        if (service == null) {
            podsOfService.set(key, Set.of());
            return null;
        }
        List<Endpoint> endpoints = mergeEndpoints(key);
        Set<ObjectKey> referenced = new HashSet<>();
        List<Endpoint> enriched = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            ObjectKey pod = endpoint.podKey(key.namespace());
            if (pod != null) {
                referenced.add(pod);
            }
            PodInfo info = pod == null ? null : pods.get(pod);
            enriched.add(info == null ? endpoint : endpoint.withPod(info));
        }
        podsOfService.set(key, referenced);
        return new ServiceState(service, enriched);
    }

    private List<Endpoint> mergeEndpoints(ServiceKey key) {
        Map<String, EndpointSliceResource> byName = new TreeMap<>();
        for (ObjectKey slice : sliceOwners.sourcesOf(key)) {
            byName.put(slice.name(), slices.get(slice));
        }
        Map<String, Endpoint> unique = new LinkedHashMap<>();
        for (EndpointSliceResource slice : byName.values()) {
            for (Endpoint endpoint : slice.endpoints()) {
                unique.putIfAbsent(endpoint.identity(), endpoint);
            }
        }
        List<Endpoint> endpoints = new ArrayList<>(unique.values());
        endpoints.sort(ENDPOINT_ORDER);
        return endpoints;
    }

}
