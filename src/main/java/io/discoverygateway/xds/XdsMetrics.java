package io.discoverygateway.xds;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The xDS server's meters: clients, answers by type and cause, rejections by clients and
 * by the gateway, latency.
 */
final class XdsMetrics {

    private final MeterRegistry registry;

    private final Map<XdsType, Counter> pushes = new EnumMap<>(XdsType.class);

    private final Map<XdsType, Counter> answers = new EnumMap<>(XdsType.class);

    private final Map<XdsType, Counter> nacks = new EnumMap<>(XdsType.class);

    private final Counter invalidServices;

    private final Timer pushLatency;

    XdsMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (XdsType type : XdsType.values()) {
            pushes.put(type,
                    Counter.builder("gateway.xds.responses")
                        .tag("type", type.label())
                        .tag("cause", "change")
                        .description("xDS responses sent")
                        .register(registry));
            answers.put(type,
                    Counter.builder("gateway.xds.responses")
                        .tag("type", type.label())
                        .tag("cause", "request")
                        .description("xDS responses sent")
                        .register(registry));
            nacks.put(type,
                    Counter.builder("gateway.xds.nacks")
                        .tag("type", type.label())
                        .description("xDS responses a client rejected (it keeps its previous resources)")
                        .register(registry));
        }
        this.invalidServices = Counter.builder("gateway.xds.invalid.services")
            .description("Service changes whose xDS resources were not published because a client would reject"
                    + " them (the service's previous resources stay)")
            .register(registry);
        this.pushLatency = Timer.builder("gateway.xds.push.latency")
            .description("From the catalog applying a change to the xDS response that carries it being queued"
                    + " for the client's stream")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    }

    void clients(Supplier<Number> open) {
        Gauge.builder("gateway.xds.clients", open).description("Open xDS streams").register(registry);
    }

    void refused(String reason) {
        Counter.builder("gateway.xds.refused")
            .tag("reason", reason)
            .description("xDS streams refused (unauthenticated, unavailable, too-many-clients)")
            .register(registry)
            .increment();
    }

    void pushed(XdsType type, long sinceNanos) {
        pushes.get(type).increment();
        pushLatency.record(System.nanoTime() - sinceNanos, TimeUnit.NANOSECONDS);
    }

    void answered(XdsType type) {
        answers.get(type).increment();
    }

    void nack(XdsType type) {
        nacks.get(type).increment();
    }

    void invalidService() {
        invalidServices.increment();
    }

}
