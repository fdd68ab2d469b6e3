package io.discoverygateway.kubernetes;

import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.google.gson.reflect.TypeToken;
import io.discoverygateway.WatchScope;
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.clusterset.ExportIndex;
import io.discoverygateway.protocol.Backoff;
import io.discoverygateway.runtime.DaemonThreads;
import io.discoverygateway.runtime.GatewayLifecycle;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleBindingList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.util.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Runs the gateway's informers: exactly one list-and-watch of Services and one of
 * EndpointSlices (and of Pods, with pod metadata) per watched namespace, or one of each
 * cluster-wide, whatever the number of consumers. Started in the background: the
 * application comes up even when the API server is unreachable, and readiness waits for
 * {@link #synced()}. Whether the data is current is {@link InformerHealth}'s business.
 *
 * <p>
 * Threads: Spring's lifecycle thread starts and stops it (synchronized); each informer
 * has its reflector and processor threads from the Kubernetes client (they call the
 * {@link CatalogFeeder} and {@link InformerHealth}); one thread
 * ({@code informer-sync-check}) polls for the initial sync and then hands a barrier to
 * the catalog's writer, which sets {@code syncedAt} (volatile) once the catalog holds
 * everything listed.
 */
public final class KubernetesWatchers implements GatewayLifecycle, InformerSync {

    /**
     * Below the web server's phase ({@code DEFAULT_PHASE - 2048}; its graceful shutdown
     * runs at {@code DEFAULT_PHASE - 1024}) and the streams': informers start, without
     * blocking, before the first request can arrive, and stop only after the web server
     * has drained.
     */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger log = LoggerFactory.getLogger(KubernetesWatchers.class);

    private final ApiClient apiClient;

    private final KubernetesConnection connection;

    private final WatchScope scope;

    private final String serviceLabelSelector;

    private final Catalog catalog;

    private final CatalogFeeder feeder;

    private final InformerHealth health;

    private final Backoff backoff;

    private final WatchHealth watchHealth;

    private final Duration syncCheckInterval;

    private final Optional<PodMapper> podMapper;

    private final Optional<RoleBindingIndex> roleBindings;

    private final Optional<ExportIndex> exports;

    /** Empty for the cluster the gateway runs in; a remote cluster's name otherwise. */
    private final String cluster;

    private final List<SharedInformerFactory> factories = new ArrayList<>();

    private final Map<String, SharedIndexInformer<?>> informers = new ConcurrentHashMap<>();

    private Watchdog watchdog;

    // Written by the lifecycle thread in start(), read by the sync-check thread:
    // volatile.
    private volatile ScheduledExecutorService syncMonitor;

    private volatile ScheduledFuture<?> syncCheck;

    private volatile boolean running;

    private volatile Instant syncedAt;

    /**
     * @param podMapper present to watch Pods too ({@code gateway.pod-metadata.enabled})
     * @param roleBindings present to watch RoleBindings too, for consumer authorization
     * ({@code gateway.auth.role-binding-prefilter}); they are no part of the catalog, its
     * sync or its staleness
     * @param exports present to watch ServiceExports too, for the cluster set
     * ({@code gateway.clusterset.enabled}); no part of the catalog's sync either
     * @param cluster the remote cluster these watch, named in their names and logs; empty
     * for the cluster the gateway runs in
     */
    KubernetesWatchers(ApiClient apiClient, KubernetesConnection connection, WatchScope scope,
            String serviceLabelSelector, Catalog catalog, CatalogFeeder feeder, InformerHealth health, Backoff backoff,
            WatchHealth watchHealth, Duration syncCheckInterval, Optional<PodMapper> podMapper,
            Optional<RoleBindingIndex> roleBindings, Optional<ExportIndex> exports, String cluster) {
        this.apiClient = apiClient;
        this.connection = connection;
        this.scope = scope;
        this.serviceLabelSelector = serviceLabelSelector;
        this.catalog = catalog;
        this.feeder = feeder;
        this.health = health;
        this.backoff = backoff;
        this.watchHealth = watchHealth;
        this.syncCheckInterval = syncCheckInterval;
        this.podMapper = podMapper;
        this.roleBindings = roleBindings;
        this.exports = exports;
        this.cluster = cluster;
    }

    @Override
    public synchronized void start() {
        watchdog = new Watchdog(watchHealth, 500);
        String selector = serviceLabelSelector.isBlank() ? null : serviceLabelSelector;
        List<String> namespaces = scope.allNamespaces() ? List.of("") : scope.namespaces();
        for (String namespace : namespaces) {
            SharedInformerFactory factory = new SharedInformerFactory(apiClient);
            String where = (namespace.isEmpty() ? "all namespaces" : namespace)
                    + (cluster.isEmpty() ? "" : " of cluster " + cluster);
            catalogInformer(factory, "Services in " + where,
                    ListCall.of(apiClient, "/api/v1", "services", namespace, selector), V1Service.class,
                    V1ServiceList.class, new TypeToken<Watch.Response<V1Service>>() {
                    }.getType())
                .addEventHandler(feeder.services());
            // Only slices that belong to a Service carry this label; the others are of no
            // use to us.
            catalogInformer(factory, "EndpointSlices in " + where,
                    ListCall.of(apiClient, "/apis/discovery.k8s.io/v1", "endpointslices", namespace,
                            ResourceMapper.SERVICE_NAME_LABEL),
                    V1EndpointSlice.class, V1EndpointSliceList.class, new TypeToken<Watch.Response<V1EndpointSlice>>() {
                    }.getType())
                .addEventHandler(feeder.endpointSlices());
            if (podMapper.isPresent()) {
                PodMapper mapper = podMapper.get();
                SharedIndexInformer<V1Pod> pods = catalogInformer(factory, "Pods in " + where,
                        ListCall.of(apiClient, "/api/v1", "pods", namespace, null), V1Pod.class, V1PodList.class,
                        new TypeToken<Watch.Response<V1Pod>>() {
                        }.getType());
                pods.setTransform(object -> mapper.trim((V1Pod) object));
                pods.addEventHandler(feeder.pods(mapper));
            }
            if (exports.isPresent()) {
                ExportIndex index = exports.get();
                String name = "ServiceExports in " + where;
                informer(factory, name,
                        ListCall.of(apiClient, "/apis/" + ServiceExportResource.GROUP_VERSION, "serviceexports",
                                namespace, null),
                        ServiceExportResource.class, ServiceExportResource.List.class,
                        new TypeToken<Watch.Response<ServiceExportResource>>() {
                        }.getType(), ServiceExportResource.monitor(name))
                    .addEventHandler(ServiceExportResource.handler(index));
            }
            factories.add(factory);
        }
        roleBindings.ifPresent(index -> {
            SharedInformerFactory factory = new SharedInformerFactory(apiClient);
            index.attach(informer(factory, RoleBindingIndex.INFORMER,
                    ListCall.of(apiClient, "/apis/rbac.authorization.k8s.io/v1", "rolebindings", "", null),
                    V1RoleBinding.class, V1RoleBindingList.class, new TypeToken<Watch.Response<V1RoleBinding>>() {
                    }.getType(), index));
            factories.add(factory);
        });
        log.info("Watching Services, EndpointSlices{}{} in {}{} at {} (found through {}) as {}",
                podMapper.isPresent() ? ", Pods" : "", exports.isPresent() ? ", ServiceExports" : "", scope,
                cluster.isEmpty() ? "" : " of cluster " + cluster, apiClient.getBasePath(), connection.source(),
                connection.identity());
        factories.forEach(SharedInformerFactory::startAllRegisteredInformers);
        syncMonitor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("informer-sync-check"));
        long interval = syncCheckInterval.toMillis();
        syncCheck = syncMonitor.scheduleWithFixedDelay(this::checkSync, interval, interval, TimeUnit.MILLISECONDS);
        running = true;
    }

    /**
     * An informer whose objects feed the catalog: its sync makes the catalog's, its
     * failures its staleness.
     */
    private <T extends KubernetesObject, L extends KubernetesListObject> SharedIndexInformer<T> catalogInformer(
            SharedInformerFactory factory, String name, ListCall call, Class<T> type, Class<L> listType,
            Type watchType) {
        SharedIndexInformer<T> informer = informer(factory, name, call, type, listType, watchType, health);
        informers.put(name, informer);
        health.track(name);
        return informer;
    }

    private <T extends KubernetesObject, L extends KubernetesListObject> SharedIndexInformer<T> informer(
            SharedInformerFactory factory, String name, ListCall call, Class<T> type, Class<L> listType, Type watchType,
            ListWatchMonitor monitor) {
        BackoffListerWatcher<T, L> listerWatcher = new BackoffListerWatcher<>(name, monitor, apiClient, call, listType,
                watchType, backoff, watchHealth, watchdog);
        SharedIndexInformer<T> informer = factory.sharedIndexInformerFor(listerWatcher, type, 0, (failedType,
                error) -> monitor.failed(name, error.getClass().getSimpleName() + ": " + error.getMessage()));
        informer.setTransform(ResourceTrimmer::trim);
        return informer;
    }

    /**
     * Once every informer has listed, waits until the catalog has applied what they
     * delivered.
     */
    private void checkSync() {
        if (syncedAt != null || !informers.values().stream().allMatch(SharedIndexInformer::hasSynced)) {
            return;
        }
        ScheduledFuture<?> check = syncCheck;
        if (check != null) {
            check.cancel(false);
        }
        catalog.afterPending(() -> {
            syncedAt = Instant.now();
            log.info("Cache{} in sync: {} services, {} endpoints", cluster.isEmpty() ? "" : " of cluster " + cluster,
                    catalog.view().serviceCount(), catalog.view().endpointCount());
        });
    }

    @Override
    public boolean synced() {
        return syncedAt != null;
    }

    @Override
    public Instant syncedAt() {
        return syncedAt;
    }

    @Override
    public Map<String, Boolean> informerSyncState() {
        Map<String, Boolean> state = new TreeMap<>();
        informers.forEach((name, informer) -> state.put(name, informer.hasSynced()));
        return state;
    }

    @Override
    public WatchScope scope() {
        return scope;
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (syncMonitor != null) {
            syncMonitor.shutdownNow();
        }
        factories.forEach(factory -> factory.stopAllRegisteredInformers(true));
        factories.clear();
        informers.clear();
        if (watchdog != null) {
            watchdog.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

}
