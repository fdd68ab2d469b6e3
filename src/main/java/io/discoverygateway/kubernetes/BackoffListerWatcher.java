package io.discoverygateway.kubernetes;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
 * Lists and watches one kind in one scope for an informer, and spaces out retries: the client's reflector
 * re-lists a second after any failure, which during an API outage would be a steady stream of requests. Before
 * a list that follows failures this waits for an exponentially growing, jittered delay, or for the API server's
 * {@code Retry-After} when it sent one.
 */
final class BackoffListerWatcher<T extends KubernetesObject, L extends KubernetesListObject>
        implements ListerWatcher<T, L> {

    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final ListWatchMonitor monitor;
    private final ApiClient apiClient;
    private final ListCall listCall;
    private final Class<L> listType;
    private final Type watchType;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private int consecutiveFailures;
    private long retryAfterMillis;

    BackoffListerWatcher(String name, ListWatchMonitor monitor, ApiClient apiClient, ListCall listCall,
            Class<L> listType, Type watchType, Duration initialBackoff, Duration maxBackoff) {
        this.name = name;
        this.monitor = monitor;
        this.apiClient = apiClient;
        this.listCall = listCall;
        this.listType = listType;
        this.watchType = watchType;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    @Override
    public L list(CallGeneratorParams params) throws ApiException {
        pauseAfterFailures();
        try {
            Call call = listCall.build(new CallGeneratorParams(false, params.resourceVersion, null));
            call.timeout().timeout(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            L list = apiClient.<L>execute(call, listType).getData();
            recordSuccess();
            return list;
        }
        catch (ApiException | RuntimeException ex) {
            recordFailure(ex);
            throw ex;
        }
    }

    @Override
    public Watchable<T> watch(CallGeneratorParams params) throws ApiException {
        try {
            Watch<T> watch = Watch.createWatch(apiClient, listCall.build(params), watchType);
            recordSuccess();
            return watch;
        }
        catch (ApiException | RuntimeException ex) {
            recordFailure(ex);
            pauseAfterFailures();
            throw ex;
        }
    }

    private void recordSuccess() {
        consecutiveFailures = 0;
        retryAfterMillis = 0;
        monitor.succeeded(name);
    }

    private void recordFailure(Exception ex) {
        monitor.failed(name, ex);
        consecutiveFailures++;
        retryAfterMillis = ex instanceof ApiException api ? retryAfter(api.getResponseHeaders()) : 0;
    }

    private void pauseAfterFailures() {
        if (consecutiveFailures == 0) {
            return;
        }
        long exponential = Math.min(maxBackoff.toMillis(),
                initialBackoff.toMillis() << Math.min(consecutiveFailures - 1, 20));
        // Full jitter between half and the whole delay, so that replicas do not retry in lock-step.
        long delay = Math.max(retryAfterMillis, exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1));
        try {
            Thread.sleep(delay);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
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
