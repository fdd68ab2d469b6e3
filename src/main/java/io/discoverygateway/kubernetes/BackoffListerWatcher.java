package io.discoverygateway.kubernetes;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.protocol.Backoff;
import io.discoverygateway.protocol.Backoff;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import okhttp3.Call;

/**
 * Lists and watches one kind in one scope for an informer, and spaces out its requests
 * whatever the API server (or a proxy in front of it) answers. The client's reflector
 * re-lists a second after a failure and re-watches at once after a watch ends, so on its
 * own a watch that is answered 200 and closed at once would be re-opened thousands of
 * times a second. Here:
 * <ul>
 * <li>failures (an error answer, a refused connection, a watch that ends quickly without
 * any event, a watch the {@link Watchdog} abandoned for silence) are counted, and the
 * next request waits an exponentially growing, jittered delay (or the server's
 * {@code Retry-After});</li>
 * <li>two watches start at least {@link WatchHealth#minInterval()} apart in any
 * case;</li>
 * <li>a list that succeeds, or a watch that delivers an event, ends the run of
 * failures.</li>
 * </ul>
 * Every outcome is reported to the {@link ListWatchMonitor}, which derives the data's
 * staleness from them.
 *
 * <p>
 * Threads: called by the informer's reflector thread, which owns the failure count; the
 * watchdog thread may reset it when it confirms that an open watch works (volatile
 * fields; a lost update only shifts one delay).
 */
final class BackoffListerWatcher<T extends KubernetesObject, L extends KubernetesListObject>
        implements ListerWatcher<T, L>, GuardedWatch.Listener {

    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(60);

    private final String name;

    private final ListWatchMonitor monitor;

    private final ApiClient apiClient;

    private final ListCall listCall;

    private final Class<L> listType;

    private final Type watchType;

    private final Backoff backoff;

    private final WatchHealth health;

    private final Watchdog watchdog;

    /**
     * Written by the reflector thread, reset also by the watchdog's confirmation:
     * volatile.
     */
    private volatile int consecutiveFailures;

    private volatile long retryAfterMillis;

    private long lastWatchStartNanos;

    BackoffListerWatcher(String name, ListWatchMonitor monitor, ApiClient apiClient, ListCall listCall,
            Class<L> listType, Type watchType, Backoff backoff, WatchHealth health, Watchdog watchdog) {
        this.name = name;
        this.monitor = monitor;
        this.apiClient = apiClient;
        this.listCall = listCall;
        this.listType = listType;
        this.watchType = watchType;
        this.backoff = backoff;
        this.health = health;
        this.watchdog = watchdog;
    }

    @Override
    public L list(CallGeneratorParams params) throws ApiException {
        pauseAfterFailures();
        try {
            Call call = listCall.build(new CallGeneratorParams(false, params.resourceVersion, null));
            call.timeout().timeout(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            L list = apiClient.<L>execute(call, listType).getData();
            if (list == null || list.getMetadata() == null) {
                throw new ApiException("the list answer had no metadata");
            }
            recordSuccess();
            return list;
        }
        catch (ApiException | RuntimeException ex) {
            recordFailure(describe(ex), ex);
            throw ex;
        }
    }

    @Override
    public Watchable<T> watch(CallGeneratorParams params) throws ApiException {
        pauseAfterFailures();
        sleep(health.delayBeforeNextWatch(Duration.ofNanos(System.nanoTime() - lastWatchStartNanos)).toMillis());
        lastWatchStartNanos = System.nanoTime();
        try {
            Call call = listCall.build(params);
            Watch<T> watch = Watch.createWatch(apiClient, call, watchType);
            GuardedWatch<T> guarded = new GuardedWatch<>(watch, call, this, Boolean.TRUE.equals(params.watch),
                    params.timeoutSeconds);
            watchdog.track(guarded);
            return guarded;
        }
        catch (ApiException | RuntimeException ex) {
            recordFailure(describe(ex), ex);
            throw ex;
        }
    }

    /** On the reflector or the watchdog thread: the watch works. */
    @Override
    public void works() {
        recordSuccess();
    }

    /** On the reflector thread: a watch ended; was it a failure? */
    @Override
    public void ended(GuardedWatch<?> watch) {
        watchdog.forget(watch);
        String failure = watch.abandonedBecause() != null ? watch.abandonedBecause()
                : health.failureOnEnd(watch.events(), watch.openFor());
        if (failure != null) {
            recordFailure(failure, null);
        }
    }

    private void recordSuccess() {
        consecutiveFailures = 0;
        retryAfterMillis = 0;
        monitor.succeeded(name);
    }

    private void recordFailure(String reason, Exception ex) {
        monitor.failed(name, reason);
        consecutiveFailures++;
        retryAfterMillis = ex instanceof ApiException api ? retryAfter(api.getResponseHeaders()) : 0;
    }

    private void pauseAfterFailures() {
        if (consecutiveFailures > 0) {
            sleep(Math.max(retryAfterMillis, backoff.delay(consecutiveFailures).toMillis()));
        }
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(Exception ex) {
        if (ex instanceof ApiException api && api.getCode() > 0) {
            return "HTTP " + api.getCode();
        }
        Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
        return cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
    }

    private static long retryAfter(Map<String, List<String>> headers) {
        if (headers == null) {
            return 0;
        }
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if ("Retry-After".equalsIgnoreCase(header.getKey()) && !header.getValue().isEmpty()) {
                try {
                    return Math.min(TimeUnit.SECONDS.toMillis(Long.parseLong(header.getValue().get(0).strip())),
                            TimeUnit.MINUTES.toMillis(5));
                }
                catch (NumberFormatException ex) {
                    return 0;
                }
            }
        }
        return 0;
    }

}
