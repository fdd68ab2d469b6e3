package io.discoverygateway.kubernetes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.WatchScope;
import io.discoverygateway.access.Reviews;
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.clusterset.ClusterSetPublisher;
import io.discoverygateway.clusterset.ExportIndex;
import io.discoverygateway.protocol.Backoff;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.credentials.TokenFileAuthentication;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.kubernetes.client.KubernetesClientUtils;
import org.springframework.cloud.kubernetes.commons.KubernetesClientProperties;
import org.springframework.cloud.kubernetes.commons.KubernetesNamespaceProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the connection to the Kubernetes API and the informers that feed the catalog. */
@Configuration(proxyBeanMethods = false)
class KubernetesConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KubernetesConfiguration.class);

    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * A watch that ends sooner than this without an event is a failure: no API server
     * ends a healthy one so soon.
     */
    private static final Duration SHORT_WATCH = Duration.ofSeconds(2);

    private static final Duration MIN_WATCH_INTERVAL = Duration.ofSeconds(1);

    private static final Duration WATCH_TIMEOUT_MARGIN = Duration.ofSeconds(30);

    /**
     * Where the API is and who the gateway is there; fails start-up with a clear message
     * when there is none.
     */
    @Bean
    KubernetesConnection kubernetesConnection(GatewayProperties properties) {
        return KubernetesConnection.resolve(properties.kubernetes().apiUrl(), properties.kubernetes().tokenFile(),
                System.getenv());
    }

    /**
     * The namespaces to watch: every one, the configured ones, or the gateway's own: as
     * Spring Cloud Kubernetes resolves it
     * ({@code spring.cloud.kubernetes.client.namespace}, then the ServiceAccount's
     * namespace file), then the kubeconfig context's namespace outside a cluster, then
     * {@code default}.
     */
    @Bean
    WatchScope watchScope(GatewayProperties properties, ObjectProvider<KubernetesNamespaceProvider> namespaceProvider,
            KubernetesConnection connection) {
        if (properties.allNamespaces()) {
            return new WatchScope(true, List.of());
        }
        if (!properties.namespaces().isEmpty()) {
            return new WatchScope(false, properties.namespaces());
        }
        KubernetesNamespaceProvider provider = namespaceProvider.getIfAvailable();
        String own = provider == null ? null : provider.getNamespace();
        if (own == null || own.isBlank()) {
            own = connection.namespace().orElse(null);
        }
        if (own == null || own.isBlank()) {
            log.warn("No namespace configured (gateway.namespaces) and none could be resolved; watching 'default'");
            own = "default";
        }
        return new WatchScope(false, List.of(own));
    }

    /**
     * The client of the informers: for {@code gateway.kubernetes.api-url} (local runs,
     * tests) a plain client for that URL, otherwise the one Spring Cloud Kubernetes
     * builds (in-cluster ServiceAccount first, then kubeconfig), with its user agent.
     * Defined here rather than left to Spring Cloud Kubernetes' auto-configuration so
     * that an explicit URL (which tests may register late) is always honoured, and so
     * that a missing configuration is reported by {@link KubernetesConnection} before any
     * client is built.
     */
    @Bean
    ApiClient gatewayApiClient(KubernetesConnection connection, GatewayProperties properties,
            KubernetesClientProperties clientProperties) {
        if (properties.kubernetes().apiUrl() != null) {
            return explicitClient(properties.kubernetes());
        }
        return KubernetesClientUtils.kubernetesApiClient().setUserAgent(clientProperties.userAgent());
    }

    /** Whether the informers can currently see the API: the staleness of the data. */
    @Bean
    InformerHealth informerHealth(MeterRegistry registry) {
        InformerHealth health = new InformerHealth(Clock.systemUTC(), registry);
        Gauge
            .builder("gateway.kubernetes.stale", health,
                    h -> h.staleFor().map(age -> age.toMillis() / 1000.0).orElse(0.0))
            .description("Seconds since the cached data was last known to be current (0 while watches are healthy)")
            .baseUnit("seconds")
            .register(registry);
        return health;
    }

    /**
     * Present only with pod metadata on (null, no bean, otherwise): its presence is what
     * makes the watchers watch Pods too. Decided here rather than by a bean condition, so
     * that Spring AOT processing serves both settings.
     */
    @Bean
    @Nullable PodMapper podMapper(GatewayProperties properties) {
        return properties.podMetadata().enabled() ? new PodMapper(properties.podMetadata()) : null;
    }

    /**
     * The informers, on Spring Cloud Kubernetes' ApiClient or the gateway's own for an
     * explicit URL.
     */
    @Bean
    KubernetesWatchers kubernetesWatchers(ApiClient apiClient, KubernetesConnection connection, WatchScope scope,
            GatewayProperties properties, Catalog catalog, InformerHealth health, ObjectProvider<PodMapper> podMapper,
            ObjectProvider<RoleBindingIndex> roleBindings, ObjectProvider<ExportIndex> exports,
            MeterRegistry registry) {
        LenientModelJson.install();
        // Watches are long-lived streams: a read timeout would cut them after a quiet
        // spell (the watchdog abandons
        // silent ones instead). List calls get a call timeout of their own.
        apiClient.setHttpClient(apiClient.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
        KubernetesWatchers watchers = new KubernetesWatchers(apiClient, connection, scope,
                properties.serviceLabelSelector(), catalog,
                new CatalogFeeder(catalog, registry,
                        new KeyPatterns(properties.annotations().include(), properties.annotations().exclude())),
                health, backoff(), watchHealth(properties), properties.kubernetes().syncCheckInterval(),
                Optional.ofNullable(podMapper.getIfAvailable()), Optional.ofNullable(roleBindings.getIfAvailable()),
                Optional.ofNullable(exports.getIfAvailable()), "");
        Gauge.builder("gateway.catalog.synced", watchers, w -> w.synced() ? 1 : 0)
            .description("1 once every informer has listed its resources and the catalog holds them, else 0")
            .register(registry);
        return watchers;
    }

    /**
     * Consumer reviews (TokenReview, SubjectAccessReview), with
     * {@code gateway.auth.mode=kubernetes} only.
     */
    @Bean
    @Nullable Reviews kubernetesReviews(ApiClient apiClient, GatewayProperties properties) {
        return properties.auth().enabled() ? new KubernetesReviews(apiClient, properties.auth().reviewTimeout()) : null;
    }

    private static Backoff backoff() {
        return new Backoff(INITIAL_BACKOFF, MAX_BACKOFF, () -> ThreadLocalRandom.current().nextDouble());
    }

    private static WatchHealth watchHealth(GatewayProperties properties) {
        return new WatchHealth(SHORT_WATCH, MIN_WATCH_INTERVAL, properties.kubernetes().watchIdleTimeout(),
                WATCH_TIMEOUT_MARGIN);
    }

    /**
     * This cluster's ServiceExports, with the cluster set on (null, no bean, otherwise):
     * its presence makes the watchers watch them.
     */
    @Bean
    @Nullable ExportIndex localExports(GatewayProperties properties) {
        return properties.clusterset().enabled() ? new ExportIndex() : null;
    }

    /** The clusters of the set, with the cluster set on. */
    @Bean
    @Nullable ClusterSetMembers clusterSetMembers(GatewayProperties properties, Catalog catalog, KubernetesWatchers watchers,
            InformerHealth health, ObjectProvider<ExportIndex> exports, WatchScope scope, SnapshotEncoder encoder,
            MeterRegistry registry, ApiClient apiClient) {
        ExportIndex localExports = exports.getIfAvailable();
        // This cluster's name: its About API ClusterProperty where it has one.
        return localExports == null ? null
                : ClusterSetMembers.of(properties, ClusterProperty.nameOr(apiClient, properties.clusterset().name()),
                        catalog, watchers, health, localExports, scope, encoder, backoff(),
                        () -> watchHealth(properties), registry);
    }

    /** The cluster-set view, with the cluster set on. */
    @Bean
    @Nullable ClusterSetPublisher clusterSetPublisher(ObjectProvider<ClusterSetMembers> members, GatewayProperties properties,
            MeterRegistry registry, Catalog catalog, SnapshotEncoder encoder) {
        ClusterSetMembers set = members.getIfAvailable();
        if (set == null) {
            return null;
        }
        ClusterSetPublisher publisher = new ClusterSetPublisher(set.members(),
                properties.clusterset().exportAnnotation(), properties.clusterset().withdrawAfter(), Clock.systemUTC(),
                new Catalog("cs" + catalog.epoch(), encoder, Clock.systemUTC()));
        Gauge.builder("gateway.clusterset.services", publisher, p -> p.view().services().size())
            .description("Cluster-set services: exported by at least one cluster of the set")
            .register(registry);
        Gauge.builder("gateway.clusterset.conflicts", publisher, p -> p.view().conflicted())
            .description("Cluster-set services whose clusters' Services disagree (type or ports)")
            .register(registry);
        return publisher;
    }

    /**
     * The RoleBindings that narrow consumers' reviews, with consumer authentication,
     * every namespace watched and {@code gateway.auth.role-binding-prefilter} (null, no
     * bean, otherwise: with the namespaces listed, a consumer's reviews are few already).
     */
    @Bean
    @Nullable RoleBindingIndex roleBindingIndex(GatewayProperties properties, MeterRegistry registry) {
        GatewayProperties.Auth auth = properties.auth();
        if (!auth.enabled() || !auth.roleBindingPrefilter() || !properties.allNamespaces()) {
            return null;
        }
        RoleBindingIndex index = new RoleBindingIndex();
        Gauge.builder("gateway.auth.prefilter.active", index, i -> i.inUse() ? 1 : 0)
            .description("1 while RoleBindings narrow consumers' SubjectAccessReviews, 0 while they cannot be "
                    + "watched and every namespace is reviewed")
            .register(registry);
        return index;
    }

    private static ApiClient explicitClient(GatewayProperties.Kubernetes kubernetes) {
        ClientBuilder builder = new ClientBuilder().setBasePath(kubernetes.apiUrl().toString());
        if (kubernetes.tokenFile() != null) {
            builder.setAuthentication(new TokenFileAuthentication(kubernetes.tokenFile(), kubernetes.tokenRefresh()));
        }
        if (kubernetes.caFile() != null) {
            try {
                builder.setCertificateAuthority(Files.readAllBytes(Path.of(kubernetes.caFile())));
            }
            catch (IOException ex) {
                throw new IllegalStateException(
                        "gateway.kubernetes.ca-file " + kubernetes.caFile() + " cannot be read: " + ex.getMessage(),
                        ex);
            }
        }
        return builder.build();
    }

}
