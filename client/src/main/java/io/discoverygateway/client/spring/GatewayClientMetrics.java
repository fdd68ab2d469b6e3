package io.discoverygateway.client.spring;

import io.discoverygateway.client.DiscoveryStream;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer metrics of the client: {@code discovery.gateway.client.events},
 * {@code .reconnects}, {@code .resets} (counters), {@code .connected} (1 while in sync
 * with a gateway), {@code .services}, {@code .last.event.age}.
 */
final class GatewayClientMetrics implements MeterBinder {

    private final DiscoveryStream stream;

    GatewayClientMetrics(DiscoveryStream stream) {
        this.stream = stream;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("discovery.gateway.client.events", stream, s -> s.status().events())
            .description("Service events received from the gateway")
            .register(registry);
        FunctionCounter.builder("discovery.gateway.client.reconnects", stream, s -> s.status().reconnects())
            .description("Stream connections opened after the first")
            .register(registry);
        FunctionCounter.builder("discovery.gateway.client.resets", stream, s -> s.status().resets())
            .description("Full snapshots received (RESET), the first included")
            .register(registry);
        Gauge.builder("discovery.gateway.client.connected", stream, s -> s.status().connected() != null ? 1 : 0)
            .description("1 while the stream is in sync with a gateway")
            .register(registry);
        Gauge.builder("discovery.gateway.client.services", stream, s -> s.view().services().size())
            .description("Services in the local view")
            .register(registry);
    }

}
