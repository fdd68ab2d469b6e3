package io.discoverygateway.kubernetes;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.EndpointSliceResource;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Service;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns informer callbacks into catalog mutations. Runs on the informers' threads: it
 * maps objects there, so the catalog's writer only merges. No exception escapes into an
 * informer: an object that cannot be mapped is skipped, logged once (per object and
 * reason) and counted in {@code gateway.kubernetes.objects.skipped}.
 */
final class CatalogFeeder {

    private static final Logger log = LoggerFactory.getLogger(CatalogFeeder.class);

    private final Catalog catalog;

    private final Predicate<String> servedAnnotation;

    private final MeterRegistry registry;

    private final Map<String, String> loggedSkips = new ConcurrentHashMap<>();

    /**
     * @param servedAnnotation which Service annotations reach the catalog
     */
    CatalogFeeder(Catalog catalog, MeterRegistry registry, Predicate<String> servedAnnotation) {
        this.servedAnnotation = servedAnnotation;
        this.catalog = catalog;
        this.registry = registry;
        // Registered at 0, so that a rate or an alert on them has a series before the
        // first bad object.
        for (String kind : new String[] { "Service", "EndpointSlice", "Pod" }) {
            skippedCounter(kind);
        }
    }

    private Counter skippedCounter(String kind) {
        return Counter.builder("gateway.kubernetes.objects.skipped")
            .description("Objects from the Kubernetes API that could not be used (logged once each)")
            .tag("kind", kind)
            .register(registry);
    }

    ResourceEventHandler<V1Service> services() {
        return new Handler<>("Service",
                service -> catalog.upsertService(ResourceMapper.service(service, servedAnnotation)),
                service -> catalog.removeService(ResourceMapper.key(service.getMetadata())));
    }

    ResourceEventHandler<V1Pod> pods(PodMapper mapper) {
        return new Handler<>("Pod", pod -> catalog.upsertPod(mapper.info(pod)),
                pod -> catalog.removePod(ResourceMapper.objectKey(pod.getMetadata())));
    }

    ResourceEventHandler<V1EndpointSlice> endpointSlices() {
        return new Handler<>("EndpointSlice", this::upsertSlice,
                slice -> catalog.removeSlice(ResourceMapper.objectKey(slice.getMetadata())));
    }

    private void upsertSlice(V1EndpointSlice slice) {
        Optional<EndpointSliceResource> mapped;
        try {
            mapped = ResourceMapper.endpointSlice(slice);
        }
        catch (RuntimeException ex) {
            // An unusable new version must not leave the previous one's endpoints behind.
            if (slice.getMetadata() != null && slice.getMetadata().getName() != null) {
                catalog.removeSlice(ResourceMapper.objectKey(slice.getMetadata()));
            }
            throw ex;
        }
        if (mapped.isPresent()) {
            catalog.upsertSlice(mapped.get());
        }
        else {
            // It may have lost its service-name label: forget whatever it contributed
            // before.
            catalog.removeSlice(ResourceMapper.objectKey(slice.getMetadata()));
        }
    }

    private final class Handler<T extends KubernetesObject> implements ResourceEventHandler<T> {

        private final String kind;

        private final Consumer<T> upsert;

        private final Consumer<T> delete;

        private final Counter added;

        private final Counter modified;

        private final Counter deleted;

        Handler(String kind, Consumer<T> upsert, Consumer<T> delete) {
            this.kind = kind;
            this.upsert = upsert;
            this.delete = delete;
            this.added = events(kind, "ADDED");
            this.modified = events(kind, "MODIFIED");
            this.deleted = events(kind, "DELETED");
        }

        @Override
        public void onAdd(T object) {
            added.increment();
            guarded(object, upsert);
        }

        @Override
        public void onUpdate(T oldObject, T newObject) {
            modified.increment();
            guarded(newObject, upsert);
        }

        @Override
        public void onDelete(T object, boolean deletedFinalStateUnknown) {
            deleted.increment();
            guarded(object, delete);
        }

        private void guarded(T object, Consumer<T> action) {
            try {
                action.accept(object);
            }
            catch (RuntimeException ex) {
                skipped(kind, object, ex);
            }
        }

        private Counter events(String kind, String type) {
            return Counter.builder("gateway.informer.events")
                .description("Informer events applied to the catalog")
                .tag("kind", kind)
                .tag("type", type)
                .register(registry);
        }

    }

    private void skipped(String kind, KubernetesObject object, RuntimeException ex) {
        V1ObjectMeta meta = object == null ? null : object.getMetadata();
        String id = kind + " " + (meta == null ? "?" : meta.getNamespace() + "/" + meta.getName());
        String reason = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        skippedCounter(kind).increment();
        if (loggedSkips.size() > 10_000) {
            // Bounded: past this many distinct bad objects, one may be logged again.
            loggedSkips.clear();
        }
        if (!reason.equals(loggedSkips.put(id, reason))) {
            if (ex instanceof ResourceMapper.UnusableObjectException) {
                log.warn("Skipping {}: {}", id, reason);
            }
            else {
                log.warn("Skipping {}: {}", id, reason, ex);
            }
        }
    }

}
