package io.discoverygateway.kubernetes;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.WatchScope;
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.clusterset.ClusterMember;
import io.discoverygateway.clusterset.ExportIndex;
import io.discoverygateway.protocol.Backoff;
import io.discoverygateway.runtime.DaemonThreads;
import io.discoverygateway.runtime.GatewayLifecycle;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clusters of the set as the cluster-set view reads them: this one (the gateway's own
 * catalog and watches) and the remote ones, each with its own API client (from its
 * kubeconfig), watches, catalog, health and metrics. A remote cluster shares nothing with
 * this one but the immutable settings, so one that is unreachable, slow or answers errors
 * never delays this cluster's data, its readiness, or another remote's.
 *
 * <p>
 * Threads: each remote cluster has the threads of its own informers, watchdog and catalog
 * writer (as {@link KubernetesWatchers} and {@link Catalog} say); the lifecycle thread
 * starts and stops them.
 */
final class ClusterSetMembers implements GatewayLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterSetMembers.class);

    private final List<ClusterMember> members;

    private final List<Remote> remotes;

    private volatile boolean running;

    private ClusterSetMembers(List<ClusterMember> members, List<Remote> remotes) {
        this.members = List.copyOf(members);
        this.remotes = List.copyOf(remotes);
    }

    /**
     * This cluster (named {@code localName}) and every configured remote one (whose
     * kubeconfig must be readable: start-up fails with the file's name otherwise).
     */
    static ClusterSetMembers of(GatewayProperties properties, String localName, Catalog localCatalog,
            KubernetesWatchers localWatchers, InformerHealth localHealth, ExportIndex localExports, WatchScope scope,
            SnapshotEncoder encoder, Backoff backoff, Supplier<WatchHealth> watchHealth, MeterRegistry registry) {
        GatewayProperties.ClusterSet set = properties.clusterset();
        List<ClusterMember> members = new ArrayList<>();
        Member local = new Member(localName, true, localCatalog, localExports, localWatchers, localHealth);
        members.add(local);
        List<Remote> remotes = new ArrayList<>();
        List<ApiClient> clients = set.remotes()
            .stream()
            .map(remote -> client(remote, properties.kubernetes().tokenRefresh()))
            .toList();
        List<String> names = names(set.remotes(), clients, localName);
        for (int i = 0; i < set.remotes().size(); i++) {
            GatewayProperties.ClusterSet.Remote remote = set.remotes().get(i);
            String name = names.get(i);
            Catalog catalog = new Catalog("cluster-" + name, encoder, Clock.systemUTC());
            // The remote's own meters stay private; the cluster's figures are published
            // below under the gateway.clusterset names, tagged with the cluster.
            MeterRegistry own = new SimpleMeterRegistry();
            InformerHealth health = new InformerHealth(Clock.systemUTC(), own);
            ExportIndex exports = new ExportIndex();
            ApiClient client = clients.get(i);
            KubernetesWatchers watchers = new KubernetesWatchers(client,
                    new KubernetesConnection("kubeconfig " + remote.kubeconfig(), "its user", Optional.empty()), scope,
                    properties.serviceLabelSelector(), catalog,
                    new CatalogFeeder(catalog, own,
                            new KeyPatterns(properties.annotations().include(), properties.annotations().exclude())),
                    health, backoff, watchHealth.get(), properties.kubernetes().syncCheckInterval(), Optional.empty(),
                    Optional.empty(), Optional.of(exports), name);
            Member member = new Member(name, false, catalog, exports, watchers, health);
            members.add(member);
            remotes.add(new Remote(member, catalog, watchers));
            FunctionCounter.builder("gateway.clusterset.cluster.failures", own,
                    r -> r.find("gateway.kubernetes.failures").counters().stream().mapToDouble(c -> c.count()).sum())
                .description("Lists and watches of the cluster's API that failed")
                .tag("cluster", name)
                .register(registry);
        }
        for (ClusterMember member : members) {
            Gauge.builder("gateway.clusterset.cluster.synced", member, m -> m.synced() ? 1 : 0)
                .description("1 once the cluster's watches have listed everything, else 0")
                .tag("cluster", member.name())
                .register(registry);
            Gauge
                .builder("gateway.clusterset.cluster.stale", member,
                        m -> m.staleSince()
                            .map(since -> Duration.between(since, Instant.now()).toMillis() / 1000.0)
                            .orElse(0.0))
                .description("Seconds since the cluster's API could last be watched (0 while it can)")
                .baseUnit("seconds")
                .tag("cluster", member.name())
                .register(registry);
            Gauge.builder("gateway.clusterset.cluster.endpoints", member, m -> m.catalog().view().endpointCount())
                .description("Endpoints the gateway holds of the cluster's watched Services")
                .tag("cluster", member.name())
                .register(registry);
        }
        return new ClusterSetMembers(members, remotes);
    }

    /**
     * The remote cluster's client: as its kubeconfig says, with a bearer token read again
     * from the file every {@code tokenRefresh} and on a 401 (the Secret it is mounted
     * from is updated when the token is rotated).
     */
    /** How long start-up waits, in all, for the remote clusters' ClusterProperties. */
    private static final Duration NAME_BUDGET = Duration.ofSeconds(2);

    /**
     * The remote clusters' names: each one's ClusterProperty where it has one, asked of
     * all at once for at most {@link #NAME_BUDGET} (a remote that does not answer by then
     * keeps its configured name, so that an unreachable cluster delays start-up by that
     * at most); a name that another cluster of the set has already keeps the configured
     * one too.
     */
    private static List<String> names(List<GatewayProperties.ClusterSet.Remote> remotes, List<ApiClient> clients,
            String localName) {
        ExecutorService lookups = Executors.newCachedThreadPool(DaemonThreads.named("clusterset-names"));
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < remotes.size(); i++) {
                ApiClient client = clients.get(i);
                String configured = remotes.get(i).name();
                answers.add(lookups.submit(() -> ClusterProperty.nameOr(client, configured)));
            }
            long deadline = System.nanoTime() + NAME_BUDGET.toNanos();
            Set<String> taken = new HashSet<>(List.of(localName));
            remotes.forEach(remote -> taken.add(remote.name()));
            List<String> names = new ArrayList<>();
            for (int i = 0; i < remotes.size(); i++) {
                String configured = remotes.get(i).name();
                String name = configured;
                try {
                    name = answers.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                catch (TimeoutException ex) {
                    log.info("Cluster {} did not say its ClusterProperty within {} s; it is '{}'", configured,
                            NAME_BUDGET.toSeconds(), configured);
                }
                catch (ExecutionException ex) {
                    // nameOr answers the configured name for every failure it knows.
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                if (!name.equals(configured) && !taken.add(name)) {
                    log.warn("Cluster {} calls itself '{}' by its ClusterProperty, which another cluster of the set"
                            + " is called already; it stays '{}'", configured, name, configured);
                    name = configured;
                }
                names.add(name);
            }
            return names;
        }
        finally {
            lookups.shutdownNow();
        }
    }

    private static ApiClient client(GatewayProperties.ClusterSet.Remote remote, Duration tokenRefresh) {
        Path file = Path.of(remote.kubeconfig());
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            KubeConfig config = KubeConfig.loadKubeConfig(reader);
            config.setFile(file.toFile());
            ClientBuilder builder = ClientBuilder.kubeconfig(config);
            if (KubeconfigFileToken.hasToken(config)) {
                builder.setAuthentication(new KubeconfigFileToken(file, tokenRefresh, System::nanoTime));
            }
            ApiClient client = builder.build();
            // Watches are long-lived: no read timeout (the watchdog abandons silent
            // ones).
            client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
            return client;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("gateway.clusterset.remotes: the kubeconfig of cluster '" + remote.name()
                    + "' (" + file + ") cannot be read", ex);
        }
    }

    List<ClusterMember> members() {
        return members;
    }

    @Override
    public synchronized void start() {
        remotes.forEach(remote -> remote.watchers().start());
        running = true;
    }

    @Override
    public synchronized void stop() {
        running = false;
        for (Remote remote : remotes) {
            remote.watchers().stop();
            remote.catalog().close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Started and stopped with this cluster's watches. */
    @Override
    public int getPhase() {
        return KubernetesWatchers.PHASE;
    }

    private record Remote(Member member, Catalog catalog, KubernetesWatchers watchers) {
    }

    /** A cluster read through its own catalog, watches and health. */
    private record Member(String name, boolean local, Catalog catalogWriter, ExportIndex exports,
            KubernetesWatchers watchers, InformerHealth health) implements ClusterMember {

        @Override
        public CatalogReader catalog() {
            return catalogWriter;
        }

        @Override
        public boolean synced() {
            return watchers.synced();
        }

        @Override
        public Optional<Instant> staleSince() {
            return health.staleSince();
        }

        @Override
        public String staleReason() {
            return health.staleReason();
        }
    }

}
