package io.discoverygateway.xds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ConsumerAccess;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.catalog.SyncState;
import io.discoverygateway.runtime.DaemonThreads;
import io.discoverygateway.runtime.GatewayLifecycle;
import io.discoverygateway.tls.ServerTls;
import io.envoyproxy.controlplane.server.ExecutorGroup;
import io.envoyproxy.controlplane.server.DefaultStartupConfigs;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.serializer.ProtoResourcesSerializer;
import io.envoyproxy.controlplane.cache.Resources.ApiVersion;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * The gRPC server of the aggregated discovery service on {@code gateway.xds.port}. It
 * listens from start-up (a taken port fails the start, not a later moment) and admits
 * streams once the catalog is in sync and the xDS resources caught up with it. Stopping
 * tells clients to go (GOAWAY), gives open streams {@code shutdown-grace} to end, then
 * cancels them, so that clients reconnect to another replica.
 */
final class XdsServer implements GatewayLifecycle {

    private static final Logger log = LoggerFactory.getLogger(XdsServer.class);

    private final int port;

    private final Duration maxConnectionAge;

    private final Duration shutdownGrace;

    private final XdsCache cache;

    private final SyncState sync;

    private final XdsCallGate gate;

    private final ScheduledExecutorService readiness = Executors
        .newSingleThreadScheduledExecutor(DaemonThreads.named("xds-readiness"));

    private final Senders senders = new Senders(2);

    private volatile boolean ready;

    private volatile Server server;

    /** The TLS material, or null for plain text. */
    private final ServerTls tls;

    /**
     * @param access the access decisions, or null without consumer authentication
     */
    XdsServer(GatewayProperties.Xds properties, Duration maxConnectionAge, XdsCache cache, SyncState sync,
            ConsumerAccess access, CatalogReader catalog, XdsMetrics metrics, ServerTls tls) {
        this.port = properties.port();
        this.tls = tls;
        this.maxConnectionAge = maxConnectionAge;
        this.shutdownGrace = properties.shutdownGrace();
        this.cache = cache;
        this.sync = sync;
        this.gate = new XdsCallGate(() -> ready, properties.maxClients(), access, catalog, metrics);
    }

    /**
     * The bound port (the configured one, or the one chosen for port 0); -1 before start.
     */
    int port() {
        Server current = server;
        return current == null ? -1 : current.getPort();
    }

    boolean ready() {
        return ready;
    }

    @Override
    public void start() {
        V3DiscoveryServer discovery = new V3DiscoveryServer(List.of(), cache, senders, new SharedEncodings(),
                new DefaultStartupConfigs());
        NettyServerBuilder builder = (tls == null ? NettyServerBuilder.forPort(port)
                : NettyServerBuilder.forPort(port, credentials(tls)))
            .addService(ServerInterceptors.intercept(discovery.getAggregatedDiscoveryServiceImpl(), gate));
        if (!maxConnectionAge.isZero()) {
            builder.maxConnectionAge(maxConnectionAge.toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionAgeGrace(Math.max(1, shutdownGrace.toMillis()), TimeUnit.MILLISECONDS);
        }
        try {
            server = builder.build().start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("The xDS server cannot listen on port " + port + " (gateway.xds.port)", ex);
        }
        readiness.scheduleWithFixedDelay(this::admitOnceInSync, 0, 50, TimeUnit.MILLISECONDS);
        log.info("xDS server (ADS, v3) listening on port {}; admitting clients once the cache is in sync",
                server.getPort());
    }

    /**
     * TLS from the gateway's certificate, reloaded in place; client certificates as
     * gateway.tls.client-auth says.
     */
    private static ServerCredentials credentials(ServerTls tls) {
        TlsServerCredentials.Builder credentials = TlsServerCredentials.newBuilder().keyManager(tls.keyManager());
        if (tls.trustManager() != null) {
            credentials.trustManager(tls.trustManager()).clientAuth(switch (tls.clientAuth()) {
                case NEED -> TlsServerCredentials.ClientAuth.REQUIRE;
                case WANT -> TlsServerCredentials.ClientAuth.OPTIONAL;
                case NONE -> TlsServerCredentials.ClientAuth.NONE;
            });
        }
        return credentials.build();
    }

    private void admitOnceInSync() {
        if (sync.synced()) {
            readiness.shutdown();
            cache.caughtUp().thenRun(() -> {
                ready = true;
                log.info("xDS server ready: {} listeners, {} clusters", cache.snapshot().size(XdsType.LISTENER),
                        cache.snapshot().size(XdsType.CLUSTER));
            });
        }
    }

    @Override
    public void stop() {
        ready = false;
        readiness.shutdownNow();
        Server current = server;
        if (current == null) {
            return;
        }
        current.shutdown();
        try {
            if (!current.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                current.shutdownNow();
                current.awaitTermination(1, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            current.shutdownNow();
            Thread.currentThread().interrupt();
        }
        cache.close();
        senders.close();
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    /**
     * The threads that encode and write responses, so that a change reaching thousands of
     * clients is not written by the publisher alone. Each stream is given one of them
     * (java-control-plane asks once per stream), single-threaded, so that a stream's
     * responses keep their order.
     */
    private static final class Senders implements ExecutorGroup, AutoCloseable {

        private final List<ExecutorService> executors = new ArrayList<>();

        private final AtomicInteger next = new AtomicInteger();

        Senders(int threads) {
            ThreadFactory factory = DaemonThreads.named("xds-sender");
            for (int i = 0; i < threads; i++) {
                executors.add(Executors.newSingleThreadExecutor(factory));
            }
        }

        @Override
        public Executor next() {
            return executors.get(Math.floorMod(next.getAndIncrement(), executors.size()));
        }

        @Override
        public void close() {
            executors.forEach(ExecutorService::shutdownNow);
        }

    }

    /**
     * Every resource is encoded once, however many clients it is sent to: resources are
     * immutable and shared, so the encoding is kept with the instance (weakly: it goes
     * when the resource is replaced and no response holds it).
     */
    private static final class SharedEncodings implements ProtoResourcesSerializer {

        private final Cache<Message, Any> encodings = Caffeine.newBuilder().weakKeys().build();

        @Override
        public Any serialize(Message resource, ApiVersion apiVersion) {
            return encodings.get(resource, Any::pack);
        }

    }

}
