package io.discoverygateway.xds;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import com.google.protobuf.Message;
import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.catalog.CatalogListener;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.clusterset.ClusterSetPublisher;
import io.discoverygateway.clusterset.ClusterSetView;
import io.discoverygateway.runtime.DaemonThreads;
import io.discoverygateway.xds.XdsSnapshot.Answer;
import io.discoverygateway.xds.XdsSnapshot.Published;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The xDS resources of the catalog (and of the cluster set, with one:
 * {@link ServiceResources#ofClusterSet}) and the clients' open watches (state of the
 * world, and incremental: a delta client is sent only the resources whose version it does
 * not hold, and the names of those gone), in the role that go-control-plane's snapshot
 * cache plays, with what a gateway of many clients needs on top: one set of resources
 * shared by every client (built once per change of a service, filtered by the client's
 * namespaces), versions per resource, and no resend of what a client has just rejected.
 *
 * <p>
 * Threads: the catalog's writer only records which services changed ({@link #onChanges}),
 * as does the {@code clusterset-publisher} for cluster-set services (with a cluster set);
 * the single {@code xds-publisher} thread owns the per-service resources, builds each new
 * {@link XdsSnapshot} and answers the watches it affects (an answer is queued on the
 * stream's {@code xds-sender} thread, which encodes and writes it); gRPC threads create
 * and cancel watches. {@code lock} guards the set of open watches and the publication of
 * a snapshot, so that a watch is either answered when created or sees the next
 * publication.
 */
final class XdsCache implements ConfigWatcher, CatalogListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(XdsCache.class);

    private final CatalogReader catalog;

    private final XdsMetrics metrics;

    private final ExecutorService publisher = Executors.newSingleThreadExecutor(DaemonThreads.named("xds-publisher"));

    // Written by the catalog's writer, drained by the publisher.
    private final Object pendingLock = new Object();

    private Set<Source> pending = new LinkedHashSet<>();

    private CatalogView pendingView;

    private ClusterSetView pendingClusterSet = ClusterSetView.EMPTY;

    private long oldestPendingNanos;

    private boolean drainScheduled;

    // Owned by the publisher thread.
    private final Map<Source, ServiceResources> services = new HashMap<>();

    /** This cluster's name in the cluster set (with one). */
    private final String localCluster;

    /**
     * What a set of resources is made from: a Service of this cluster, or a cluster-set
     * service.
     */
    private record Source(ServiceKey service, boolean clusterSet) {
    }

    private final Object lock = new Object();

    private final Set<OpenWatch> watches = new HashSet<>();

    private final Set<OpenDeltaWatch> deltaWatches = new HashSet<>();

    private final Map<String, Boolean> reportedRejections = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 1024;
        }
    };

    private volatile XdsSnapshot snapshot;

    XdsCache(CatalogReader catalog, XdsMetrics metrics) {
        this(catalog, metrics, null);
    }

    /**
     * @param clusterSet the cluster-set view to publish too
     * ({@code name.namespace.clusterset:port}), or null
     */
    XdsCache(CatalogReader catalog, XdsMetrics metrics, ClusterSetPublisher clusterSet) {
        this.catalog = catalog;
        this.metrics = metrics;
        this.localCluster = clusterSet == null ? "" : clusterSet.localName();
        this.snapshot = XdsSnapshot.empty(catalog.epoch());
        this.pendingView = catalog.view();
        catalog.addListener(this);
        // Whatever the catalog held before this listener was added.
        catalog.afterPending(() -> enqueue(catalog.view(),
                catalog.view().services().stream().map(ServiceSnapshot::key).toList(), System.nanoTime()));
        if (clusterSet != null) {
            clusterSet.addListener((view, changed) -> enqueueClusterSet(view, changed));
            ClusterSetView current = clusterSet.view();
            enqueueClusterSet(current, current.services().keySet());
        }
    }

    @Override
    public void onChanges(CatalogView view, List<ChangeEvent> changes) {
        enqueue(view, changes.stream().map(ChangeEvent::key).toList(),
                changes.isEmpty() ? System.nanoTime() : changes.get(0).appliedAtNanos());
    }

    private void enqueueClusterSet(ClusterSetView view, Collection<ServiceKey> keys) {
        synchronized (pendingLock) {
            pendingClusterSet = view;
            add(keys.stream().map(key -> new Source(key, true)).toList(), System.nanoTime());
        }
    }

    private void enqueue(CatalogView view, List<ServiceKey> keys, long appliedAtNanos) {
        synchronized (pendingLock) {
            pendingView = view;
            add(keys.stream().map(key -> new Source(key, false)).toList(), appliedAtNanos);
        }
    }

    /** Called with pendingLock held. */
    private void add(List<Source> keys, long appliedAtNanos) {
        if (pending.isEmpty()) {
            oldestPendingNanos = appliedAtNanos;
        }
        pending.addAll(keys);
        if (!drainScheduled) {
            drainScheduled = true;
            publisher.execute(this::publish);
        }
    }

    /**
     * Completes once everything the catalog had published before the call is published
     * here too.
     */
    CompletableFuture<Void> caughtUp() {
        return catalog.afterPending(() -> {
        }).thenCompose(done -> CompletableFuture.runAsync(() -> {
        }, publisher));
    }

    XdsSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Applies every pending change at once (a burst costs one snapshot), then answers the
     * affected watches.
     */
    private void publish() {
        Set<Source> keys;
        CatalogView view;
        ClusterSetView clusterSetView;
        long since;
        synchronized (pendingLock) {
            keys = pending;
            view = pendingView;
            clusterSetView = pendingClusterSet;
            since = oldestPendingNanos;
            pending = new LinkedHashSet<>();
            drainScheduled = false;
        }
        try {
            Map<XdsType, Map<String, String>> changed = apply(keys, view, clusterSetView);
            if (!changed.isEmpty()) {
                answerAffectedWatches(changed, since);
            }
        }
        catch (RuntimeException ex) {
            log.error("Publishing xDS resources failed; the previous ones stay published", ex);
        }
    }

    /**
     * Rebuilds the changed services' resources; returns, per type, the changed
     * publication keys and their namespaces.
     */
    private Map<XdsType, Map<String, String>> apply(Set<Source> sources, CatalogView view,
            ClusterSetView clusterSetView) {
        XdsSnapshot previous = snapshot;
        Map<XdsType, SortedMap<String, Published>> next = new EnumMap<>(XdsType.class);
        Map<XdsType, Map<String, String>> changed = new EnumMap<>(XdsType.class);
        for (Source source : sources) {
            ServiceKey key = source.service();
            ServiceResources before = services.get(source);
            ServiceResources after = source.clusterSet() ? clusterSetView.find(key)
                .map(entry -> ServiceResources.ofClusterSet(entry.service(), localCluster))
                .orElse(null) : build(view.find(key), before);
            if (after == null) {
                services.remove(source);
            }
            else {
                services.put(source, after);
            }
            for (XdsType type : XdsType.values()) {
                Map<String, ? extends Message> old = before == null ? Map.of() : before.of(type);
                Map<String, ? extends Message> now = after == null ? Map.of() : after.of(type);
                if (old.isEmpty() && now.isEmpty()) {
                    continue;
                }
                // Copied once per publication and type (linear: the previous map is
                // sorted already).
                SortedMap<String, Published> resources = next.computeIfAbsent(type, t -> new TreeMap<>(previous.of(t)));
                for (String name : old.keySet()) {
                    if (!now.containsKey(name)) {
                        resources.remove(name);
                        changed.computeIfAbsent(type, t -> new HashMap<>()).put(name, key.namespace());
                    }
                }
                now.forEach((name, message) -> {
                    Published current = resources.get(name);
                    if (current == null || !current.resource().equals(message)) {
                        resources.put(name, new Published(name, message, after.revision(), key.namespace()));
                        changed.computeIfAbsent(type, t -> new HashMap<>()).put(name, key.namespace());
                    }
                });
            }
        }
        if (!changed.isEmpty()) {
            Map<XdsType, SortedMap<String, Published>> all = new EnumMap<>(XdsType.class);
            for (XdsType type : XdsType.values()) {
                SortedMap<String, Published> resources = next.get(type);
                all.put(type, resources == null ? previous.of(type) : Collections.unmodifiableSortedMap(resources));
            }
            synchronized (lock) {
                snapshot = previous.with(all);
            }
        }
        return changed;
    }

    /**
     * The service's new resources; its last valid ones when the new state is invalid;
     * null when it is gone.
     */
    private ServiceResources build(Optional<ServiceSnapshot> snapshot, ServiceResources before) {
        if (snapshot.isEmpty()) {
            return null;
        }
        ServiceSnapshot service = snapshot.get();
        try {
            return ServiceResources.of(service);
        }
        catch (ServiceResources.InvalidResourceException ex) {
            metrics.invalidService();
            log.warn("Not publishing the xDS resources of {} at revision {}: {}; {}", service.key(), service.revision(),
                    ex.getMessage(),
                    before == null ? "it has none until it is fixed" : "its previous ones stay published");
            return before;
        }
    }

    private void answerAffectedWatches(Map<XdsType, Map<String, String>> changed, long since) {
        Map<AnswerKey, Answer> answers = new HashMap<>();
        List<OpenWatch> answered = new ArrayList<>();
        synchronized (lock) {
            XdsSnapshot current = snapshot;
            for (OpenWatch watch : watches) {
                Map<String, String> names = changed.get(watch.type);
                if (names == null || !watch.affectedBy(names)) {
                    continue;
                }
                // Clients with the same interest share one answer (and one encoding of
                // every resource in it).
                Answer answer = answers.computeIfAbsent(new AnswerKey(watch.type, watch.names, watch.scope),
                        key -> current.answer(key.type(), key.names(), key.scope()));
                if (!answer.version().equals(watch.heldVersion)) {
                    answered.add(watch);
                    watch.respondWith(answer);
                }
            }
            answered.forEach(watches::remove);
            List<OpenDeltaWatch> deltasAnswered = new ArrayList<>();
            for (OpenDeltaWatch watch : deltaWatches) {
                Map<String, String> names = changed.get(watch.type);
                if (names == null || !affects(names, watch.subscribed(), watch.scope)) {
                    continue;
                }
                DeltaResponse response = watch.diff(current);
                if (response != null) {
                    deltasAnswered.add(watch);
                    watch.respondWith(response);
                }
            }
            deltasAnswered.forEach(deltaWatches::remove);
            deltasAnswered.forEach(watch -> metrics.pushed(watch.type, since));
        }
        answered.forEach(watch -> metrics.pushed(watch.type, since));
    }

    /**
     * Whether a change of these publication keys (with their namespaces) concerns a
     * subscription to these names (empty: every name) within the scope.
     */
    private static boolean affects(Map<String, String> changedNames, Set<String> names, NamespaceScope scope) {
        if (XdsSnapshot.isWildcard(names)) {
            return changedNames.values().stream().anyMatch(scope::includes);
        }
        for (Map.Entry<String, String> changed : changedNames.entrySet()) {
            if (names.contains(XdsNames.resourceName(changed.getKey())) && scope.includes(changed.getValue())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
            Consumer<Response> responseConsumer, boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
        XdsSession session = XdsSession.current();
        XdsType type = XdsType.of(request.getTypeUrl());
        OpenWatch watch = new OpenWatch(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer, type,
                Set.copyOf(request.getResourceNamesList()), session.scope());
        if (type == null) {
            // A type the gateway does not serve (secrets, runtime...): never answered,
            // never an error.
            return watch;
        }
        synchronized (lock) {
            Answer answer = snapshot.answer(type, watch.names, watch.scope);
            if (request.hasErrorDetail()) {
                // A NACK: the client keeps what it had. Sending the same again would only
                // be rejected again; wait
                // until something in it changes.
                metrics.nack(type);
                String report = type.label() + '|' + answer.version() + '|'
                        + request.v3Request().getErrorDetail().getMessage();
                if (reportedRejections.put(report, Boolean.TRUE) == null) {
                    log.warn("xDS client {} ({}) rejected {} version {}: {}", session.client(),
                            request.v3Request().getNode().getId(), type.label(), answer.version(),
                            request.v3Request().getErrorDetail().getMessage());
                }
                watch.heldVersion = answer.version();
            }
            else if (!answer.version().equals(request.getVersionInfo())
                    || (hasClusterChanged && type == XdsType.ENDPOINTS)) {
                watch.respondWith(answer);
                metrics.answered(type);
                return watch;
            }
            else {
                watch.heldVersion = answer.version();
            }
            watches.add(watch);
            watch.setStop(() -> {
                synchronized (lock) {
                    watches.remove(watch);
                }
            });
        }
        return watch;
    }

    /**
     * Incremental (delta) xDS: the client is sent only the resources whose version
     * differs from the one it holds ({@code resourceVersions}, as the server tracks what
     * it acknowledged), the ones it newly subscribed to, and the names of those it held
     * that no longer exist (or left its scope). Nothing to send: the watch waits for a
     * change. A rejection (NACK) is not answered with the same resources again: the watch
     * waits for a change.
     */
    @Override
    public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
            Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
            Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
        XdsSession session = XdsSession.current();
        XdsType type = XdsType.of(request.getTypeUrl());
        // What the client said it held when it connected counts as held until it is sent
        // something newer: the
        // server tracks only what it sent itself.
        Map<String, String> atConnect = session.heldAtConnect()
            .computeIfAbsent(request.getTypeUrl(), url -> new ConcurrentHashMap<>());
        atConnect.putAll(request.getInitialResourceVersionsMap());
        Map<String, String> held = new HashMap<>(resourceVersions);
        atConnect.forEach(held::putIfAbsent);
        OpenDeltaWatch watch = new OpenDeltaWatch(request, held, pendingResources, requesterVersion, isWildcard,
                responseConsumer, type, session.scope(), atConnect);
        if (type == null) {
            return watch;
        }
        synchronized (lock) {
            if (request.hasErrorDetail()) {
                metrics.nack(type);
                String report = type.label() + "|delta|" + request.v3Request().getErrorDetail().getMessage();
                if (reportedRejections.put(report, Boolean.TRUE) == null) {
                    log.warn("xDS client {} ({}) rejected a delta of {}: {}", session.client(),
                            request.v3Request().getNode().getId(), type.label(),
                            request.v3Request().getErrorDetail().getMessage());
                }
            }
            else {
                DeltaResponse response = watch.diff(snapshot);
                if (response != null) {
                    watch.respondWith(response);
                    metrics.answered(type);
                    return watch;
                }
            }
            deltaWatches.add(watch);
            watch.setStop(() -> {
                synchronized (lock) {
                    deltaWatches.remove(watch);
                }
            });
        }
        return watch;
    }

    @Override
    public void close() {
        publisher.shutdownNow();
    }

    private record AnswerKey(XdsType type, Set<String> names, NamespaceScope scope) {
    }

    /** A client's request for one type, waiting for a change of what it asked for. */
    private static final class OpenWatch extends Watch {

        final XdsType type;

        final Set<String> names;

        final NamespaceScope scope;

        /**
         * The version of what the client holds (or rejected): it is answered when the
         * answer differs.
         */
        String heldVersion;

        OpenWatch(boolean ads, boolean allowDefaultEmptyEdsUpdate, XdsRequest request,
                Consumer<Response> responseConsumer, XdsType type, Set<String> names, NamespaceScope scope) {
            super(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer);
            this.type = type;
            this.names = names;
            this.scope = scope;
        }

        boolean affectedBy(Map<String, String> changedNames) {
            return affects(changedNames, names, scope);
        }

        void respondWith(Answer answer) {
            try {
                respond(Response.create(request(), answer.resources(), answer.version()));
            }
            catch (io.envoyproxy.controlplane.cache.WatchCancelledException ex) {
                // The stream moved on or closed meanwhile; its next request gets a new
                // watch.
            }
        }

    }

    /**
     * A client's incremental subscription to one type, waiting for a change of what it
     * holds or asked for.
     */
    private static final class OpenDeltaWatch extends DeltaWatch {

        final XdsType type;

        final NamespaceScope scope;

        private final Map<String, String> heldAtConnect;

        OpenDeltaWatch(DeltaXdsRequest request, Map<String, String> held, Set<String> pending, String version,
                boolean wildcard, Consumer<DeltaResponse> responseConsumer, XdsType type, NamespaceScope scope,
                Map<String, String> heldAtConnect) {
            super(request, Map.copyOf(held), Set.copyOf(pending), version, wildcard, responseConsumer);
            this.type = type;
            this.scope = scope;
            this.heldAtConnect = heldAtConnect;
        }

        /**
         * The names it follows: every one (empty) when wildcard, else those it holds and
         * those it asked for.
         */
        Set<String> subscribed() {
            if (isWildcard()) {
                return Set.of();
            }
            Set<String> names = new HashSet<>(trackedResources().keySet());
            names.addAll(pendingResources());
            return names;
        }

        /**
         * What the client is missing in this snapshot, or null when it holds exactly what
         * it may see.
         */
        DeltaResponse diff(XdsSnapshot snapshot) {
            Set<String> names = subscribed();
            if (!isWildcard() && names.isEmpty()) {
                return null;
            }
            Map<String, io.envoyproxy.controlplane.cache.VersionedResource<?>> changed = new LinkedHashMap<>();
            Set<String> present = new HashSet<>();
            for (XdsSnapshot.Visible resource : snapshot.visible(type, names, scope)) {
                present.add(resource.name());
                if (!resource.version().equals(trackedResources().get(resource.name()))) {
                    changed.put(resource.name(), io.envoyproxy.controlplane.cache.VersionedResource
                        .create(resource.resource(), resource.version()));
                }
            }
            List<String> removed = trackedResources().keySet()
                .stream()
                .filter(name -> !present.contains(name))
                .sorted()
                .toList();
            if (changed.isEmpty() && removed.isEmpty()) {
                return null;
            }
            return DeltaResponse.create(request(), changed, removed, snapshot.version(type));
        }

        void respondWith(DeltaResponse response) {
            // From now on the server tracks these names itself.
            response.resources().keySet().forEach(heldAtConnect::remove);
            response.removedResources().forEach(heldAtConnect::remove);
            try {
                respond(response);
            }
            catch (io.envoyproxy.controlplane.cache.WatchCancelledException ex) {
                // The stream moved on or closed meanwhile.
            }
        }

    }

}
