package io.discoverygateway.client.spring;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The discovery gateway client, under {@code discovery-gateway.client}.
 *
 * @param urls the gateway's URLs, tried in turn (in a cluster its Service:
 * http://discovery-gateway.discovery-gateway.svc:8080)
 * @param namespaces the namespaces to follow (empty: every one the gateway serves to this
 * application)
 * @param labelSelector only services matching this Kubernetes label selector (empty: all)
 * @param readyOnly offer only ready endpoints as instances
 * @param tokenFile a projected ServiceAccount token to send as a bearer token, re-read on
 * every connection (for a gateway with consumer authentication)
 * @param startupWait how long start-up waits for the first complete view, so that the
 * first calls find instances (zero: not at all)
 * @param initialBackoff the first wait after a failed connection
 * @param maxBackoff the longest wait between connection attempts
 * @param stallTimeout a connection that delivers nothing, not even a heartbeat, for this
 * long is replaced
 * @param caFile for https URLs: the CA that signed the gateway's certificate (the ca.crt
 * of its Secret), as PEM; unset, the JVM's trust store decides
 * @param clusterSet follow the cluster set (a gateway with gateway.clusterset.enabled):
 * the services every cluster of the set exports, each instance with its cluster in the
 * metadata ("cluster"); load-balanced calls go to the gateway's own cluster while it has
 * an instance, else to the others (local first)
 */
@ConfigurationProperties("discovery-gateway.client")
public record GatewayClientProperties(List<URI> urls, @DefaultValue List<String> namespaces,
        @DefaultValue("") String labelSelector, @DefaultValue("true") boolean readyOnly, Path tokenFile,
        @DefaultValue("5s") Duration startupWait, @DefaultValue("500ms") Duration initialBackoff,
        @DefaultValue("30s") Duration maxBackoff, @DefaultValue("20s") Duration stallTimeout, Path caFile,
        @DefaultValue("false") boolean clusterSet) {
}
