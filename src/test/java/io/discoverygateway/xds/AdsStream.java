package io.discoverygateway.xds;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

/**
 * One raw ADS stream, driven request by request as an xDS client does (ACK, NACK,
 * resource names), for what a well-behaved library never does on purpose.
 */
final class AdsStream implements AutoCloseable {

    private final ManagedChannel channel;

    private final StreamObserver<DiscoveryRequest> requests;

    private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();

    /** When each response arrived (System.nanoTime), for latency figures. */
    private final java.util.Map<DiscoveryResponse, Long> arrivals = java.util.Collections
        .synchronizedMap(new java.util.IdentityHashMap<>());

    private final CompletableFuture<io.grpc.Status> closed = new CompletableFuture<>();

    AdsStream(int port, String token) {
        this(port, token, InsecureChannelCredentials.create());
    }

    /** Over the given channel credentials (TLS, with or without a client certificate). */
    AdsStream(int port, String token, io.grpc.ChannelCredentials credentials) {
        channel = Grpc.newChannelBuilder("localhost:" + port, credentials).build();
        requests = stub(channel, token).streamAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse response) {
                arrivals.put(response, System.nanoTime());
                responses.add(response);
            }

            @Override
            public void onError(Throwable error) {
                closed.complete(io.grpc.Status.fromThrowable(error));
            }

            @Override
            public void onCompleted() {
                closed.complete(io.grpc.Status.OK);
            }
        });
    }

    /**
     * The ADS stub of a channel, presenting the token (if any) as call credentials, as a
     * consumer does.
     */
    static AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub(ManagedChannel channel, String token) {
        AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub = AggregatedDiscoveryServiceGrpc
            .newStub(channel);
        if (token == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * A request for resources of a type, acknowledging (or first asking) with a version
     * and nonce.
     */
    void request(String typeUrl, List<String> names, String version, String nonce) {
        requests.onNext(base(typeUrl, names, version, nonce).build());
    }

    /** A rejection of the response with this nonce, keeping the version held before. */
    void reject(String typeUrl, List<String> names, String heldVersion, String nonce) {
        requests.onNext(base(typeUrl, names, heldVersion, nonce)
            .setErrorDetail(Status.newBuilder().setCode(3).setMessage("rejected by the test"))
            .build());
    }

    DiscoveryResponse next(Duration timeout) throws InterruptedException {
        DiscoveryResponse response = responses.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (response == null) {
            throw new AssertionError("no xDS response within " + timeout + "; stream status " + closed.getNow(null));
        }
        return response;
    }

    /** Responses received and not yet taken. */
    int pending() {
        return responses.size();
    }

    /** How the server ended the stream, once it has. */
    CompletableFuture<io.grpc.Status> closed() {
        return closed;
    }

    private static DiscoveryRequest.Builder base(String typeUrl, List<String> names, String version, String nonce) {
        return DiscoveryRequest.newBuilder()
            .setTypeUrl(typeUrl)
            .addAllResourceNames(names)
            .setVersionInfo(version)
            .setResponseNonce(nonce)
            .setNode(Node.newBuilder().setId("ads-test"));
    }

    /** When a response taken from this stream arrived (System.nanoTime). */
    long arrivedAt(DiscoveryResponse response) {
        return arrivals.get(response);
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }

}
