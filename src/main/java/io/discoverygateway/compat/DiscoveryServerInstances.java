package io.discoverygateway.compat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.protocol.InstanceIds;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.kubernetes.commons.discovery.DefaultKubernetesServiceInstance;
import org.springframework.cloud.kubernetes.commons.discovery.DiscoveryClientUtils;
import org.springframework.cloud.kubernetes.commons.discovery.InstanceIdHostPodName;
import org.springframework.cloud.kubernetes.commons.discovery.KubernetesDiscoveryConstants;
import org.springframework.cloud.kubernetes.commons.discovery.KubernetesDiscoveryProperties;
import org.springframework.cloud.kubernetes.commons.discovery.PodLabelsAndAnnotations;
import org.springframework.cloud.kubernetes.commons.discovery.ServiceMetadata;
import org.springframework.cloud.kubernetes.commons.discovery.ServicePortNameAndNumber;
import org.springframework.cloud.kubernetes.commons.discovery.ServicePortSecureResolver;

/**
 * The service instances of Spring Cloud Kubernetes' discovery server, built with that
 * project's own rules ({@link DiscoveryClientUtils}: the primary port, the metadata, the
 * secure-port resolution, the instance types {@code DefaultKubernetesServiceInstance} and
 * {@code ExternalNameKubernetesServiceInstance}) and its default discovery properties,
 * from a snapshot: ready endpoints only (all with {@code include-not-ready-addresses}),
 * of the Service's primary IP family; ExternalName services only with
 * {@code include-external-name-services}; {@code podMetadata} with the pod's labels and
 * annotations when the gateway watches pods (as the server does with its pod options on,
 * without its API call per instance). One addition: the endpoint's {@code zone} in the
 * metadata, which Spring Cloud LoadBalancer's zone preference reads.
 */
final class DiscoveryServerInstances {

    static final String ZONE = "zone";

    private final KubernetesDiscoveryProperties properties;

    private final ServicePortSecureResolver securePorts;

    DiscoveryServerInstances(boolean includeNotReadyAddresses, boolean includeExternalNameServices) {
        this.properties = withOptions(KubernetesDiscoveryProperties.DEFAULT, includeNotReadyAddresses,
                includeExternalNameServices);
        this.securePorts = new ServicePortSecureResolver(properties);
    }

    boolean listed(ServiceSnapshot snapshot) {
        return properties.includeExternalNameServices() || !snapshot.state().service().isExternalName();
    }

    List<ServiceInstance> of(ServiceSnapshot snapshot) {
        ServiceResource service = snapshot.state().service();
        ServiceMetadata metadata = new ServiceMetadata(service.key().name(), service.key().namespace(), service.type(),
                service.labels(), service.annotations());
        if (service.isExternalName()) {
            if (!properties.includeExternalNameServices()) {
                return List.of();
            }
            return List.of(DiscoveryClientUtils.externalNameServiceInstance(metadata,
                    () -> new InstanceIdHostPodName(service.uid(), service.externalName(), null),
                    DiscoveryClientUtils.serviceInstanceMetadata(Map.of(), metadata, properties)));
        }
        String family = service.ipFamilies().isEmpty() ? "IPv4" : service.ipFamilies().get(0);
        List<ServiceInstance> instances = new ArrayList<>();
        for (Endpoint endpoint : snapshot.state().endpoints()) {
            if ((endpoint.ready() || properties.includeNotReadyAddresses()) && endpoint.addressType().equals(family)) {
                instances.add(instance(service, metadata, endpoint));
            }
        }
        return instances;
    }

    private ServiceInstance instance(ServiceResource service, ServiceMetadata metadata, Endpoint endpoint) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (EndpointPort port : endpoint.ports()) {
            if (port.port() != null) {
                ports.put(port.name() == null || port.name().isEmpty() ? KubernetesDiscoveryConstants.UNSET_PORT_NAME
                        : port.name(), port.port());
            }
        }
        ServicePortNameAndNumber primary = DiscoveryClientUtils.endpointsPort(ports, metadata, properties);
        Map<String, String> instanceMetadata = new LinkedHashMap<>(
                DiscoveryClientUtils.serviceInstanceMetadata(ports, metadata, properties));
        if (endpoint.zone() != null) {
            instanceMetadata.put(ZONE, endpoint.zone());
        }
        String host = endpoint.addresses().get(0);
        String podName = endpoint.pod() != null ? endpoint.pod().name() : null;
        PodLabelsAndAnnotations pod = endpoint.pod() == null ? new PodLabelsAndAnnotations(Map.of(), Map.of())
                : new PodLabelsAndAnnotations(endpoint.pod().labels(), endpoint.pod().annotations());
        ServiceInstance instance = DiscoveryClientUtils.serviceInstance(securePorts, metadata,
                () -> new InstanceIdHostPodName(instanceId(service, endpoint, host), host, podName), name -> pod,
                primary, instanceMetadata, properties);
        if (endpoint.cluster() != null && instance instanceof DefaultKubernetesServiceInstance kubernetes) {
            // A cluster-set service's instance names its cluster, as the field is meant
            // to.
            return new DefaultKubernetesServiceInstance(kubernetes.instanceId(), kubernetes.serviceId(),
                    kubernetes.host(), kubernetes.port(), kubernetes.metadata(), kubernetes.secure(),
                    kubernetes.namespace(), endpoint.cluster(), kubernetes.podMetadata());
        }
        return instance;
    }

    /**
     * The pod's uid, as the discovery server gives it, else one of the Service and the
     * address: {@link InstanceIds}.
     */
    static String instanceId(ServiceResource service, Endpoint endpoint, String host) {
        return InstanceIds.of(endpoint.targetRef() != null ? endpoint.targetRef().uid() : null, service.uid(),
                endpoint.addressType(), host);
    }

    /**
     * The discovery server's defaults, with pod labels and annotations on and the
     * gateway's two options.
     */
    private static KubernetesDiscoveryProperties withOptions(KubernetesDiscoveryProperties defaults,
            boolean includeNotReadyAddresses, boolean includeExternalNameServices) {
        KubernetesDiscoveryProperties.Metadata metadata = defaults.metadata();
        return new KubernetesDiscoveryProperties(defaults.enabled(), defaults.allNamespaces(), defaults.namespaces(),
                defaults.waitCacheReady(), defaults.cacheLoadingTimeoutSeconds(), includeNotReadyAddresses,
                defaults.filter(), defaults.knownSecurePorts(), defaults.serviceLabels(), defaults.primaryPortName(),
                new KubernetesDiscoveryProperties.Metadata(metadata.addLabels(), metadata.labelsPrefix(),
                        metadata.addAnnotations(), metadata.annotationsPrefix(), metadata.addPorts(),
                        metadata.portsPrefix(), true, true),
                defaults.order(), defaults.useEndpointSlices(), includeExternalNameServices,
                defaults.discoveryServerUrl());
    }

}
