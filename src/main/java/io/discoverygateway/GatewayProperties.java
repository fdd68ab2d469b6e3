package io.discoverygateway;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.discoverygateway.catalog.LabelSelector;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * All settings of the gateway, under the prefix gateway. Defaults are documented in README.md.
 *
 * @param namespaces the namespaces to watch; empty means the gateway's own namespace as Spring Cloud Kubernetes
 *     resolves it (spring.cloud.kubernetes.client.namespace, then the ServiceAccount's namespace file)
 * @param allNamespaces watch every namespace of the cluster with one cluster-wide watch per kind (needs a
 *     ClusterRole); namespaces is then ignored
 * @param serviceLabelSelector only Services matching this Kubernetes label selector are cached (empty: all)
 * @param readinessMaxStaleness readiness stays UP while the Kubernetes API is unreachable for up to this long (the
 *     gateway serves its last known state meanwhile, marked stale), then turns OUT_OF_SERVICE; liveness never
 *     depends on the API
 * @param kubernetes how to reach the Kubernetes API
 * @param stream the server-sent-events stream of changes
 * @param longPoll long-polling reads (?wait=)
 * @param podMetadata the optional pod informer that adds pod details to endpoints
 * @param discoveryServer options of the Spring Cloud Kubernetes Discovery Server API (/apps)
 */
@Validated
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @DefaultValue List<@Pattern(regexp = DNS_LABEL, message = "must be a valid namespace name") String> namespaces,
        @DefaultValue("false") boolean allNamespaces,
        @DefaultValue("") String serviceLabelSelector,
        @NotNull @DurationMin(millis = 1) @DefaultValue("5m") Duration readinessMaxStaleness,
        @Valid @DefaultValue Kubernetes kubernetes,
        @Valid @DefaultValue Stream stream,
        @Valid @DefaultValue LongPoll longPoll,
        @Valid @DefaultValue PodMetadata podMetadata,
        @Valid @DefaultValue DiscoveryServer discoveryServer) {

    public static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    public GatewayProperties {
        try {
            LabelSelector.parse(serviceLabelSelector);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("gateway.service-label-selector '" + serviceLabelSelector
                    + "' is not a Kubernetes label selector: " + ex.getMessage());
        }
    }

    /**
     * @param apiUrl an explicit API server URL (for local runs); when unset the ApiClient of Spring Cloud Kubernetes
     *     is used: the in-cluster ServiceAccount first, then $KUBECONFIG or ~/.kube/config
     * @param tokenFile with apiUrl: a bearer token file, re-read every tokenRefresh as the kubelet
     *     rotates ServiceAccount tokens (in a cluster Spring Cloud Kubernetes does the same with the mounted token)
     * @param tokenRefresh how often the token file is re-read
     * @param syncCheckInterval how often start-up checks whether every informer has listed its resources
     * @param watchIdleTimeout a watch (which always asks for bookmarks) that sends nothing, not even a bookmark, for
     *     this long is abandoned and restarted, and the data is marked stale until one works again: a hung proxy or
     *     a half-open connection would otherwise freeze the data silently. The API server sends a bookmark about
     *     every minute; zero leaves only the watch's own timeout (plus a margin) as the limit
     */
    public record Kubernetes(
            URI apiUrl,
            String tokenFile,
            @NotNull @DurationMin(millis = 1) @DefaultValue("1m") Duration tokenRefresh,
            @NotNull @DurationMin(millis = 1) @DefaultValue("100ms") Duration syncCheckInterval,
            @NotNull @DurationMin(millis = 0) @DefaultValue("3m") Duration watchIdleTimeout) {
    }

    /**
     * @param heartbeat how often an idle stream gets a comment line, so proxies keep it open and a client that has
     *     gone is noticed: the servlet container sees a closed connection only when it writes, so a stream whose
     *     client left is released at the second heartbeat after it (the first write still succeeds)
     * @param retry the reconnection delay suggested to clients (retry:)
     * @param stallTimeout a subscriber with undelivered events whose connection accepted nothing for this long is
     *     disconnected (it can resume with its last event id)
     * @param maxSubscribers streams open at once; beyond it new ones get 503 with Retry-After
     * @param journalSize how many recent changes are kept for resuming streams (Last-Event-ID)
     */
    public record Stream(
            @NotNull @DurationMin(millis = 1) @DefaultValue("5s") Duration heartbeat,
            @NotNull @DurationMin(millis = 1) @DefaultValue("3s") Duration retry,
            @NotNull @DurationMin(millis = 1) @DefaultValue("30s") Duration stallTimeout,
            @Min(1) @DefaultValue("10000") int maxSubscribers,
            @Min(1) @DefaultValue("10000") int journalSize) {
    }

    /**
     * @param maxWait the longest wait a long-poll may ask for; longer ones are cut to it
     * @param defaultWait the wait of a long-poll that gives an index but no wait (cut to maxWait)
     * @param maxWaiting long-polls held at once; beyond it new ones get 503 with Retry-After
     */
    public record LongPoll(
            @NotNull @DurationMin(millis = 1) @DefaultValue("5m") Duration maxWait,
            @NotNull @DurationMin(millis = 1) @DefaultValue("5m") Duration defaultWait,
            @Min(1) @DefaultValue("10000") int maxWaiting) {
    }

    /**
     * @param enabled watch the Pods of the watched namespaces and add a pod object to every endpoint whose
     *     target is a Pod (needs list and watch on pods: the pod-metadata overlay)
     * @param labelKeys the pod labels to keep; empty keeps all
     * @param annotationKeys the pod annotations to keep; empty keeps none (annotations may hold secrets or blobs)
     */
    public record PodMetadata(
            @DefaultValue("false") boolean enabled,
            @DefaultValue List<String> labelKeys,
            @DefaultValue List<String> annotationKeys) {
    }

    /**
     * Options of the Spring Cloud Kubernetes Discovery Server API, with that server's defaults.
     *
     * @param includeNotReadyAddresses list endpoints that are not ready too (the discovery client's
     *     include-not-ready-addresses)
     * @param includeExternalNameServices list ExternalName services, with their external name as host (the
     *     discovery client's include-external-name-services)
     */
    public record DiscoveryServer(
            @DefaultValue("false") boolean includeNotReadyAddresses,
            @DefaultValue("false") boolean includeExternalNameServices) {
    }
}
