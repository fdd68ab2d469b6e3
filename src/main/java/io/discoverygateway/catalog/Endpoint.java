package io.discoverygateway.catalog;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One network endpoint of a Service, as an EndpointSlice describes it, with the API's
 * defaults applied to its conditions (ready and serving default to true, terminating to
 * false).
 *
 * @param addressType IPv4, IPv6 or FQDN: the type of the slice the endpoint came from
 * @param ports the ports of the slice the endpoint came from
 * @param pod details of the Pod behind the endpoint, with
 * {@code gateway.pod-metadata.enabled} (else null)
 * @param cluster the cluster of the set the endpoint is in, on the cluster-set stream
 * (else null)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "addresses", "addressType", "ready", "serving", "terminating", "hostname", "nodeName", "zone",
        "hints", "targetRef", "ports", "pod", "cluster" })
public record Endpoint(List<String> addresses, String addressType, boolean ready, boolean serving, boolean terminating,
        String hostname, String nodeName, String zone, EndpointHints hints, TargetRef targetRef,
        List<EndpointPort> ports, PodInfo pod, String cluster) {

    public Endpoint {
        addresses = List.copyOf(addresses);
        ports = List.copyOf(ports);
    }

    public Endpoint(List<String> addresses, String addressType, boolean ready, boolean serving, boolean terminating,
            String hostname, String nodeName, String zone, EndpointHints hints, TargetRef targetRef,
            List<EndpointPort> ports) {
        this(addresses, addressType, ready, serving, terminating, hostname, nodeName, zone, hints, targetRef, ports,
                null, null);
    }

    Endpoint withPod(PodInfo pod) {
        return new Endpoint(addresses, addressType, ready, serving, terminating, hostname, nodeName, zone, hints,
                targetRef, ports, pod, cluster);
    }

    /** The endpoint as one of this cluster of the set. */
    public Endpoint inCluster(String cluster) {
        return new Endpoint(addresses, addressType, ready, serving, terminating, hostname, nodeName, zone, hints,
                targetRef, ports, pod, cluster);
    }

    /**
     * The labels of the pod behind the endpoint (none when pods are not watched or it has
     * no pod).
     */
    @JsonIgnore
    public Map<String, String> podLabels() {
        return pod == null ? Map.of() : pod.labels();
    }

    /**
     * The Pod this endpoint stands for, or null. Only a pod of the service's own
     * namespace: a targetRef into another namespace is ignored, so that writing an
     * EndpointSlice cannot reveal the labels of another namespace's pods.
     */
    ObjectKey podKey(String serviceNamespace) {
        if (targetRef == null || !"Pod".equals(targetRef.kind()) || targetRef.name() == null) {
            return null;
        }
        if (targetRef.namespace() != null && !targetRef.namespace().equals(serviceNamespace)) {
            return null;
        }
        return new ObjectKey(serviceNamespace, targetRef.name());
    }

    /**
     * Two copies of one endpoint in two slices of a Service share this identity (the
     * endpoints of two clusters never do).
     */
    String identity() {
        return addressType + '|' + addresses.get(0) + '|' + ports + (cluster == null ? "" : '|' + cluster);
    }
}
