package io.discoverygateway.catalog;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that holds the gateway's state. Informer threads hand it Services and EndpointSlices (already
 * mapped to the gateway's model); a single writer thread applies them in order, merges each Service with its
 * slices, compares the result with the previous snapshot, and only for a real difference assigns the next
 * revision, encodes the new snapshot and publishes a new {@link CatalogView}. Listeners hear of each batch of
 * changes on the writer thread.
 */
public final class Catalog {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);

    /** Above this many changes in one batch the published array is rebuilt instead of patched. */
    private static final int REBUILD_THRESHOLD = 64;

    private static final Comparator<Endpoint> ENDPOINT_ORDER = Comparator.comparing(Endpoint::addressType)
            .thenComparing(endpoint -> endpoint.addresses().get(0))
            .thenComparing(endpoint -> endpoint.ports().toString());

    private final String epoch;
    private final SnapshotEncoder encoder;
    private final Clock clock;
    private final BlockingQueue<Mutation> queue = new LinkedBlockingQueue<>();
    private final List<CatalogListener> listeners = new CopyOnWriteArrayList<>();
    private final Thread writer;
    private volatile CatalogView view;
    private volatile boolean running = true;

    // State below is touched by the writer thread only.
    private final Map<ServiceKey, ServiceResource> services = new HashMap<>();
    private final Map<ServiceKey, Map<String, EndpointSliceResource>> slicesByService = new HashMap<>();
    private final Map<String, ServiceKey> sliceOwners = new HashMap<>();
    private final Map<String, PodInfo> pods = new HashMap<>();
    /** Which services have an endpoint standing for each pod, so a pod change recomputes just those. */
    private final Map<String, Set<ServiceKey>> podReferences = new HashMap<>();
    private final TreeMap<ServiceKey, ServiceSnapshot> snapshots = new TreeMap<>();
    private final TreeMap<String, Integer> servicesPerNamespace = new TreeMap<>();
    /** The revision of the latest change (deletions included) of a service in each namespace. */
    private final Map<String, Long> namespaceRevisions = new HashMap<>();
    private long revision;
    private long endpointCount;

    public Catalog(String epoch, SnapshotEncoder encoder, Clock clock) {
        this.epoch = epoch;
        this.encoder = encoder;
        this.clock = clock;
        this.view = new CatalogView(epoch, 0, new ServiceSnapshot[0], List.of(), Map.of(), 0, null);
        this.writer = new Thread(this::run, "catalog-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public String epoch() {
        return epoch;
    }

    /** The latest published view; never null. */
    public CatalogView view() {
        return view;
    }

    public void addListener(CatalogListener listener) {
        listeners.add(listener);
    }

    public void upsertService(ServiceResource service) {
        queue.add(new ServiceUpsert(service));
    }

    public void removeService(ServiceKey key) {
        queue.add(new ServiceRemoval(key));
    }

    public void upsertSlice(EndpointSliceResource slice) {
        queue.add(new SliceUpsert(slice));
    }

    public void removeSlice(String namespace, String name) {
        queue.add(new SliceRemoval(namespace + "/" + name));
    }

    public void upsertPod(PodInfo pod) {
        queue.add(new PodUpsert(pod));
    }

    public void removePod(String namespace, String name) {
        queue.add(new PodRemoval(namespace + "/" + name));
    }

    /**
     * Runs the task on the writer thread once everything handed in before has been applied and published; the
     * task sees the view that results.
     */
    public CompletableFuture<Void> afterPending(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Barrier(task, done));
        if (!running) {
            // Closed meanwhile: the writer will never run it.
            done.completeExceptionally(new IllegalStateException("The catalog is closed"));
        }
        return done;
    }

    /** Stops the writer thread; mutations handed in afterwards are ignored, tasks waiting for it fail. */
    public void close() {
        running = false;
        writer.interrupt();
        for (Mutation mutation : queue) {
            if (mutation instanceof Barrier barrier) {
                barrier.done().completeExceptionally(new IllegalStateException("The catalog is closed"));
            }
        }
    }

    private void run() {
        List<Mutation> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(queue.take());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(batch);
            try {
                applyBatch(batch);
            }
            catch (RuntimeException ex) {
                // A bug here must not kill the only writer: log it and keep serving what we have.
                log.error("Could not apply a batch of {} changes to the catalog", batch.size(), ex);
            }
            batch.clear();
        }
    }

    private void applyBatch(List<Mutation> batch) {
        Set<ServiceKey> touched = new LinkedHashSet<>();
        List<Barrier> barriers = new ArrayList<>();
        for (Mutation mutation : batch) {
            if (mutation instanceof Barrier barrier) {
                barriers.add(barrier);
            }
            else {
                apply(mutation, touched);
            }
        }
        List<ChangeEvent> changes = new ArrayList<>();
        for (ServiceKey key : touched) {
            recompute(key, changes);
        }
        if (!changes.isEmpty()) {
            publish(changes);
            CatalogView published = view;
            for (CatalogListener listener : listeners) {
                try {
                    listener.onChanges(published, changes);
                }
                catch (RuntimeException ex) {
                    log.error("Catalog listener {} failed", listener, ex);
                }
            }
        }
        for (Barrier barrier : barriers) {
            try {
                barrier.task().run();
                barrier.done().complete(null);
            }
            catch (RuntimeException ex) {
                barrier.done().completeExceptionally(ex);
            }
        }
    }

    private void apply(Mutation mutation, Set<ServiceKey> touched) {
        if (mutation instanceof ServiceUpsert upsert) {
            services.put(upsert.service().key(), upsert.service());
            touched.add(upsert.service().key());
        }
        else if (mutation instanceof ServiceRemoval removal) {
            services.remove(removal.key());
            touched.add(removal.key());
        }
        else if (mutation instanceof SliceUpsert upsert) {
            EndpointSliceResource slice = upsert.slice();
            String sliceId = slice.namespace() + "/" + slice.name();
            ServiceKey previousOwner = sliceOwners.put(sliceId, slice.serviceKey());
            if (previousOwner != null && !previousOwner.equals(slice.serviceKey())) {
                detachSlice(previousOwner, slice.name());
                touched.add(previousOwner);
            }
            slicesByService.computeIfAbsent(slice.serviceKey(), key -> new TreeMap<>()).put(slice.name(), slice);
            touched.add(slice.serviceKey());
        }
        else if (mutation instanceof SliceRemoval removal) {
            ServiceKey owner = sliceOwners.remove(removal.sliceId());
            if (owner != null) {
                detachSlice(owner, removal.sliceId().substring(removal.sliceId().indexOf('/') + 1));
                touched.add(owner);
            }
        }
        else if (mutation instanceof PodUpsert upsert) {
            PodInfo previous = pods.put(upsert.pod().id(), upsert.pod());
            if (!upsert.pod().equals(previous)) {
                touched.addAll(podReferences.getOrDefault(upsert.pod().id(), Set.of()));
            }
        }
        else if (mutation instanceof PodRemoval removal) {
            if (pods.remove(removal.podId()) != null) {
                touched.addAll(podReferences.getOrDefault(removal.podId(), Set.of()));
            }
        }
    }

    private void detachSlice(ServiceKey owner, String sliceName) {
        Map<String, EndpointSliceResource> slices = slicesByService.get(owner);
        if (slices != null) {
            slices.remove(sliceName);
            if (slices.isEmpty()) {
                slicesByService.remove(owner);
            }
        }
    }

    private void recompute(ServiceKey key, List<ChangeEvent> changes) {
        ServiceSnapshot previous = snapshots.get(key);
        ServiceResource service = services.get(key);
        if (service == null) {
            indexPods(key, previous == null ? List.of() : previous.state().endpoints(), List.of());
            if (previous != null) {
                ServiceSnapshot tombstone = new ServiceSnapshot(previous.state(), epoch, ++revision, clock.instant(),
                        encoder);
                changes.add(new ChangeEvent(ChangeType.DELETED, tombstone, previous, System.nanoTime()));
            }
            return;
        }
        ServiceState state = new ServiceState(service, withPods(key, mergeEndpoints(slicesByService.get(key))));
        if (previous != null && previous.state().equals(state)) {
            return;
        }
        ServiceSnapshot snapshot = new ServiceSnapshot(state, epoch, ++revision, clock.instant(), encoder);
        changes.add(new ChangeEvent(previous == null ? ChangeType.ADDED : ChangeType.MODIFIED, snapshot, previous,
                System.nanoTime()));
    }

    /** The endpoints with the details of the pods behind them (when pods are watched), indexed for pod changes. */
    private List<Endpoint> withPods(ServiceKey key, List<Endpoint> endpoints) {
        ServiceSnapshot previous = snapshots.get(key);
        indexPods(key, previous == null ? List.of() : previous.state().endpoints(), endpoints);
        if (pods.isEmpty()) {
            return endpoints;
        }
        List<Endpoint> enriched = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            String podId = endpoint.podId(key.namespace());
            PodInfo pod = podId == null ? null : pods.get(podId);
            enriched.add(pod == null ? endpoint : endpoint.withPod(pod));
        }
        return enriched;
    }

    private void indexPods(ServiceKey key, List<Endpoint> before, List<Endpoint> after) {
        for (Endpoint endpoint : before) {
            String podId = endpoint.podId(key.namespace());
            if (podId != null) {
                Set<ServiceKey> services = podReferences.get(podId);
                if (services != null) {
                    services.remove(key);
                    if (services.isEmpty()) {
                        podReferences.remove(podId);
                    }
                }
            }
        }
        for (Endpoint endpoint : after) {
            String podId = endpoint.podId(key.namespace());
            if (podId != null) {
                podReferences.computeIfAbsent(podId, id -> new HashSet<>()).add(key);
            }
        }
    }

    /**
     * All endpoints of a Service's slices. An endpoint can sit in two slices for a moment while the controller
     * moves it; the copy in the slice whose name sorts first is kept, so the result does not depend on the
     * order events arrived in.
     */
    private static List<Endpoint> mergeEndpoints(Map<String, EndpointSliceResource> slices) {
        if (slices == null) {
            return List.of();
        }
        Map<String, Endpoint> unique = new LinkedHashMap<>();
        for (EndpointSliceResource slice : slices.values()) {
            for (Endpoint endpoint : slice.endpoints()) {
                unique.putIfAbsent(endpoint.identity(), endpoint);
            }
        }
        List<Endpoint> endpoints = new ArrayList<>(unique.values());
        endpoints.sort(ENDPOINT_ORDER);
        return endpoints;
    }

    private void publish(List<ChangeEvent> changes) {
        for (ChangeEvent change : changes) {
            namespaceRevisions.put(change.key().namespace(), change.revision());
            ServiceSnapshot previous;
            if (change.type() == ChangeType.DELETED) {
                previous = snapshots.remove(change.key());
                servicesPerNamespace.computeIfPresent(change.key().namespace(), (ns, n) -> n == 1 ? null : n - 1);
            }
            else {
                previous = snapshots.put(change.key(), change.snapshot());
                endpointCount += change.snapshot().state().endpoints().size();
                if (previous == null) {
                    servicesPerNamespace.merge(change.key().namespace(), 1, Integer::sum);
                }
            }
            if (previous != null) {
                endpointCount -= previous.state().endpoints().size();
            }
        }
        ServiceSnapshot[] published = changes.size() > REBUILD_THRESHOLD
                ? snapshots.values().toArray(ServiceSnapshot[]::new)
                : patch(view, changes);
        view = new CatalogView(epoch, revision, published, List.copyOf(new TreeSet<>(servicesPerNamespace.keySet())),
                Map.copyOf(namespaceRevisions), endpointCount, changes.get(changes.size() - 1).snapshot().changedAt());
    }

    /** The previous sorted array with each change applied by binary search and array copies. */
    private static ServiceSnapshot[] patch(CatalogView previous, List<ChangeEvent> changes) {
        List<ServiceSnapshot> list = new ArrayList<>(previous.services());
        for (ChangeEvent change : changes) {
            int index = indexOf(list, change.key());
            if (change.type() == ChangeType.DELETED) {
                if (index >= 0) {
                    list.remove(index);
                }
            }
            else if (index >= 0) {
                list.set(index, change.snapshot());
            }
            else {
                list.add(-index - 1, change.snapshot());
            }
        }
        return list.toArray(ServiceSnapshot[]::new);
    }

    private static int indexOf(List<ServiceSnapshot> list, ServiceKey key) {
        int low = 0;
        int high = list.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int cmp = list.get(mid).key().compareTo(key);
            if (cmp < 0) {
                low = mid + 1;
            }
            else if (cmp > 0) {
                high = mid - 1;
            }
            else {
                return mid;
            }
        }
        return -(low + 1);
    }

    private sealed interface Mutation
            permits ServiceUpsert, ServiceRemoval, SliceUpsert, SliceRemoval, PodUpsert, PodRemoval, Barrier {
    }

    private record PodUpsert(PodInfo pod) implements Mutation {
    }

    private record PodRemoval(String podId) implements Mutation {
    }

    private record ServiceUpsert(ServiceResource service) implements Mutation {
    }

    private record ServiceRemoval(ServiceKey key) implements Mutation {
    }

    private record SliceUpsert(EndpointSliceResource slice) implements Mutation {
    }

    private record SliceRemoval(String sliceId) implements Mutation {
    }

    private record Barrier(Runnable task, CompletableFuture<Void> done) implements Mutation {
    }
}
