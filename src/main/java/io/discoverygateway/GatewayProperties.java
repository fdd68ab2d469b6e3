package io.discoverygateway;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.discoverygateway.catalog.LabelSelector;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * All settings of the gateway, under the prefix gateway. Defaults are documented in
 * README.md.
 *
 * @param namespaces the namespaces to watch; empty means the gateway's own namespace as
 * Spring Cloud Kubernetes resolves it (spring.cloud.kubernetes.client.namespace, then the
 * ServiceAccount's namespace file)
 * @param allNamespaces watch every namespace of the cluster with one cluster-wide watch
 * per kind (needs a ClusterRole); namespaces is then ignored
 * @param serviceLabelSelector only Services matching this Kubernetes label selector are
 * cached (empty: all)
 * @param readinessMaxStaleness readiness stays UP while the Kubernetes API is unreachable
 * for up to this long (the gateway serves its last known state meanwhile, marked stale),
 * then turns OUT_OF_SERVICE; liveness never depends on the API
 * @param kubernetes how to reach the Kubernetes API
 * @param stream the server-sent-events stream of changes
 * @param longPoll long-polling reads (?wait=)
 * @param podMetadata the optional pod informer that adds pod details to endpoints
 * @param discoveryServer options of the Spring Cloud Kubernetes Discovery Server API
 * (/apps)
 * @param auth who may read what: consumer authentication and authorization by Kubernetes
 * RBAC
 * @param annotations which Service annotations are served
 * @param cors cross-origin requests from browsers (off unless origins are listed)
 * @param xds the xDS (ADS) server for proxyless gRPC clients and Envoy (off unless
 * enabled)
 * @param http limits of the HTTP connections (API and management ports)
 * @param tls TLS on the API and xDS ports (off unless enabled)
 * @param clusterset the services a set of clusters exports, merged (off unless enabled)
 */
@Validated
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @DefaultValue List<@Pattern(regexp = DNS_LABEL, message = "must be a valid namespace name") String> namespaces,
        @DefaultValue("false") boolean allNamespaces, @DefaultValue("") String serviceLabelSelector,
        @NotNull @DurationMin(millis = 1) @DefaultValue("5m") Duration readinessMaxStaleness,
        @Valid @DefaultValue Kubernetes kubernetes, @Valid @DefaultValue Stream stream,
        @Valid @DefaultValue LongPoll longPoll, @Valid @DefaultValue PodMetadata podMetadata,
        @Valid @DefaultValue DiscoveryServer discoveryServer, @Valid @DefaultValue Auth auth,
        @Valid @DefaultValue Annotations annotations, @Valid @DefaultValue Cors cors, @Valid @DefaultValue Xds xds,
        @Valid @DefaultValue Http http, @Valid @DefaultValue Tls tls, @Valid @DefaultValue ClusterSet clusterset) {

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
     * @param apiUrl an explicit API server URL (for local runs); when unset the ApiClient
     * of Spring Cloud Kubernetes is used: the in-cluster ServiceAccount first, then
     * $KUBECONFIG or ~/.kube/config
     * @param tokenFile with apiUrl: a bearer token file, re-read every tokenRefresh as
     * the kubelet rotates ServiceAccount tokens (in a cluster Spring Cloud Kubernetes
     * does the same with the mounted token)
     * @param caFile with an https apiUrl: the PEM file of the certificate authority that
     * signed the API server's serving certificate (a cluster's ca.crt); unset, the JVM's
     * trust store decides
     * @param tokenRefresh how often the token file is re-read
     * @param syncCheckInterval how often start-up checks whether every informer has
     * listed its resources
     * @param watchIdleTimeout a watch (which always asks for bookmarks) that sends
     * nothing, not even a bookmark, for this long is abandoned and restarted, and the
     * data is marked stale until one works again: a hung proxy or a half-open connection
     * would otherwise freeze the data silently. The API server sends a bookmark about
     * every minute; zero leaves only the watch's own timeout (plus a margin) as the limit
     */
    public record Kubernetes(URI apiUrl, String tokenFile, String caFile,
            @NotNull @DurationMin(millis = 1) @DefaultValue("1m") Duration tokenRefresh,
            @NotNull @DurationMin(millis = 1) @DefaultValue("100ms") Duration syncCheckInterval,
            @NotNull @DurationMin(millis = 0) @DefaultValue("3m") Duration watchIdleTimeout) {
    }

    /**
     * @param heartbeat how often an idle stream gets a comment line, so proxies keep it
     * open and a client that has gone is noticed: the servlet container sees a closed
     * connection only when it writes, so a stream whose client left is released at the
     * second heartbeat after it (the first write still succeeds)
     * @param retry the reconnection delay suggested to clients (retry:)
     * @param stallTimeout a subscriber with undelivered events whose connection accepted
     * nothing for this long is disconnected (it can resume with its last event id)
     * @param maxSubscribers streams open at once; beyond it new ones get 503 with
     * Retry-After
     * @param journalSize how many recent changes are kept for resuming streams
     * (Last-Event-ID)
     * @param fanoutQueue how many batches of changes may wait for the fan-out to the
     * streams; when it falls that far behind, they are dropped and every stream gets a
     * fresh snapshot (RESET, reason overloaded) instead, so memory stays bounded
     */
    public record Stream(@NotNull @DurationMin(millis = 1) @DefaultValue("5s") Duration heartbeat,
            @NotNull @DurationMin(millis = 1) @DefaultValue("3s") Duration retry,
            @NotNull @DurationMin(millis = 1) @DefaultValue("30s") Duration stallTimeout,
            @Min(1) @DefaultValue("10000") int maxSubscribers, @Min(1) @DefaultValue("10000") int journalSize,
            @Min(1) @DefaultValue("10000") int fanoutQueue) {
    }

    /**
     * @param maxWait the longest wait a long-poll may ask for; longer ones are cut to it
     * @param defaultWait the wait of a long-poll that gives an index but no wait (cut to
     * maxWait)
     * @param maxWaiting long-polls held at once; beyond it new ones get 503 with
     * Retry-After
     */
    public record LongPoll(@NotNull @DurationMin(millis = 1) @DefaultValue("5m") Duration maxWait,
            @NotNull @DurationMin(millis = 1) @DefaultValue("5m") Duration defaultWait,
            @Min(1) @DefaultValue("10000") int maxWaiting) {
    }

    /**
     * @param enabled watch the Pods of the watched namespaces and add a pod object to
     * every endpoint whose target is a Pod (needs list and watch on pods: the
     * pod-metadata overlay)
     * @param labelKeys the pod labels to keep; empty keeps all
     * @param annotationKeys the pod annotations to keep; empty keeps none (annotations
     * may hold secrets or blobs)
     */
    public record PodMetadata(@DefaultValue("false") boolean enabled, @DefaultValue List<String> labelKeys,
            @DefaultValue List<String> annotationKeys) {
    }

    /**
     * Options of the Spring Cloud Kubernetes Discovery Server API, with that server's
     * defaults.
     *
     * @param includeNotReadyAddresses list endpoints that are not ready too (the
     * discovery client's include-not-ready-addresses)
     * @param includeExternalNameServices list ExternalName services, with their external
     * name as host (the discovery client's include-external-name-services)
     */
    public record DiscoveryServer(@DefaultValue("false") boolean includeNotReadyAddresses,
            @DefaultValue("false") boolean includeExternalNameServices) {
    }

    /** How consumers are authenticated. */
    public enum AuthMode {

        /** Anyone who can reach the API port reads everything the gateway watches. */
        NONE,
        /**
         * A bearer token (a projected ServiceAccount token) checked with a TokenReview; a
         * namespace is readable when a SubjectAccessReview for the token's user allows
         * the configured resource attributes there.
         */
        KUBERNETES

    }

    /**
     * @param mode none (default) or kubernetes
     * @param audience the audience consumers' tokens must carry (checked by the
     * TokenReview)
     * @param verb the verb of the SubjectAccessReview that decides whether a namespace is
     * readable
     * @param group the API group of that SubjectAccessReview's resource
     * @param resource the resource of that SubjectAccessReview: by default a consumer may
     * read a namespace's services through the gateway exactly when Kubernetes would let
     * it list that namespace's EndpointSlices
     * @param tokenTtl how long a successful TokenReview is trusted (never beyond the
     * token's own expiry)
     * @param allowTtl how long an allowing SubjectAccessReview is trusted
     * @param denyTtl how long a refused token or a denying SubjectAccessReview is
     * remembered
     * @param cacheSize the most tokens, and separately the most (user, namespace)
     * decisions, kept
     * @param recheckInterval how often an open stream's access is checked again (through
     * the caches): a namespace whose access was lost becomes DELETED for the stream, one
     * gained ADDED
     * @param reviewTimeout the longest a TokenReview or SubjectAccessReview may take;
     * then the request gets 503
     * @param maxStreamsPerConsumer streams one consumer identity (ServiceAccount) may
     * hold open at once; beyond it new ones get 429 with Retry-After, so that one token
     * cannot take the places of all the others
     * @param maxLongPollsPerConsumer long-polls one consumer identity may hold at once;
     * beyond it 429
     * @param newTokenReviewsPerSecond TokenReviews of tokens not seen before (which any
     * client can send) per second, at most; beyond it (and the burst) a new token gets
     * 503 with Retry-After while known consumers go on
     * @param newTokenReviewBurst how many such reviews may be made at once before the
     * rate applies
     * @param newTokenReviewsPerSource of those, per second from one client address
     * (bursts of twice as many), so that one client cannot spend the budget of all; 0: no
     * such bound
     * @param maxReviewsInFlight requests that may wait for reviews at once (each holds a
     * request thread on Java 17 for up to review-timeout while the API is slow); beyond
     * it 503 with Retry-After
     * @param reviewConcurrency SubjectAccessReviews sent at once when a consumer's access
     * to many namespaces is decided (with all-namespaces, one per namespace that has
     * services, unless it may read cluster-wide)
     * @param roleBindingPrefilter with all-namespaces: watch the cluster's RoleBindings
     * (list and watch on rolebindings.rbac.authorization.k8s.io) and, for a consumer that
     * may not read cluster-wide, review only the namespaces where a RoleBinding names it
     * (its user, one of its groups): the first request then costs a few reviews rather
     * than one per namespace. Only narrows what Kubernetes decides: it assumes RBAC
     * grants namespaced access, so a grant by an authorization webhook without a
     * RoleBinding is not seen. While the RoleBindings are not listed, or their watch
     * fails, every namespace is reviewed.
     */
    public record Auth(@NotNull @DefaultValue("none") AuthMode mode,
            @NotBlank @DefaultValue("discovery-gateway") String audience, @NotBlank @DefaultValue("list") String verb,
            @NotNull @DefaultValue("discovery.k8s.io") String group,
            @NotBlank @DefaultValue("endpointslices") String resource,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("2m") Duration tokenTtl,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("1m") Duration allowTtl,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("10s") Duration denyTtl,
            @Min(1) @DefaultValue("10000") int cacheSize,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("1m") Duration recheckInterval,
            @NotNull @DurationMin(millis = 1) @DefaultValue("5s") Duration reviewTimeout,
            @Min(1) @DefaultValue("100") int maxStreamsPerConsumer,
            @Min(1) @DefaultValue("100") int maxLongPollsPerConsumer,
            @Min(1) @DefaultValue("50") int newTokenReviewsPerSecond,
            @Min(1) @DefaultValue("100") int newTokenReviewBurst,
            @Min(0) @DefaultValue("10") int newTokenReviewsPerSource,
            @Min(1) @DefaultValue("32") int maxReviewsInFlight, @Min(1) @DefaultValue("16") int reviewConcurrency,
            @DefaultValue("false") boolean roleBindingPrefilter) {

        public boolean enabled() {
            return mode == AuthMode.KUBERNETES;
        }
    }

    /**
     * Which Service annotations are served: those matching an include pattern and no
     * exclude pattern. A pattern is a key, or a key with {@code *} for any run of
     * characters ({@code example.com/*}). kubectl's last-applied-configuration (a copy of
     * the whole object) is never kept.
     *
     * @param include patterns of annotations to serve (default: all)
     * @param exclude patterns of annotations never served (default: none)
     */
    public record Annotations(@DefaultValue("*") List<@NotBlank String> include,
            @DefaultValue List<@NotBlank String> exclude) {
    }

    /**
     * @param allowedOrigins origins (such as https://console.example.com) whose pages may
     * call the API and open the stream from a browser; empty (the default) sends no CORS
     * headers, so browsers refuse
     */
    public record Cors(@DefaultValue List<@NotBlank String> allowedOrigins) {
    }

    /**
     * The aggregated discovery service (xDS v3, state of the world) that serves every
     * watched Service port as a Listener, a Cluster and a ClusterLoadAssignment to
     * proxyless gRPC clients ({@code xds:///name.namespace:port}) and to Envoy (CDS/EDS).
     *
     * @param enabled open the xDS port
     * @param port the plain-text gRPC port of the ADS server
     * @param maxClients xDS streams open at once; beyond it new ones end with
     * RESOURCE_EXHAUSTED
     * @param maxConnectionAge connections are asked to move (GOAWAY) after this long, so
     * that clients spread over the replicas and, with authentication, present their token
     * again and get what RBAC allows now (then the shorter of this and
     * gateway.auth.recheck-interval applies); zero: never
     * @param shutdownGrace how long a stopping gateway waits for its xDS streams to end
     * after telling clients to go
     */
    public record Xds(@DefaultValue("false") boolean enabled, @Min(0) @Max(65535) @DefaultValue("18000") int port,
            @Min(1) @DefaultValue("10000") int maxClients,
            @NotNull @DurationMin(millis = 0) @DefaultValue("10m") Duration maxConnectionAge,
            @NotNull @DurationMin(millis = 0) @DefaultValue("1s") Duration shutdownGrace) {
    }

    /**
     * @param headerTimeout a connection that has begun a request but not finished sending
     * its headers after this long is closed (slow-header clients, "Slowloris", would
     * otherwise hold connections by trickling bytes, which resets the idle timeout); a
     * request's body and a response (a stream, a long-poll) are not limited
     */
    public record Http(@NotNull @DurationMin(seconds = 1) @DefaultValue("10s") Duration headerTimeout) {
    }

    /**
     * TLS on the API port and the xDS port, from a directory in cert-manager's layout,
     * reloaded when its files change (a renewed certificate serves new connections; open
     * streams and xDS connections go on). The management port stays plain HTTP, for the
     * kubelet's probes and Prometheus.
     *
     * @param enabled serve TLS
     * @param directory where the Secret is mounted: tls.crt (the certificate chain),
     * tls.key, and ca.crt (the CA that client certificates must chain to, read when
     * client-auth is not none)
     * @param clientAuth client certificates (mutual TLS): none, want (checked against
     * ca.crt when presented) or need
     */
    public record Tls(@DefaultValue("false") boolean enabled,
            @NotBlank @DefaultValue(Tls.DEFAULT_DIRECTORY) String directory,
            @NotNull @DefaultValue("none") ClientAuth clientAuth) {

        /** Where k8s/components/tls mounts the Secret. */
        public static final String DEFAULT_DIRECTORY = "/etc/discovery-gateway/tls";

        /** Whether clients present certificates: never asked, asked, or required. */
        public enum ClientAuth {

            NONE, WANT, NEED

        }
    }

    /**
     * A cluster set, after the Kubernetes Multi-Cluster Services API (KEP-1645): this
     * cluster and remote ones, each read by its own watches; a Service is exported when a
     * {@code ServiceExport} of its name exists in its namespace, or when it carries the
     * export annotation; exported Services of one namespace and name are one cluster-set
     * service (namespace sameness).
     *
     * @param enabled watch ServiceExports (and the remote clusters) and serve the
     * cluster-set views
     * @param name this cluster's name in the set
     * @param exportAnnotation a Service with this annotation set to "true" is exported as
     * if a ServiceExport named it (the annotation must be served: see
     * gateway.annotations)
     * @param remotes the other clusters of the set
     * @param withdrawAfter the endpoints of a remote cluster that cannot be watched are
     * served, marked stale, for this long, then withdrawn (zero: kept until it answers
     * again)
     * @param remotesInReadiness readiness waits until every remote cluster has listed its
     * data, and turns OUT_OF_SERVICE while one is withdrawn (off by default: a remote
     * cluster's trouble must not take this cluster's gateway out of its Service)
     * @param mergeApps the Discovery Server API (/apps) serves a cluster-set service,
     * with the instances of every cluster (each with its cluster), in place of this
     * cluster's Service of the same namespace and name, and the services only remote
     * clusters export too
     */
    public record ClusterSet(@DefaultValue("false") boolean enabled,
            @NotBlank @Pattern(regexp = DNS_LABEL, message = "must be a DNS label") @DefaultValue("local") String name,
            @NotBlank @DefaultValue("discovery-gateway.io/export") String exportAnnotation,
            @DefaultValue List<@Valid Remote> remotes,
            @NotNull @DurationMin(millis = 0) @DefaultValue("5m") Duration withdrawAfter,
            @DefaultValue("false") boolean remotesInReadiness, @DefaultValue("false") boolean mergeApps) {

        public ClusterSet {
            Set<String> names = new HashSet<>(List.of(name));
            for (Remote remote : remotes) {
                if (!names.add(remote.name())) {
                    throw new IllegalArgumentException("gateway.clusterset: the cluster name '" + remote.name()
                            + "' is given twice; every cluster of the set needs its own");
                }
            }
        }

        /**
         * @param name the cluster's name in the set (a DNS label), shown on its endpoints
         * @param kubeconfig the kubeconfig file that reaches its API (mounted from a
         * Secret), with credentials that may list and watch Services, EndpointSlices and
         * ServiceExports there
         */
        public record Remote(@NotBlank @Pattern(regexp = DNS_LABEL, message = "must be a DNS label") String name,
                @NotBlank String kubeconfig) {
        }
    }

}
