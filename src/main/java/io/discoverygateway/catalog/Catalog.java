package io.discoverygateway.catalog;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
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
 * The one place that holds the gateway's state. The Kubernetes side hands it Services,
 * EndpointSlices and Pods (already mapped to the gateway's model); a single writer thread
 * applies them in order ({@link CatalogState} holds the rules), compares each touched
 * service's state with its previous snapshot, and only for a real difference assigns the
 * next revision, encodes the new snapshot and publishes a new {@link CatalogView}.
 * Listeners hear of each batch of changes on the writer thread.
 *
 * <p>
 * Threads: informer threads call the mutation methods, which only enqueue; the
 * {@code catalog-writer} thread owns everything else (the state, the snapshots, the
 * revision counter, the per-namespace counts) and publishes the view through a volatile
 * field, so readers on any thread never lock and always see a consistent view. Listeners
 * and {@link #afterPending} tasks run on the writer thread and must not block.
 */
public final class Catalog implements CatalogReader {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);

    /**
     * Above this many changes in one batch the published array is rebuilt instead of
     * patched.
     */
    private static final int REBUILD_THRESHOLD = 64;

    private final String epoch;

    private final SnapshotEncoder encoder;

    private final Clock clock;

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

    private final List<CatalogListener> listeners = new CopyOnWriteArrayList<>();

    private final Thread writer;

    private volatile CatalogView view;

    private volatile boolean running = true;

    // State below is touched by the writer thread only.
    private final CatalogState state = new CatalogState();

    private final TreeMap<ServiceKey, ServiceSnapshot> snapshots = new TreeMap<>();

    private final TreeMap<String, Integer> servicesPerNamespace = new TreeMap<>();

    /**
     * The revision of the latest change (deletions included) of a service in each
     * namespace.
     */
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

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public CatalogView view() {
        return view;
    }

    @Override
    public void addListener(CatalogListener listener) {
        listeners.add(listener);
    }

    public void upsertService(ServiceResource service) {
        queue.add(new Mutation.ServiceUpsert(service));
    }

    public void removeService(ServiceKey key) {
        queue.add(new Mutation.ServiceRemoval(key));
    }

    public void upsertSlice(EndpointSliceResource slice) {
        queue.add(new Mutation.SliceUpsert(slice));
    }

    public void removeSlice(ObjectKey slice) {
        queue.add(new Mutation.SliceRemoval(slice));
    }

    public void upsertPod(PodInfo pod) {
        queue.add(new Mutation.PodUpsert(pod));
    }

    public void removePod(ObjectKey pod) {
        queue.add(new Mutation.PodRemoval(pod));
    }

    @Override
    public CompletableFuture<Void> afterPending(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Barrier(task, done));
        if (!running) {
            // Closed meanwhile: the writer will never run it.
            done.completeExceptionally(new IllegalStateException("The catalog is closed"));
        }
        return done;
    }

    /**
     * Stops the writer thread; mutations handed in afterwards are ignored, tasks waiting
     * for it fail.
     */
    public void close() {
        running = false;
        writer.interrupt();
        for (Object item : queue) {
            if (item instanceof Barrier barrier) {
                barrier.done().completeExceptionally(new IllegalStateException("The catalog is closed"));
            }
        }
    }

    private void run() {
        List<Object> batch = new ArrayList<>();
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
                // A bug here must not kill the only writer: log it and keep serving what
                // we have.
                log.error("Could not apply a batch of {} changes to the catalog", batch.size(), ex);
            }
            batch.clear();
        }
    }

    private void applyBatch(List<Object> batch) {
        Set<ServiceKey> touched = new LinkedHashSet<>();
        List<Barrier> barriers = new ArrayList<>();
        for (Object item : batch) {
            if (item instanceof Barrier barrier) {
                barriers.add(barrier);
            }
            else {
                touched.addAll(state.apply((Mutation) item));
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

    /**
     * Turns the service's new state into a change event, with the next revision, when it
     * really changed.
     */
    private void recompute(ServiceKey key, List<ChangeEvent> changes) {
        ServiceSnapshot previous = snapshots.get(key);
        ServiceState current = state.stateOf(key);
        if (current == null) {
            if (previous != null) {
                ServiceSnapshot tombstone = new ServiceSnapshot(previous.state(), epoch, ++revision, clock.instant(),
                        encoder);
                changes.add(new ChangeEvent(ChangeType.DELETED, tombstone, previous, System.nanoTime()));
            }
            return;
        }
        if (previous != null && previous.state().equals(current)) {
            return;
        }
        ServiceSnapshot snapshot = new ServiceSnapshot(current, epoch, ++revision, clock.instant(), encoder);
        changes.add(new ChangeEvent(previous == null ? ChangeType.ADDED : ChangeType.MODIFIED, snapshot, previous,
                System.nanoTime()));
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
                ? snapshots.values().toArray(ServiceSnapshot[]::new) : patch(view, changes);
        view = new CatalogView(epoch, revision, published, List.copyOf(new TreeSet<>(servicesPerNamespace.keySet())),
                Map.copyOf(namespaceRevisions), endpointCount, changes.get(changes.size() - 1).snapshot().changedAt());
    }

    /**
     * The previous sorted array with each change applied by binary search and array
     * copies.
     */
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

    private record Barrier(Runnable task, CompletableFuture<Void> done) {
    }

}
