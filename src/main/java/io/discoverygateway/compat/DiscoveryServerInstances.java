package io.discoverygateway.compat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.ServiceSnapshot;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.kubernetes.commons.discovery.DiscoveryClientUtils;
import org.springframework.cloud.kubernetes.commons.discovery.InstanceIdHostPodName;
import org.springframework.cloud.kubernetes.commons.discovery.KubernetesDiscoveryConstants;
import org.springframework.cloud.kubernetes.commons.discovery.KubernetesDiscoveryProperties;
import org.springframework.cloud.kubernetes.commons.discovery.PodLabelsAndAnnotations;
import org.springframework.cloud.kubernetes.commons.discovery.ServiceMetadata;
import org.springframework.cloud.kubernetes.commons.discovery.ServicePortNameAndNumber;
import org.springframework.cloud.kubernetes.commons.discovery.ServicePortSecureResolver;

/**
 * The service instances of Spring Cloud Kubernetes' discovery server, built with that project's own rules
 * ({@link DiscoveryClientUtils}: the primary port, the metadata, the secure-port resolution, the instance type
 * {@code DefaultKubernetesServiceInstance}) and its default discovery properties, from a snapshot: ready endpoints
 * only, of the Service's primary IP family; ExternalName services left out; {@code podMetadata} with the pod's labels
 * and annotations when the gateway watches pods (as the server does with its pod options on, without its API call
 * per instance).
 */
final class DiscoveryServerInstances {

    /** The discovery server's defaults, with pod labels and annotations added when the gateway knows them. */
    private static final KubernetesDiscoveryProperties PROPERTIES = withPodMetadata(KubernetesDiscoveryProperties.DEFAULT);
    private static final ServicePortSecureResolver SECURE_PORTS = new ServicePortSecureResolver(PROPERTIES);

    private DiscoveryServerInstances() {
    }

    static boolean listed(ServiceSnapshot snapshot) {
        return !snapshot.state().service().isExternalName();
    }

    static List<ServiceInstance> of(ServiceSnapshot snapshot) {
        ServiceResource service = snapshot.state().service();
        if (service.isExternalName()) {
            return List.of();
        }
        String family = service.ipFamilies().isEmpty() ? "IPv4" : service.ipFamilies().get(0);
        ServiceMetadata metadata = new ServiceMetadata(service.key().name(), service.key().namespace(),
                service.type(), service.labels(), service.annotations());
        List<ServiceInstance> instances = new ArrayList<>();
        for (Endpoint endpoint : snapshot.state().endpoints()) {
            if (endpoint.ready() && endpoint.addressType().equals(family)) {
                instances.add(instance(service, metadata, endpoint));
            }
        }
        return instances;
    }

    private static ServiceInstance instance(ServiceResource service, ServiceMetadata metadata, Endpoint endpoint) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (EndpointPort port : endpoint.ports()) {
            if (port.port() != null) {
                ports.put(port.name() == null || port.name().isEmpty() ? KubernetesDiscoveryConstants.UNSET_PORT_NAME
                        : port.name(), port.port());
            }
        }
        ServicePortNameAndNumber primary = DiscoveryClientUtils.endpointsPort(ports, metadata, PROPERTIES);
        Map<String, String> instanceMetadata = DiscoveryClientUtils.serviceInstanceMetadata(ports, metadata,
                PROPERTIES);
        String host = endpoint.addresses().get(0);
        String podName = endpoint.pod() != null ? endpoint.pod().name() : null;
        PodLabelsAndAnnotations pod = endpoint.pod() == null ? new PodLabelsAndAnnotations(Map.of(), Map.of())
                : new PodLabelsAndAnnotations(endpoint.pod().labels(), endpoint.pod().annotations());
        return DiscoveryClientUtils.serviceInstance(SECURE_PORTS, metadata,
                () -> new InstanceIdHostPodName(instanceId(service, endpoint, host), host, podName), name -> pod,
                primary, instanceMetadata, PROPERTIES);
    }

    /**
     * The pod's uid, as the discovery server gives it. Where there is none (an endpoint without a targetRef, such as
     * one written by hand for an external address), the discovery server falls back to the Service's uid, which
     * makes every such instance of the Service share one id; here it is a name-based UUID of the Service's uid and the
     * endpoint's address instead: unique within the Service and the same on every request.
     */
    static String instanceId(ServiceResource service, Endpoint endpoint, String host) {
        if (endpoint.targetRef() != null && endpoint.targetRef().uid() != null) {
            return endpoint.targetRef().uid();
        }
        return UUID.nameUUIDFromBytes((service.uid() + "/" + endpoint.addressType() + "/" + host)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static KubernetesDiscoveryProperties withPodMetadata(KubernetesDiscoveryProperties defaults) {
        KubernetesDiscoveryProperties.Metadata metadata = defaults.metadata();
        return new KubernetesDiscoveryProperties(defaults.enabled(), defaults.allNamespaces(), defaults.namespaces(),
                defaults.waitCacheReady(), defaults.cacheLoadingTimeoutSeconds(), defaults.includeNotReadyAddresses(),
                defaults.filter(), defaults.knownSecurePorts(), defaults.serviceLabels(), defaults.primaryPortName(),
                new KubernetesDiscoveryProperties.Metadata(metadata.addLabels(), metadata.labelsPrefix(),
                        metadata.addAnnotations(), metadata.annotationsPrefix(), metadata.addPorts(),
                        metadata.portsPrefix(), true, true),
                defaults.order(), defaults.useEndpointSlices(), defaults.includeExternalNameServices(),
                defaults.discoveryServerUrl());
    }
}
