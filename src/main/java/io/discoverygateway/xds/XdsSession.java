package io.discoverygateway.xds;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.discoverygateway.access.NamespaceScope;
import io.grpc.Context;

/**
 * Who is at the other end of one xDS stream and what it may see, decided once when the
 * stream opens (the gRPC context carries it to the watches the stream creates).
 *
 * @param client the consumer's user name, or the peer address without authentication
 * @param heldAtConnect per type URL, the resource versions an incremental client said it
 * held when it connected ({@code initial_resource_versions}) and has not been sent since:
 * what it holds beyond what the server tracks
 */
record XdsSession(String client, NamespaceScope scope, Map<String, Map<String, String>> heldAtConnect) {

    XdsSession(String client, NamespaceScope scope) {
        this(client, scope, new ConcurrentHashMap<>());
    }

    static final Context.Key<XdsSession> KEY = Context.key("discovery-gateway.xds-session");

    /**
     * The session of the stream on whose thread this runs; nothing visible when none was
     * attached (fail closed).
     */
    static XdsSession current() {
        XdsSession session = KEY.get();
        return session == null ? new XdsSession("unknown", NamespaceScope.of(java.util.Set.of())) : session;
    }
}
