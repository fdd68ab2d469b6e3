package io.discoverygateway.xds;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;

/**
 * An incremental (delta) ADS stream as Envoy opens one: subscriptions by name or
 * wildcard, acknowledgements by nonce, and the responses as they come. The counterpart of
 * {@link AdsStream}.
 */
final class DeltaAdsStream implements AutoCloseable {

    private final ManagedChannel channel;

    private final StreamObserver<DeltaDiscoveryRequest> requests;

    private final BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();

    /** When each response arrived (System.nanoTime), for latency figures. */
    private final java.util.Map<DeltaDiscoveryResponse, Long> arrivals = java.util.Collections
        .synchronizedMap(new java.util.IdentityHashMap<>());

    DeltaAdsStream(int port, String token) {
        channel = Grpc.newChannelBuilder("localhost:" + port, InsecureChannelCredentials.create()).build();
        requests = AdsStream.stub(channel, token).deltaAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DeltaDiscoveryResponse response) {
                arrivals.put(response, System.nanoTime());
                responses.add(response);
            }

            @Override
            public void onError(Throwable error) {
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    /**
     * Subscribes to names of a type (none: wildcard), saying which versions it holds
     * already.
     */
    void subscribe(String typeUrl, List<String> names, Map<String, String> held) {
        requests.onNext(DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(typeUrl)
            .addAllResourceNamesSubscribe(names)
            .putAllInitialResourceVersions(held)
            .setNode(Node.newBuilder().setId("delta-test"))
            .build());
    }

    void unsubscribe(String typeUrl, List<String> names) {
        requests.onNext(
                DeltaDiscoveryRequest.newBuilder().setTypeUrl(typeUrl).addAllResourceNamesUnsubscribe(names).build());
    }

    void ack(DeltaDiscoveryResponse response) {
        requests.onNext(DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .build());
    }

    DeltaDiscoveryResponse next(Duration timeout) throws InterruptedException {
        DeltaDiscoveryResponse response = responses.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (response == null) {
            throw new AssertionError("no delta xDS response within " + timeout);
        }
        return response;
    }

    /** The next response, or null when none comes within the time. */
    DeltaDiscoveryResponse poll(Duration timeout) throws InterruptedException {
        return responses.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** When a response taken from this stream arrived (System.nanoTime). */
    long arrivedAt(DeltaDiscoveryResponse response) {
        return arrivals.get(response);
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }

}
