package io.discoverygateway.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link DiscoveryStream} follows and how.
 *
 * @param gateways gateway base URLs, tried in turn (one Service URL is enough: its
 * replicas are behind it)
 * @param namespaces the namespaces to follow (empty: all the gateway serves to this
 * client)
 * @param labelSelector a Kubernetes label selector on services, or null
 * @param tokenFile a bearer token file (a projected ServiceAccount token), re-read for
 * every connection; or null
 * @param initialBackoff the first wait after a failed connection
 * @param maxBackoff the longest wait between attempts
 * @param stallTimeout a connection that delivers nothing, not even a heartbeat, for this
 * long is dropped
 * @param connectTimeout the longest a connection attempt may take
 * @param caFile for https gateway URLs: the PEM file of the CA that signed the gateway's
 * certificate (the ca.crt of its Secret); or null for the JVM's trust store
 * @param clusterSet follow the cluster set's stream ({@code /api/v1/clusterset/stream}):
 * the services the clusters of the set export, every endpoint with its cluster (no label
 * selector then)
 */
public record DiscoveryStreamOptions(List<URI> gateways, List<String> namespaces, String labelSelector, Path tokenFile,
        Duration initialBackoff, Duration maxBackoff, Duration stallTimeout, Duration connectTimeout, Path caFile,
        boolean clusterSet) {

    public DiscoveryStreamOptions {
        if (gateways == null || gateways.isEmpty()) {
            throw new IllegalArgumentException("at least one gateway URL is needed");
        }
        gateways = List.copyOf(gateways);
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        if (clusterSet && labelSelector != null && !labelSelector.isBlank()) {
            throw new IllegalArgumentException(
                    "the cluster set's stream takes no label selector: cluster-set" + " services carry no labels");
        }
    }

    /**
     * Defaults: 500 ms to 30 s of back-off, 20 s stall timeout (four missed heartbeats),
     * 5 s to connect.
     */
    public static DiscoveryStreamOptions of(List<URI> gateways) {
        return new DiscoveryStreamOptions(gateways, List.of(), null, null, Duration.ofMillis(500),
                Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(5), null, false);
    }

    public DiscoveryStreamOptions withNamespaces(List<String> value) {
        return new DiscoveryStreamOptions(gateways, value, labelSelector, tokenFile, initialBackoff, maxBackoff,
                stallTimeout, connectTimeout, caFile, clusterSet);
    }

    public DiscoveryStreamOptions withLabelSelector(String value) {
        return new DiscoveryStreamOptions(gateways, namespaces, value, tokenFile, initialBackoff, maxBackoff,
                stallTimeout, connectTimeout, caFile, clusterSet);
    }

    public DiscoveryStreamOptions withTokenFile(Path value) {
        return new DiscoveryStreamOptions(gateways, namespaces, labelSelector, value, initialBackoff, maxBackoff,
                stallTimeout, connectTimeout, caFile, clusterSet);
    }

    public DiscoveryStreamOptions withBackoff(Duration initial, Duration max) {
        return new DiscoveryStreamOptions(gateways, namespaces, labelSelector, tokenFile, initial, max, stallTimeout,
                connectTimeout, caFile, clusterSet);
    }

    public DiscoveryStreamOptions withStallTimeout(Duration value) {
        return new DiscoveryStreamOptions(gateways, namespaces, labelSelector, tokenFile, initialBackoff, maxBackoff,
                value, connectTimeout, caFile, clusterSet);
    }

    public DiscoveryStreamOptions withCaFile(Path value) {
        return new DiscoveryStreamOptions(gateways, namespaces, labelSelector, tokenFile, initialBackoff, maxBackoff,
                stallTimeout, connectTimeout, value, clusterSet);
    }

    public DiscoveryStreamOptions withClusterSet(boolean value) {
        return new DiscoveryStreamOptions(gateways, namespaces, labelSelector, tokenFile, initialBackoff, maxBackoff,
                stallTimeout, connectTimeout, caFile, value);
    }
}
