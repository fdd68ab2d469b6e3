package io.discoverygateway.xds;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.BooleanSupplier;

import io.discoverygateway.access.BearerToken;
import io.discoverygateway.access.ConsumerAccess;
import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.access.Reviews;
import io.discoverygateway.catalog.CatalogReader;
import io.discoverygateway.runtime.Capacity;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Admits an xDS stream, or ends it at once with a status that says why: not before the
 * catalog is in sync (a client would otherwise be told that its services do not exist),
 * not beyond {@code gateway.xds.max-clients}, and with consumer authentication only with
 * a ServiceAccount token (call credentials, {@code authorization: Bearer}) whose consumer
 * may read at least one namespace. The stream's {@link XdsSession} then travels in the
 * gRPC context.
 *
 * <p>
 * Runs on gRPC's executor threads; a token review or access review blocks only the stream
 * being opened.
 */
final class XdsCallGate implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private final BooleanSupplier ready;

    private final Capacity clients;

    private final ConsumerAccess access;

    private final CatalogReader catalog;

    private final XdsMetrics metrics;

    /**
     * @param access the access decisions, or null without consumer authentication
     */
    XdsCallGate(BooleanSupplier ready, int maxClients, ConsumerAccess access, CatalogReader catalog,
            XdsMetrics metrics) {
        this.ready = ready;
        this.clients = new Capacity(maxClients);
        this.access = access;
        this.catalog = catalog;
        this.metrics = metrics;
        metrics.clients(clients::held);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (!ready.getAsBoolean()) {
            return refuse(call,
                    Status.UNAVAILABLE.withDescription(
                            "the gateway is starting: its cache is not in" + " sync with the Kubernetes API yet"),
                    "not-ready");
        }
        Capacity.Place place = clients.tryTake();
        if (place == null) {
            return refuse(call, Status.RESOURCE_EXHAUSTED.withDescription(
                    "this replica serves " + clients.limit() + " xDS clients already (gateway.xds.max-clients)"),
                    "too-many-clients");
        }
        XdsSession session;
        try {
            session = session(call, headers);
        }
        catch (Refusal refusal) {
            place.release();
            return refuse(call, refusal.status, refusal.reason);
        }
        ServerCall.Listener<Q> listener = Contexts.interceptCall(Context.current().withValue(XdsSession.KEY, session),
                call, headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                place.release();
                super.onComplete();
            }

            @Override
            public void onCancel() {
                place.release();
                super.onCancel();
            }
        };
    }

    private XdsSession session(ServerCall<?, ?> call, Metadata headers) {
        if (access == null) {
            SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            return new XdsSession(String.valueOf(peer), NamespaceScope.EVERYTHING);
        }
        String token = BearerToken.of(headers.get(AUTHORIZATION))
            .orElseThrow(() -> new Refusal(
                    Status.UNAUTHENTICATED.withDescription("this gateway serves authenticated consumers only: send a"
                            + " ServiceAccount token for its audience as call credentials (authorization: Bearer"
                            + " <token>)"),
                    "unauthenticated"));
        try {
            SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            Reviews.TokenVerdict verdict = access.authenticate(token,
                    peer instanceof InetSocketAddress address ? address.getAddress().getHostAddress() : null);
            if (!verdict.isAuthenticated()) {
                throw new Refusal(
                        Status.UNAUTHENTICATED.withDescription("the token was not accepted: " + verdict.refusal()),
                        "unauthenticated");
            }
            NamespaceScope scope = access.scope(verdict.consumer(), catalog.view());
            if (!scope.everything() && scope.namespaces().isEmpty()) {
                throw new Refusal(
                        Status.PERMISSION_DENIED.withDescription("Kubernetes lets " + verdict.consumer().username()
                                + " read no namespace this gateway watches, so it serves it" + " nothing"),
                        "forbidden");
            }
            return new XdsSession(verdict.consumer().username(), scope);
        }
        catch (Reviews.ReviewUnavailableException ex) {
            throw new Refusal(
                    Status.UNAVAILABLE.withDescription("the Kubernetes API, which decides what this"
                            + " client may read, does not answer; retry later or against another replica"),
                    "unavailable");
        }
    }

    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, String reason) {
        metrics.refused(reason);
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static final class Refusal extends RuntimeException {

        private final transient Status status;

        private final String reason;

        Refusal(Status status, String reason) {
            super(status.getDescription(), null, false, false);
            this.status = status;
            this.reason = reason;
        }

    }

}
