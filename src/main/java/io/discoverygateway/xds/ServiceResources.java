package io.discoverygateway.xds;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServicePort;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.ServiceState;
import io.discoverygateway.clusterset.ClusterSetService;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.FractionalPercent;

/**
 * The xDS resources of one Service at one revision: for every TCP port, the Listeners a
 * proxyless gRPC client asks for (see {@link XdsNames}), an EDS Cluster and the
 * ClusterLoadAssignment of its serving endpoints. Built once per change of the service
 * and shared by every client; a pure function of the snapshot, checked before it is
 * published so that no client is sent something it must reject.
 *
 * <p>
 * Endpoints: ready ones are HEALTHY, terminating ones that still serve are DRAINING (no
 * new calls, existing ones finish), the others are left out. They are grouped by zone
 * into localities weighted by their ready endpoints. When no endpoint is ready,
 * Kubernetes sends a Service's traffic where kube-proxy would:
 * <ul>
 * <li>to the terminating endpoints that still serve, if there are any (kube-proxy's
 * fallback since ProxyTerminatingEndpoints): they are published HEALTHY;</li>
 * <li>nowhere, if there are none: the assignment then drops every call
 * ({@code drop_overloads} at 100 %, category {@value #NO_READY_ENDPOINTS}), so clients
 * fail calls at once with UNAVAILABLE. An empty assignment would not do: grpc-java takes
 * it (and one of only UNHEALTHY endpoints) as a resolution error and keeps calling the
 * endpoints it had, and a drop policy is only applied while the assignment lists an
 * endpoint the client keeps. So it lists one placeholder,
 * {@value #PLACEHOLDER_ADDRESS}:{@value #PLACEHOLDER_PORT} (the discard port of the
 * client's own loopback), with health UNKNOWN. grpc-java drops every call before it picks
 * one; grpc-go applies drops only while its picker is READY, which a placeholder that
 * refuses connections never makes it, so its calls fail at once on the placeholder
 * instead (connection refused). Either way no pod is called.</li>
 * </ul>
 *
 * @param listeners by publication key (a name, or a short name's key: see
 * {@link XdsNames})
 * @param clusters by name
 * @param assignments by cluster name
 */
