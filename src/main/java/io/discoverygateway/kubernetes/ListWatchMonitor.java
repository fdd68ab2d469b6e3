package io.discoverygateway.kubernetes;

/**
 * Told of every list and watch outcome, per informer, on the informer's reflector thread.
 */
interface ListWatchMonitor {

    void succeeded(String informer);

    void failed(String informer, String reason);

}
