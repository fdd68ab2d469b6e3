package io.discoverygateway.xds;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import java.util.concurrent.Executor;
import java.util.function.Supplier;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MetricRecorder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.grpc.xds.InternalGrpcBootstrapperImpl;
import io.grpc.xds.InternalSharedXdsClientPoolProvider;
import io.grpc.xds.XdsNameResolverProvider;
import io.grpc.xds.client.XdsClient;
import io.grpc.xds.client.XdsInitializationException;

/**
 * A proxyless gRPC client as an application would run it: grpc-java's xDS name resolver
 * with a bootstrap that points at the gateway's xDS port, calling {@code xds:///target};
 * each call says which backend answered.
 */
public final class ProxylessClient implements AutoCloseable {

    private final ManagedChannel channel;

    private final InternalSharedXdsClientPoolProvider.XdsClientResult pool;

    private final XdsClient xdsClient;

    public ProxylessClient(int xdsPort, String target) {
        this(xdsPort, target, null);
    }

    /**
     * @param token a ServiceAccount token presented to the gateway on the xDS stream
     * (call credentials), or null
     */
    public ProxylessClient(int xdsPort, String target, String token) {
        Map<String, ?> bootstrap = Map.of("xds_servers",
                List.of(Map.of("server_uri", "localhost:" + xdsPort, "channel_creds",
                        List.of(Map.of("type", "insecure")), "server_features", List.of("xds_v3"))),
                "node", Map.of("id", "test-client-" + target));
        // An xDS client of its own (the process-wide bootstrap is read once per JVM), as
        // grpc-java lets an
        // application that presents call credentials to its control plane build one.
        try {
            pool = InternalSharedXdsClientPoolProvider.getOrCreate("xds:///" + target,
                    InternalGrpcBootstrapperImpl.parseBootstrap(bootstrap), new MetricRecorder() {
                    }, token == null ? null : new BearerToken(token));
        }
        catch (XdsInitializationException ex) {
            throw new IllegalStateException(ex);
        }
        xdsClient = pool.getObject();
        Supplier<XdsClient> client = () -> xdsClient;
        channel = Grpc.newChannelBuilder("xds:///" + target, InsecureChannelCredentials.create())
            .setNameResolverArg(XdsNameResolverProvider.XDS_CLIENT_SUPPLIER, client)
            .build();
    }

    /** One call; returns the address of the backend that answered. */
    public String call() {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
            .check(HealthCheckRequest.getDefaultInstance());
        return headers.get().get(GrpcBackends.BACKEND);
    }

    /** Waits for a call that fails; returns its status. */
    public Status failure() {
        try {
            call();
            throw new AssertionError("the call succeeded");
        }
        catch (StatusRuntimeException ex) {
            return ex.getStatus();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        pool.returnObject(xdsClient);
    }

    /**
     * Call credentials: the token as {@code authorization: Bearer}, as a ServiceAccount
     * token is presented.
     */
    private static final class BearerToken extends CallCredentials {

        private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
                Metadata.ASCII_STRING_MARSHALLER);

        private final String token;

        BearerToken(String token) {
            this.token = token;
        }

        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            applier.apply(headers);
        }

    }

}
