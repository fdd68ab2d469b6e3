package io.discoverygateway.client.spring;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.discoverygateway.client.DiscoveryStream;
import io.discoverygateway.client.DiscoveryView;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import org.springframework.cloud.client.ServiceInstance;

/**
 * One live list of instances per service id that someone follows (a LoadBalancer), local
 * first on the cluster set's stream: its current list at once on subscription (once the
 * view was complete), then a new list whenever the view changes it. Lists come only from
 * complete views, so a disconnect or a gateway restart never empties them.
 *
 * <p>
 * Threads: the stream's reader thread emits (its listener); subscribers come from any
 * thread; the map is concurrent and each sink is serialized by Reactor.
 */
final class InstanceLists {

    private final DiscoveryStream stream;

    private final ServiceInstances instances;

    private final Map<String, Sinks.Many<List<ServiceInstance>>> lists = new ConcurrentHashMap<>();

    private final Map<String, List<ServiceInstance>> last = new ConcurrentHashMap<>();

    /** Whether the stream is the cluster set's: the lists are then local first. */
    private final boolean clusterSet;

    InstanceLists(DiscoveryStream stream, ServiceInstances instances, boolean clusterSet) {
        this.stream = stream;
        this.instances = instances;
        this.clusterSet = clusterSet;
        stream.addListener(this::changed);
    }

    Flux<List<ServiceInstance>> of(String serviceId) {
        return lists.computeIfAbsent(serviceId, id -> {
            Sinks.Many<List<ServiceInstance>> sink = Sinks.many().replay().latest();
            if (stream.ready()) {
                List<ServiceInstance> current = list(stream.view(), id);
                last.put(id, current);
                sink.tryEmitNext(current);
            }
            return sink;
        }).asFlux();
    }

    /**
     * The instances the balancer chooses from: on the cluster set's stream, those of the
     * gateway's cluster while it has any.
     */
    private List<ServiceInstance> list(DiscoveryView view, String serviceId) {
        List<ServiceInstance> all = instances.of(view, serviceId);
        return clusterSet ? ServiceInstances.localFirst(all, stream.localCluster()) : all;
    }

    private synchronized void changed(DiscoveryView view) {
        lists.forEach((serviceId, sink) -> {
            List<ServiceInstance> current = list(view, serviceId);
            if (!current.equals(last.get(serviceId))) {
                last.put(serviceId, current);
                sink.emitNext(current, Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofMillis(100)));
            }
        });
    }

}
