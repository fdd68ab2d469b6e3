package io.discoverygateway.runtime;

import org.springframework.context.SmartLifecycle;

/**
 * A lifecycle of the gateway's own (informers, streams, long-polls): started and stopped
 * with the application, never paused. Spring Framework 7 pauses the lifecycles of a
 * cached test context that is not in use; stopping informers then would lose what was
 * deleted meanwhile, and stopping streams would end them for no reason.
 */
public interface GatewayLifecycle extends SmartLifecycle {

    @Override
    default boolean isPauseable() {
        return false;
    }

}
