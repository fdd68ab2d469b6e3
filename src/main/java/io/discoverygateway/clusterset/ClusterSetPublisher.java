package io.discoverygateway.clusterset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointSliceResource;
import io.discoverygateway.catalog.ObjectKey;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServicePort;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.clusterset.MemberState.Availability;
import io.discoverygateway.clusterset.MemberState.Export;
import io.discoverygateway.runtime.DaemonThreads;
import io.discoverygateway.runtime.GatewayLifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps the cluster-set view: whenever a cluster's catalog or exports change, and every
 * second for the clusters' staleness, merges again the cluster-set services whose inputs
 * changed (their snapshots, exports, availability), encodes each of those once, and
 * publishes an immutable {@link ClusterSetView}.
 *
 * <p>
 * Threads: one daemon thread ({@code clusterset-publisher}) owns the merge state and the
 * revision counter and publishes the view (volatile); the catalogs' writer threads and
 * the export informers only ask for a publication (a flag, never blocking).
 */
public final class ClusterSetPublisher implements GatewayLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterSetPublisher.class);

    private final List<ClusterMember> members;

    private final String exportAnnotation;

    private final Duration withdrawAfter;

    private final Clock clock;

    private final JsonMapper json = JsonMapper.builder().build();

    private final AtomicBoolean requested = new AtomicBoolean();

    private volatile ScheduledExecutorService thread;

    private volatile ClusterSetView view = ClusterSetView.EMPTY;

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Owned by the publisher thread: what the last publication was made from. */
    private List<Object> lastInputs = List.of();

    private long revision;

    /**
     * The cluster-set services as a catalog of their own, for the cluster set's stream:
     * written by the publisher thread only.
     */
    private final Catalog mirror;

    /** Owned by the publisher thread: the mirror's slices of each service, by cluster. */
    private final Map<ServiceKey, Set<String>> mirroredClusters = new HashMap<>();

    /**
     * @param members the clusters of the set, this one first
     * @param mirror an empty catalog that the publisher keeps equal to the cluster-set
     * view (a service per cluster-set service, an endpoint slice per cluster), for the
     * cluster set's stream
     */
    public ClusterSetPublisher(List<ClusterMember> members, String exportAnnotation, Duration withdrawAfter,
            Clock clock, Catalog mirror) {
        this.mirror = mirror;
        this.members = List.copyOf(members);
        this.exportAnnotation = exportAnnotation;
        this.withdrawAfter = withdrawAfter;
        this.clock = clock;
    }

    /** The latest published view; never null. */
    public ClusterSetView view() {
        return view;
    }

    public List<ClusterMember> members() {
        return members;
    }

    /**
     * The cluster-set services as a catalog: each a Service of type ClusterSetIP or
     * Headless with the union of ports, its endpoints those of every served cluster, each
     * with its cluster.
     */
    public CatalogReader catalog() {
        return mirror;
    }

    /** This cluster's name in the set. */
    public String localName() {
        return members.stream().filter(ClusterMember::local).findFirst().map(ClusterMember::name).orElseThrow();
    }

    /**
     * Tells the listener of every later publication, on the publisher's thread: it must
     * return quickly and never block.
     */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Told of each published view and the cluster-set services it changed or removed. */
    @FunctionalInterface
    public interface Listener {

        void published(ClusterSetView view, Set<ServiceKey> changed);

    }

    @Override
    public synchronized void start() {
        thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("clusterset-publisher"));
        for (ClusterMember member : members) {
            member.catalog().addListener((catalogView, changes) -> request());
            member.exports().onChange(this::request);
        }
        thread.scheduleWithFixedDelay(this::publishIfChanged, 0, 1, TimeUnit.SECONDS);
    }

    private void request() {
        ScheduledExecutorService current = thread;
        if (current != null && requested.compareAndSet(false, true)) {
            current.execute(this::publishIfChanged);
        }
    }

    private void publishIfChanged() {
        requested.set(false);
        try {
            Instant now = clock.instant();
            List<Object> inputs = new ArrayList<>();
            for (ClusterMember member : members) {
                inputs.add(member.catalog().view());
                inputs.add(member.exports().changes());
                inputs.add(availability(member, now));
                inputs.add(member.staleSince());
            }
            if (!inputs.equals(lastInputs)) {
                publish(now);
                lastInputs = inputs;
            }
        }
        catch (RuntimeException ex) {
            // The thread must go on: the next change or tick tries again.
            log.error("Could not publish the cluster set", ex);
        }
    }

    private void publish(Instant now) {
        List<MemberState> states = new ArrayList<>(members.size());
        TreeSet<ServiceKey> keys = new TreeSet<>();
        for (ClusterMember member : members) {
            MemberState state = state(member, now);
            states.add(state);
            keys.addAll(state.exported().keySet());
        }
        ClusterSetView previous = view;
        Map<ServiceKey, ClusterSetView.Entry> services = new HashMap<>();
        Set<ServiceKey> touched = new HashSet<>();
        int conflicted = 0;
        for (ServiceKey key : keys) {
            List<Object> fingerprint = new ArrayList<>(states.size() * 4);
            for (MemberState state : states) {
                fingerprint.add(state.availability());
                fingerprint.add(state.staleSince());
                fingerprint.add(state.exported().get(key));
            }
            ClusterSetView.Entry entry = previous.find(key)
                .filter(known -> known.fingerprint().equals(fingerprint))
                .orElse(null);
            if (entry == null) {
                Optional<ClusterSetService> merged = ClusterSetMerge.merge(key, states);
                if (merged.isEmpty()) {
                    continue;
                }
                ClusterSetService service = merged.get().withRevision(++revision);
                List<ClusterSetService.Conflict> before = previous.find(key)
                    .map(known -> known.service().conflicts())
                    .orElse(List.of());
                if (!service.conflicts().isEmpty() && !service.conflicts().equals(before)) {
                    service.conflicts()
                        .forEach(conflict -> log.warn(
                                "Cluster-set service {}: the {} of {} differ from the oldest export's ({}): {}", key,
                                conflict.field(), conflict.clusters(), conflict.winner(), conflict.detail()));
                }
                entry = new ClusterSetView.Entry(service, json.writeValueAsBytes(service),
                        Collections.unmodifiableList(fingerprint));
                touched.add(key);
            }
            services.put(key, entry);
            if (!entry.service().conflicts().isEmpty()) {
                conflicted++;
            }
        }
        for (ServiceKey key : previous.services().keySet()) {
            if (!services.containsKey(key)) {
                touched.add(key);
            }
        }
        if (!touched.isEmpty()) {
            if (touched.stream().noneMatch(services::containsKey)) {
                // Only removals: the view still moves on.
                revision++;
            }
            ClusterSetView published = new ClusterSetView(revision, services, conflicted);
            view = published;
            touched.forEach(key -> mirror(key, services.get(key)));
            Set<ServiceKey> changed = Set.copyOf(touched);
            listeners.forEach(listener -> listener.published(published, changed));
        }
    }

    /**
     * Writes a changed cluster-set service to the mirror catalog: the service, a slice of
     * each cluster's endpoints, and the removal of the slices of clusters gone.
     */
    private void mirror(ServiceKey key, ClusterSetView.Entry entry) {
        Set<String> before = mirroredClusters.getOrDefault(key, Set.of());
        Set<String> now = new TreeSet<>();
        if (entry != null) {
            ClusterSetService service = entry.service();
            Map<String, List<Endpoint>> byCluster = new TreeMap<>();
            Set<String> families = new TreeSet<>();
            for (ClusterSetService.ClusterEndpoint endpoint : service.endpoints()) {
                byCluster.computeIfAbsent(endpoint.cluster(), cluster -> new ArrayList<>())
                    .add(endpoint.endpoint().inCluster(endpoint.cluster()));
                families.add(endpoint.endpoint().addressType());
            }
            service.clusters().forEach(cluster -> byCluster.putIfAbsent(cluster.cluster(), List.of()));
            families.remove("FQDN");
            mirror.upsertService(new ServiceResource(key, "", service.type(), List.of(),
                    families.isEmpty() ? List.of("IPv4") : List.copyOf(families), null,
                    service.ports()
                        .stream()
                        .map(port -> new ServicePort(port.name(), port.port(), null, port.protocol(),
                                port.appProtocol()))
                        .toList(),
                    clusterLabels(service), Map.of()));
            byCluster.forEach((cluster, endpoints) -> {
                mirror.upsertSlice(
                        new EndpointSliceResource(key.namespace(), sliceName(key, cluster), key.name(), endpoints));
                now.add(cluster);
            });
        }
        for (String cluster : before) {
            if (!now.contains(cluster)) {
                mirror.removeSlice(new ObjectKey(key.namespace(), sliceName(key, cluster)));
            }
        }
        if (entry == null) {
            mirror.removeService(key);
            mirroredClusters.remove(key);
        }
        else {
            mirroredClusters.put(key, now);
        }
    }

    /**
     * The label of a cluster that exports a service, on the mirror's services: the
     * cluster set's stream selects a cluster's services with it ({@code cluster=}).
     */
    public static String clusterLabel(String cluster) {
        return "clusters.discovery-gateway.io/" + cluster;
    }

    private static Map<String, String> clusterLabels(ClusterSetService service) {
        Map<String, String> labels = new TreeMap<>();
        service.clusters().forEach(cluster -> labels.put(clusterLabel(cluster.cluster()), "true"));
        return labels;
    }

    private static String sliceName(ServiceKey key, String cluster) {
        return key.name() + "." + cluster;
    }

    /** The cluster as the merge sees it now. */
    private MemberState state(ClusterMember member, Instant now) {
        Map<ServiceKey, Export> exported = new HashMap<>();
        CatalogView catalog = member.catalog().view();
        for (ServiceSnapshot snapshot : catalog.services()) {
            ServiceKey key = snapshot.key();
            Instant exportedAt = member.exports().exportedAt(key);
            if (exportedAt != null) {
                exported.put(key, new Export(snapshot, exportedAt));
            }
            else if ("true".equals(snapshot.state().service().annotations().get(exportAnnotation))) {
                exported.put(key, new Export(snapshot, null));
            }
        }
        return new MemberState(member.name(), member.local(), availability(member, now),
                member.staleSince().orElse(null), member.staleReason(), exported);
    }

    /**
     * Syncing until listed; stale while its API cannot be watched; a remote cluster
     * withdrawn once that has lasted withdraw-after (this cluster's data is always
     * served: the gateway's own readiness speaks for it).
     */
    private Availability availability(ClusterMember member, Instant now) {
        if (!member.synced()) {
            return Availability.SYNCING;
        }
        if (member.staleSince().isEmpty()) {
            return Availability.CURRENT;
        }
        return withdrawn(member, now) ? Availability.WITHDRAWN : Availability.STALE;
    }

    /**
     * Whether the cluster's endpoints are withdrawn now: a remote cluster that has not
     * been watchable for {@code withdraw-after} (never with zero).
     */
    public boolean withdrawn(ClusterMember member, Instant now) {
        Optional<Instant> staleSince = member.staleSince();
        return !member.local() && staleSince.isPresent() && !withdrawAfter.isZero()
                && Duration.between(staleSince.get(), now).compareTo(withdrawAfter) >= 0;
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService current = thread;
        thread = null;
        if (current != null) {
            current.shutdownNow();
        }
        mirror.close();
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

}
