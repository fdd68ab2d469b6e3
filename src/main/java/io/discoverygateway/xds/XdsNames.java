package io.discoverygateway.xds;

import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.catalog.ServiceKey;

/**
 * How Service ports are named in xDS, so that a gRPC target reads like the Kubernetes
 * name of what it calls.
 *
 * <ul>
 * <li>{@code name.namespace:port} (the Service port's number) names the Listener, the
 * Cluster and the ClusterLoadAssignment of every port:
 * {@code xds:///checkout.demo:8080}.</li>
 * <li>{@code name.namespace} is a second Listener for a Service with exactly one
 * port.</li>
 * <li>{@code name:port} and, with one port, {@code name} are further Listeners while
 * exactly one namespace that the client may read has a Service of that name; they
 * disappear when a second one appears, rather than silently pointing at one of them.
 * Uniqueness is decided per client, within its readable namespaces only: what a client is
 * sent never depends on what it may not read (a Service elsewhere must not take its short
 * names away, or a client could probe for names in namespaces closed to it).</li>
 * </ul>
 * Every Listener routes to the canonical Cluster, so all of them balance over the same
 * endpoints.
 *
 * <p>
 * Short names are published once per namespace that offers them, under a publication key
 * ({@link #shortKey}) that no requested name can be; the snapshot resolves them per
 * client when it answers.
 */
final class XdsNames {

    private XdsNames() {
    }

    /** The name of a Service port's Listener, Cluster and ClusterLoadAssignment. */
    static String canonical(ServiceKey service, int port) {
        return service.name() + '.' + service.namespace() + ':' + port;
    }

    /**
     * The name of a cluster-set service port's Listener, Cluster and
     * ClusterLoadAssignment: {@code name.namespace.clusterset:port}
     * ({@code xds:///cart.shop.clusterset:80}); a namespace has no dot, so it never names
     * a Service of this cluster.
     */
    static String clusterSet(ServiceKey service, int port) {
        return clusterSet(service) + ':' + port;
    }

    /** The second Listener of a cluster-set service with one port. */
    static String clusterSet(ServiceKey service) {
        return service.name() + '.' + service.namespace() + CLUSTER_SET_SUFFIX;
    }

    private static final String CLUSTER_SET_SUFFIX = ".clusterset";

    /**
     * Every Listener publication key of a Service port, the canonical name first; the
     * short names as {@link #shortKey}s.
     * @param onlyPort whether it is the Service's only port
     */
    static List<String> listenerKeys(ServiceKey service, int port, boolean onlyPort) {
        List<String> names = new ArrayList<>(4);
        names.add(canonical(service, port));
        if (onlyPort) {
            names.add(service.name() + '.' + service.namespace());
        }
        names.add(shortKey(service.name() + ':' + port, service.namespace()));
        if (onlyPort) {
            names.add(shortKey(service.name(), service.namespace()));
        }
        return names;
    }

    /**
     * The publication key of a short name offered by one namespace: the name, a NUL, the
     * namespace. NUL sorts before every other character, so the keys of one short name
     * are adjacent in a sorted map, right after the name.
     */
    static String shortKey(String shortName, String namespace) {
        return shortName + SHORT_KEY_SEPARATOR + namespace;
    }

    /** Whether a publication key is a {@link #shortKey}. */
    static boolean isShortKey(String key) {
        return key.indexOf(SHORT_KEY_SEPARATOR) >= 0;
    }

    /**
     * The resource name a publication key stands for (the key itself, or a short key's
     * name).
     */
    static String resourceName(String key) {
        int separator = key.indexOf(SHORT_KEY_SEPARATOR);
        return separator < 0 ? key : key.substring(0, separator);
    }

    /**
     * The first and last possible short keys of a short name, for a sorted map's subMap.
     */
    static String shortKeysFrom(String shortName) {
        return shortName + SHORT_KEY_SEPARATOR;
    }

    static String shortKeysTo(String shortName) {
        return shortName + (char) (SHORT_KEY_SEPARATOR + 1);
    }

    private static final char SHORT_KEY_SEPARATOR = '\u0000';

}
