package io.discoverygateway.xds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;

/**
 * Real gRPC servers on 127.0.0.11, .12, .13... all on one port (so that one EndpointSlice
 * port fits them all), each serving the standard health service and naming itself in a
 * response header, so that a client can count who answered.
 */
public final class GrpcBackends implements AutoCloseable {

    public static final Metadata.Key<String> BACKEND = Metadata.Key.of("backend", Metadata.ASCII_STRING_MARSHALLER);

    private final int port;

    private final List<Server> servers = new ArrayList<>();

    private final List<String> addresses = new ArrayList<>();

    private GrpcBackends(int port) {
        this.port = port;
    }

    /**
     * Starts {@code count} backends, 127.0.0.11 upwards, on a port free on all of them.
     */
    public static GrpcBackends start(int count) {
        for (int attempt = 0;; attempt++) {
            GrpcBackends backends = new GrpcBackends(freePort("127.0.0.11"));
            try {
                for (int i = 0; i < count; i++) {
                    backends.add("127.0.0." + (11 + i));
                }
                return backends;
            }
            catch (UncheckedIOException ex) {
                backends.close();
                if (attempt == 5) {
                    throw ex;
                }
            }
        }
    }

    /**
     * Starts one backend on each of these addresses, all on {@code port} (pods' addresses
     * and container port).
     */
    public static GrpcBackends on(List<String> addresses, int port) {
        GrpcBackends backends = new GrpcBackends(port);
        try {
            addresses.forEach(backends::add);
            return backends;
        }
        catch (RuntimeException ex) {
            backends.close();
            throw ex;
        }
    }

    private void add(String address) {
        HealthStatusManager health = new HealthStatusManager();
        ServerInterceptor nameItself = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendHeaders(Metadata responseHeaders) {
                        responseHeaders.put(BACKEND, address);
                        super.sendHeaders(responseHeaders);
                    }
                }, headers);
            }
        };
        try {
            servers.add(NettyServerBuilder.forAddress(new InetSocketAddress(address, port))
                .addService(ServerInterceptors.intercept(health.getHealthService(), nameItself))
                .build()
                .start());
            addresses.add(address);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public int port() {
        return port;
    }

    public List<String> addresses() {
        return List.copyOf(addresses);
    }

    public static int freePort(String address) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, 0));
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close() {
        for (Server server : servers) {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
