package io.discoverygateway;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;

/**
 * Local runs only: keeps the demo data moving so that a stream shows events at once.
 * Every few seconds it scales {@code checkout} between two and three endpoints and flips
 * the readiness of a {@code payments} endpoint.
 */
public final class DemoActivity {

    private final EmbeddedKubernetesApi api;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "demo-activity");
        thread.setDaemon(true);
        return thread;
    });

    private int step;

    public DemoActivity(EmbeddedKubernetesApi api) {
        this.api = api;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::step, 3, 3, TimeUnit.SECONDS);
    }

    public void stop() {
        timer.shutdownNow();
    }

    private void step() {
        step++;
        if (step % 2 == 1) {
            List<EndpointSpec> endpoints = step % 4 == 1
                    ? List.of(EndpointSpec.ready("10.244.1.10"), EndpointSpec.ready("10.244.2.11"),
                            EndpointSpec.ready("10.244.3.12"))
                    : List.of(EndpointSpec.ready("10.244.1.10"), EndpointSpec.ready("10.244.2.11"));
            api.replace(ApiResource.ENDPOINT_SLICES, "demo",
                    KubeObjects.slice("demo", "checkout-abc12", "checkout", endpoints));
        }
        else {
            EndpointSpec flipping = step % 4 == 2 ? EndpointSpec.ready("10.244.2.21")
                    : EndpointSpec.notReady("10.244.2.21");
            api.replace(ApiResource.ENDPOINT_SLICES, "demo", KubeObjects.slice("demo", "payments-x7k2p", "payments",
                    List.of(EndpointSpec.ready("10.244.1.20"), flipping)));
        }
    }

}