record ServiceResources(ServiceKey key, long revision, Map<String, Listener> listeners, Map<String, Cluster> clusters,
        Map<String, ClusterLoadAssignment> assignments) {

    /** round-robin (the default), ring-hash or least-request. */
    static final String LB_POLICY_ANNOTATION = "discovery-gateway.io/xds-lb-policy";

    /**
     * With ring-hash: the request header whose value is hashed (else every call hashes at
     * random).
     */
    static final String HASH_HEADER_ANNOTATION = "discovery-gateway.io/xds-hash-header";

    /**
     * The drop category of an assignment without a ready or serving endpoint (clients
     * name it in their errors).
     */
    static final String NO_READY_ENDPOINTS = "no-ready-endpoints";

    /** The placeholder endpoint of such an assignment, never called. */
    static final String PLACEHOLDER_ADDRESS = "127.0.0.1";

    static final int PLACEHOLDER_PORT = 9;

    private static final ClusterLoadAssignment.Policy DROP_EVERY_CALL = ClusterLoadAssignment.Policy.newBuilder()
        .addDropOverloads(ClusterLoadAssignment.Policy.DropOverload.newBuilder()
            .setCategory(NO_READY_ENDPOINTS)
            .setDropPercentage(FractionalPercent.newBuilder()
                .setNumerator(100)
                .setDenominator(FractionalPercent.DenominatorType.HUNDRED)))
        .build();

    private static final Map<String, Cluster.LbPolicy> LB_POLICIES = Map.of("round-robin", Cluster.LbPolicy.ROUND_ROBIN,
            "ring-hash", Cluster.LbPolicy.RING_HASH, "least-request", Cluster.LbPolicy.LEAST_REQUEST);

    /**
     * A header name as RFC 9110 has it, in lower case as HTTP/2 requires; no
     * pseudo-headers.
     */
    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]{1,128}");

    /**
     * Application protocols that mean HTTP/2 to the backend (Envoy needs to be told; gRPC
     * always speaks it).
     */
    private static final Set<String> HTTP2 = Set.of("grpc", "h2c", "http2", "kubernetes.io/h2c");

    private static final Any ROUTER = Any.pack(Router.getDefaultInstance());

    private static final ConfigSource ADS = ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();

    ServiceResources {
        listeners = Map.copyOf(listeners);
        clusters = Map.copyOf(clusters);
        assignments = Map.copyOf(assignments);
    }

    /** Resources of one kind, by name. */
    Map<String, ? extends Message> of(XdsType type) {
        return switch (type) {
            case LISTENER -> listeners;
            case CLUSTER -> clusters;
            case ENDPOINTS -> assignments;
            case ROUTE -> Map.of();
        };
    }

    /**
     * Builds the resources of a service.
     * @throws InvalidResourceException when the Service asks for something no client
     * would accept
     */
    static ServiceResources of(ServiceSnapshot snapshot) {
        ServiceState state = snapshot.state();
        ServiceKey key = snapshot.key();
        Map<String, Listener> listeners = new LinkedHashMap<>();
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        Map<String, ClusterLoadAssignment> assignments = new LinkedHashMap<>();
        if (state.service().isExternalName()) {
            return new ServiceResources(key, snapshot.revision(), listeners, clusters, assignments);
        }
        Map<String, String> annotations = state.service().annotations();
        Cluster.LbPolicy policy = lbPolicy(annotations);
        String hashHeader = hashHeader(annotations, policy);
        List<ServicePort> ports = state.service()
            .ports()
            .stream()
            .filter(port -> port.protocol() == null || "TCP".equals(port.protocol()))
            .toList();
        for (ServicePort port : ports) {
            String name = XdsNames.canonical(key, port.port());
            Listener.Builder listener = listener(name, hashHeader);
            for (String listenerKey : XdsNames.listenerKeys(key, port.port(), ports.size() == 1)) {
                listeners.put(listenerKey, listener.setName(XdsNames.resourceName(listenerKey)).build());
            }
            clusters.put(name, cluster(name, policy, port.appProtocol()));
            assignments.put(name, assignment(name, port, state.endpoints(), endpoint -> "", ""));
        }
        return new ServiceResources(key, snapshot.revision(), listeners, clusters, assignments);
    }

    /**
     * Builds the resources of a cluster-set service ({@link XdsNames#clusterSet}): its
     * endpoints in one locality per cluster and zone (the cluster as the region), this
     * cluster's at priority 0 and the remote ones' at priority 1 while this cluster has a
     * ready endpoint, the other way round while it has none; so a client fails over to
     * the other clusters when this one has nothing ready, and comes back when it has.
     * Round-robin: the load-balancing annotations are each cluster's own.
     */
    static ServiceResources ofClusterSet(ClusterSetService service, String localCluster) {
        ServiceKey key = new ServiceKey(service.namespace(), service.name());
        Map<String, Listener> listeners = new LinkedHashMap<>();
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        Map<String, ClusterLoadAssignment> assignments = new LinkedHashMap<>();
        List<ClusterSetService.Port> ports = service.ports()
            .stream()
            .filter(port -> port.protocol() == null || "TCP".equals(port.protocol()))
            .toList();
        List<Endpoint> endpoints = new ArrayList<>(service.endpoints().size());
        Map<Endpoint, String> clusterOf = new IdentityHashMap<>();
        for (ClusterSetService.ClusterEndpoint endpoint : service.endpoints()) {
            endpoints.add(endpoint.endpoint());
            clusterOf.put(endpoint.endpoint(), endpoint.cluster());
        }
        for (ClusterSetService.Port port : ports) {
            String name = XdsNames.clusterSet(key, port.port());
            Listener.Builder listener = listener(name, null);
            listeners.put(name, listener.setName(name).build());
            if (ports.size() == 1) {
                String single = XdsNames.clusterSet(key);
                listeners.put(single, listener.setName(single).build());
            }
            clusters.put(name, cluster(name, Cluster.LbPolicy.ROUND_ROBIN, port.appProtocol()));
            assignments.put(name,
                    assignment(name,
                            new ServicePort(port.name(), port.port(), null, port.protocol(), port.appProtocol()),
                            endpoints, clusterOf::get, localCluster));
        }
        return new ServiceResources(key, service.revision(), listeners, clusters, assignments);
    }

    private static Cluster.LbPolicy lbPolicy(Map<String, String> annotations) {
        String value = annotations.get(LB_POLICY_ANNOTATION);
        if (value == null) {
            return Cluster.LbPolicy.ROUND_ROBIN;
        }
        Cluster.LbPolicy policy = LB_POLICIES.get(value.strip().toLowerCase(Locale.ROOT));
        if (policy == null) {
            throw new InvalidResourceException("annotation " + LB_POLICY_ANNOTATION + " is '" + value
                    + "'; it must be round-robin, ring-hash or least-request");
        }
        return policy;
    }

    private static String hashHeader(Map<String, String> annotations, Cluster.LbPolicy policy) {
        String value = annotations.get(HASH_HEADER_ANNOTATION);
        if (value == null) {
            return null;
        }
        if (policy != Cluster.LbPolicy.RING_HASH) {
            throw new InvalidResourceException(
                    "annotation " + HASH_HEADER_ANNOTATION + " needs " + LB_POLICY_ANNOTATION + ": ring-hash");
        }
        if (!HEADER_NAME.matcher(value).matches()) {
            throw new InvalidResourceException(
                    "annotation " + HASH_HEADER_ANNOTATION + " is '" + value + "', not a lower-case HTTP header name");
        }
        return value;
    }

    private static Listener.Builder listener(String cluster, String hashHeader) {
        RouteAction.Builder action = RouteAction.newBuilder().setCluster(cluster);
        if (hashHeader != null) {
            action.addHashPolicy(RouteAction.HashPolicy.newBuilder()
                .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(hashHeader)));
        }
        // The route is inline: one round trip fewer than RDS, and nothing to keep
        // consistent between two resources.
        RouteConfiguration routes = RouteConfiguration.newBuilder()
            .setName(cluster)
            .addVirtualHosts(VirtualHost.newBuilder()
                .setName(cluster)
                .addDomains("*")
                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("")).setRoute(action)))
            .build();
        HttpConnectionManager manager = HttpConnectionManager.newBuilder()
            .setStatPrefix(cluster)
            .setRouteConfig(routes)
            .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(ROUTER))
            .build();
        return Listener.newBuilder().setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(manager)));
    }

    private static Cluster cluster(String name, Cluster.LbPolicy policy, String appProtocol) {
        Cluster.Builder cluster = Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName(name))
            .setLbPolicy(policy);
        if (appProtocol != null && HTTP2.contains(appProtocol.toLowerCase(Locale.ROOT))) {
            HttpProtocolOptions http2 = HttpProtocolOptions.newBuilder()
                .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                    .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                .build();
            cluster.putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                    Any.pack(http2));
        }
        return cluster.build();
    }

    /**
     * @param clusterOf the cluster of each endpoint ("" for a Service of this cluster)
     * @param localCluster this cluster's name ("" for a Service of this cluster)
     */
    private static ClusterLoadAssignment assignment(String name, ServicePort servicePort, List<Endpoint> endpoints,
            Function<Endpoint, String> clusterOf, String localCluster) {
        Map<LocalityKey, List<LbEndpoint>> byZone = new TreeMap<>();
        Map<LocalityKey, Integer> readyByZone = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        // With no ready endpoint, the serving terminating ones take the traffic
        // (kube-proxy's fallback).
        boolean anyReady = endpoints.stream()
            .anyMatch(endpoint -> endpoint.ready() && targetPort(servicePort, endpoint) != null
                    && !"FQDN".equals(endpoint.addressType()));
        HealthStatus servingTerminating = anyReady ? HealthStatus.DRAINING : HealthStatus.HEALTHY;
        for (Endpoint endpoint : endpoints) {
            HealthStatus health = endpoint.ready() ? HealthStatus.HEALTHY
                    : endpoint.serving() && endpoint.terminating() ? servingTerminating : null;
            Integer port = targetPort(servicePort, endpoint);
            if (health == null || port == null || "FQDN".equals(endpoint.addressType())) {
                continue;
            }
            String address = endpoint.addresses().get(0);
            if (!InetAddresses.isInetAddress(address) || port < 1 || port > 65535) {
                throw new InvalidResourceException(
                        "endpoint " + address + ":" + port + " is not an IP address" + " and port");
            }
            if (!seen.add(address + ':' + port)) {
                continue;
            }
            LocalityKey zone = new LocalityKey(clusterOf.apply(endpoint),
                    endpoint.zone() == null ? "" : endpoint.zone());
            LbEndpoint.Builder lbEndpoint = LbEndpoint.newBuilder()
                .setHealthStatus(health)
                .setLoadBalancingWeight(UInt32Value.of(1))
                .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                    .setAddress(Address.newBuilder()
                        .setSocketAddress(SocketAddress.newBuilder().setAddress(address).setPortValue(port))));
            if (endpoint.targetRef() != null && endpoint.targetRef().name() != null) {
                lbEndpoint.getEndpointBuilder().setHostname(endpoint.targetRef().name());
            }
            byZone.computeIfAbsent(zone, z -> new ArrayList<>()).add(lbEndpoint.build());
            readyByZone.merge(zone, health == HealthStatus.HEALTHY ? 1 : 0, Integer::sum);
        }
        ClusterLoadAssignment.Builder assignment = ClusterLoadAssignment.newBuilder().setClusterName(name);
        if (byZone.isEmpty()) {
            return assignment.setPolicy(DROP_EVERY_CALL)
                .addEndpoints(LocalityLbEndpoints.newBuilder()
                    .setLocality(Locality.getDefaultInstance())
                    .setLoadBalancingWeight(UInt32Value.of(1))
                    .addLbEndpoints(LbEndpoint.newBuilder()
                        .setHealthStatus(HealthStatus.UNKNOWN)
                        .setLoadBalancingWeight(UInt32Value.of(1))
                        .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                            .setAddress(Address.newBuilder()
                                .setSocketAddress(SocketAddress.newBuilder()
                                    .setAddress(PLACEHOLDER_ADDRESS)
                                    .setPortValue(PLACEHOLDER_PORT))))))
                .build();
        }
        // This cluster first while it has a ready endpoint, else the others first;
        // priorities are numbered from 0 without a gap, as clients require.
        boolean localReady = readyByZone.entrySet()
            .stream()
            .anyMatch(ready -> ready.getKey().cluster().equals(localCluster) && ready.getValue() > 0);
        Predicate<LocalityKey> first = locality -> locality.cluster().equals(localCluster) == localReady;
        boolean twoTiers = byZone.keySet().stream().anyMatch(first) && !byZone.keySet().stream().allMatch(first);
        byZone.forEach((zone,
                lbEndpoints) -> assignment.addEndpoints(LocalityLbEndpoints.newBuilder()
                    .setLocality(Locality.newBuilder().setRegion(zone.cluster()).setZone(zone.zone()))
                    .setPriority(twoTiers && !first.test(zone) ? 1 : 0)
                    // Clients ignore a locality without a weight (gRPC silently): at
                    // least 1, also when all drain.
                    .setLoadBalancingWeight(UInt32Value.of(Math.max(1, readyByZone.get(zone))))
                    .addAllLbEndpoints(lbEndpoints)));
        return assignment.build();
    }

    /** A locality: the cluster (its region; "" for this cluster's Services) and zone. */
    private record LocalityKey(String cluster, String zone) implements Comparable<LocalityKey> {

        @Override
        public int compareTo(LocalityKey other) {
            int byCluster = cluster.compareTo(other.cluster);
            return byCluster != 0 ? byCluster : zone.compareTo(other.zone);
        }
    }

    /**
     * The endpoint's port for this Service port: the slice port of the same name (unnamed
     * for one unnamed port).
     */
    private static Integer targetPort(ServicePort servicePort, Endpoint endpoint) {
        String name = servicePort.name() == null ? "" : servicePort.name();
        for (EndpointPort port : endpoint.ports()) {
            if (name.equals(port.name() == null ? "" : port.name())
                    && (port.protocol() == null || "TCP".equals(port.protocol()))) {
                return port.port();
            }
        }
        return null;
    }

    /**
     * A Service whose resources would be rejected by clients; its last valid resources
     * stay published.
     */
    static final class InvalidResourceException extends RuntimeException {

        InvalidResourceException(String message) {
            super(message);
        }

    }
}
