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
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.DataFreshness;
import io.discoverygateway.catalog.WatchScope;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.util.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * The gateway's informers: exactly one list-and-watch of Services and one of EndpointSlices per watched
 * namespace (or one of each cluster-wide), whatever the number of consumers. Started in the background: the
 * application comes up even when the API server is unreachable, and readiness waits for {@link #synced()}.
 */
public final class KubernetesWatchers implements SmartLifecycle, DataFreshness, ListWatchMonitor {

    private static final Logger log = LoggerFactory.getLogger(KubernetesWatchers.class);
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final ApiClient apiClient;
    private final WatchScope scope;
    private final String serviceLabelSelector;
    private final Catalog catalog;
    private final CatalogFeeder feeder;
    private final Duration syncCheckInterval;
    private final PodMapper podMapper;
    private final List<SharedInformerFactory> factories = new ArrayList<>();
    private final Map<String, SharedIndexInformer<?>> informers = new ConcurrentHashMap<>();
    private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
    /** Informers whose last list or watch call failed, with the time of the first failure in a row. */
    private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();
    private ScheduledExecutorService syncMonitor;
    private ScheduledFuture<?> syncCheck;
    private volatile boolean running;
    private volatile Instant syncedAt;

    /** @param podMapper non-null to watch Pods too ({@code gateway.pod-metadata.enabled}) */
    KubernetesWatchers(ApiClient apiClient, WatchScope scope, String serviceLabelSelector, Catalog catalog,
            CatalogFeeder feeder, Duration syncCheckInterval, PodMapper podMapper) {
        this.podMapper = podMapper;
        this.apiClient = apiClient;
        this.scope = scope;
        this.serviceLabelSelector = serviceLabelSelector;
        this.catalog = catalog;
        this.feeder = feeder;
        this.syncCheckInterval = syncCheckInterval;
    }

    @Override
    public synchronized void start() {
        CoreV1Api core = new CoreV1Api(apiClient);
        DiscoveryV1Api discovery = new DiscoveryV1Api(apiClient);
        String selector = serviceLabelSelector.isBlank() ? null : serviceLabelSelector;
        List<String> namespaces = scope.allNamespaces() ? List.of("") : scope.namespaces();
        for (String namespace : namespaces) {
            SharedInformerFactory factory = new SharedInformerFactory(apiClient);
            String where = namespace.isEmpty() ? "all namespaces" : namespace;
            ListCall services = namespace.isEmpty()
                    ? params -> core.listServiceForAllNamespaces().labelSelector(selector)
                            .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
                            .watch(params.watch).allowWatchBookmarks(params.watch).buildCall(null)
                    : params -> core.listNamespacedService(namespace).labelSelector(selector)
                            .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
                            .watch(params.watch).allowWatchBookmarks(params.watch).buildCall(null);
            // Only slices that belong to a Service carry this label; the others are of no use to us.
            String sliceSelector = ResourceMapper.SERVICE_NAME_LABEL;
            ListCall slices = namespace.isEmpty()
                    ? params -> discovery.listEndpointSliceForAllNamespaces().labelSelector(sliceSelector)
                            .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
                            .watch(params.watch).allowWatchBookmarks(params.watch).buildCall(null)
                    : params -> discovery.listNamespacedEndpointSlice(namespace).labelSelector(sliceSelector)
                            .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
                            .watch(params.watch).allowWatchBookmarks(params.watch).buildCall(null);
            SharedIndexInformer<V1Service> serviceInformer = informer(factory, "Services in " + where, services,
                    V1Service.class, V1ServiceList.class, new TypeToken<Watch.Response<V1Service>>() {
                    }.getType());
            serviceInformer.addEventHandler(feeder.services());
            SharedIndexInformer<V1EndpointSlice> sliceInformer = informer(factory, "EndpointSlices in " + where,
                    slices, V1EndpointSlice.class, V1EndpointSliceList.class,
                    new TypeToken<Watch.Response<V1EndpointSlice>>() {
                    }.getType());
            sliceInformer.addEventHandler(feeder.endpointSlices());
            if (podMapper != null) {
                ListCall pods = namespace.isEmpty()
                        ? params -> core.listPodForAllNamespaces().resourceVersion(params.resourceVersion)
                                .timeoutSeconds(params.timeoutSeconds).watch(params.watch)
                                .allowWatchBookmarks(params.watch).buildCall(null)
                        : params -> core.listNamespacedPod(namespace).resourceVersion(params.resourceVersion)
                                .timeoutSeconds(params.timeoutSeconds).watch(params.watch)
                                .allowWatchBookmarks(params.watch).buildCall(null);
                SharedIndexInformer<V1Pod> podInformer = informer(factory, "Pods in " + where, pods, V1Pod.class,
                        V1PodList.class, new TypeToken<Watch.Response<V1Pod>>() {
                        }.getType());
                podInformer.setTransform(object -> podMapper.trim((V1Pod) object));
                podInformer.addEventHandler(feeder.pods(podMapper));
            }
            factories.add(factory);
        }
        log.info("Watching Services, EndpointSlices{} in {} at {}", podMapper != null ? " and Pods" : "", scope,
                apiClient.getBasePath());
        factories.forEach(SharedInformerFactory::startAllRegisteredInformers);
        syncMonitor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "informer-sync-check");
            thread.setDaemon(true);
            return thread;
        });
        long interval = syncCheckInterval.toMillis();
        syncCheck = syncMonitor.scheduleWithFixedDelay(this::checkSync, interval, interval, TimeUnit.MILLISECONDS);
        running = true;
    }

    private <T extends KubernetesObject, L extends KubernetesListObject> SharedIndexInformer<T> informer(
            SharedInformerFactory factory, String name, ListCall call, Class<T> type, Class<L> listType,
            Type watchType) {
        BackoffListerWatcher<T, L> listerWatcher = new BackoffListerWatcher<>(name, this, apiClient, call, listType,
                watchType, INITIAL_BACKOFF, MAX_BACKOFF);
        SharedIndexInformer<T> informer = factory.sharedIndexInformerFor(listerWatcher, type, 0,
                (failedType, error) -> recordError(name, error));
        informer.setTransform(ResourceTrimmer::trim);
        informers.put(name, informer);
        return informer;
    }

    private void recordError(String informer, Throwable error) {
        String message = error.getClass().getSimpleName() + ": " + error.getMessage();
        if (!message.equals(lastErrors.put(informer, message))) {
            log.warn("List/watch of {} failed, retrying with back-off: {}", informer, message);
        }
    }

    @Override
    public void succeeded(String informer) {
        if (failingSince.remove(informer) != null) {
            lastErrors.remove(informer);
            log.info("List/watch of {} works again", informer);
        }
    }

    @Override
    public void failed(String informer, Exception error) {
        failingSince.putIfAbsent(informer, Instant.now());
        recordError(informer, error);
    }

    /** Stale while any informer cannot list or watch, counted from the first failure. */
    @Override
    public Optional<Duration> staleFor() {
        return failingSince.values().stream().min(Instant::compareTo)
                .map(since -> Duration.between(since, Instant.now()));
    }

    /** Once every informer has listed, waits until the catalog has applied what they delivered. */
    private void checkSync() {
        if (syncedAt != null || !informers.values().stream().allMatch(SharedIndexInformer::hasSynced)) {
            return;
        }
        syncCheck.cancel(false);
        catalog.afterPending(() -> {
            syncedAt = Instant.now();
            log.info("Cache in sync: {} services, {} endpoints", catalog.view().serviceCount(),
                    catalog.view().endpointCount());
        });
    }

    /** True once every informer has listed its resources and the catalog holds them. */
    public boolean synced() {
        return syncedAt != null;
    }

    public Instant syncedAt() {
        return syncedAt;
    }

    /** Per informer (for example "Services in demo"): whether it has listed its resources. */
    public Map<String, Boolean> informerSyncState() {
        Map<String, Boolean> state = new TreeMap<>();
        informers.forEach((name, informer) -> state.put(name, informer.hasSynced()));
        return state;
    }

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
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Not stopped when a context is paused (as cached test contexts are): fresh informers would not report what
     * was deleted in the meantime.
     */
    @Override
    public boolean isPauseable() {
        return false;
    }

    /**
     * Starts (without blocking) before the web server opens and stops after it has drained, so no request finds
     * the informers gone.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }
}
