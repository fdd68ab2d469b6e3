package io.discoverygateway.client.spring;

import java.time.Clock;
import java.time.Duration;

import io.discoverygateway.client.DiscoveryStream;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@code discoveryGateway}: UP once the view was complete (it keeps serving the last view
 * while no gateway answers, with {@code stale: true}), UNKNOWN before; details: the
 * gateway it follows, the age of the last event, services, reconnects and resets.
 */
final class GatewayClientHealthIndicator extends AbstractHealthIndicator {

    private final DiscoveryStream stream;

    private final Clock clock;

    GatewayClientHealthIndicator(DiscoveryStream stream, Clock clock) {
        super("Discovery gateway client health check failed");
        this.stream = stream;
        this.clock = clock;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        DiscoveryStream.Status status = stream.status();
        if (!status.ready()) {
            builder.unknown().withDetail("synced", false);
        }
        else {
            builder.up().withDetail("synced", true);
        }
        builder.withDetail("stale", status.connected() == null)
            .withDetail("gateway", status.connected() == null ? "none" : status.connected().toString())
            .withDetail("services", stream.view().services().size())
            .withDetail("reconnects", status.reconnects())
            .withDetail("resets", status.resets());
        if (status.lastEventAt() != null) {
            builder.withDetail("lastEventAge", Duration.between(status.lastEventAt(), clock.instant()).toString());
        }
    }

}
