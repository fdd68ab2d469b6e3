package io.discoverygateway.kubernetes;

/** Told of every list and watch call's outcome, per informer. */
interface ListWatchMonitor {

    void succeeded(String informer);

    void failed(String informer, Exception error);
}
