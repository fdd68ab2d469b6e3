package io.discoverygateway.catalog;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the gateway keeps of a Kubernetes Service.
 *
 * @param ipFamilies the Service's IP families, primary first (empty for ExternalName
 * services)
 * @param externalName the DNS name of an ExternalName service, otherwise null
 * @param annotations the Service's annotations, without kubectl's
 * last-applied-configuration
 */
public record ServiceResource(ServiceKey key, String uid, String type, List<String> clusterIPs, List<String> ipFamilies,
        String externalName, List<ServicePort> ports, Map<String, String> labels, Map<String, String> annotations) {

    public ServiceResource {
        clusterIPs = List.copyOf(clusterIPs);
        ipFamilies = List.copyOf(ipFamilies);
        ports = List.copyOf(ports);
        labels = sorted(labels);
        annotations = sorted(annotations);
    }

    public boolean isExternalName() {
        return externalName != null;
    }

    /**
     * Sorted, so that the JSON of a snapshot does not depend on the order the API server
     * sent.
     */
    private static Map<String, String> sorted(Map<String, String> map) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }
}
