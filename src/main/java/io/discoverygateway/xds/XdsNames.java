package io.discoverygateway.xds;

import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.catalog.ServiceKey;

/**
 * How Service ports are named in xDS, so that a gRPC target reads like the Kubernetes name of what it calls.
 *
 * <ul>
 * <li>{@code name.namespace:port} (the Service port's number) names the Listener, the Cluster and the
 * ClusterLoadAssignment of every port: {@code xds:///checkout.demo:8080}.</li>
 * <li>{@code name.namespace} is a second Listener for a Service with exactly one port.</li>
 * <li>{@code name:port} and, with one port, {@code name} are further Listeners while exactly one watched namespace
 * has a Service of that name; they disappear when a second one appears, rather than silently pointing at one of
 * them.</li>
 * </ul>
 * Every Listener routes to the canonical Cluster, so all of them balance over the same endpoints.
 */
final class XdsNames {

    private XdsNames() {
    }

    /** The name of a Service port's Listener, Cluster and ClusterLoadAssignment. */
    static String canonical(ServiceKey service, int port) {
        return service.name() + '.' + service.namespace() + ':' + port;
    }

    /**
     * Every Listener name of a Service port, the canonical one first.
     *
     * @param onlyPort whether it is the Service's only port
     * @param uniqueName whether no other watched namespace has a Service of this name
     */
    static List<String> listenerNames(ServiceKey service, int port, boolean onlyPort, boolean uniqueName) {
        List<String> names = new ArrayList<>(4);
        names.add(canonical(service, port));
        if (onlyPort) {
            names.add(service.name() + '.' + service.namespace());
        }
        if (uniqueName) {
            names.add(service.name() + ':' + port);
            if (onlyPort) {
                names.add(service.name());
            }
        }
        return names;
    }
}
