package io.discoverygateway.kubernetes;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.catalog.PodInfo;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;

/**
 * Keeps of a Pod only what endpoints show: both to map it to {@link PodInfo} and, before
 * the informer stores it, to trim the client model to those fields (a Pod with its spec
 * and status is tens of kilobytes).
 */
final class PodMapper {

    private final List<String> labelKeys;

    private final List<String> annotationKeys;

    PodMapper(GatewayProperties.PodMetadata properties) {
        this.labelKeys = properties.labelKeys();
        this.annotationKeys = properties.annotationKeys();
    }

    PodInfo info(V1Pod pod) {
        V1ObjectMeta meta = pod.getMetadata();
        if (meta == null || meta.getName() == null || meta.getNamespace() == null) {
            throw new ResourceMapper.UnusableObjectException("missing metadata.name or metadata.namespace");
        }
        V1PodStatus status = Optional.ofNullable(pod.getStatus()).orElseGet(V1PodStatus::new);
        int restarts = Optional.ofNullable(status.getContainerStatuses())
            .orElse(List.of())
            .stream()
            .mapToInt(container -> Optional.ofNullable(container.getRestartCount()).orElse(0))
            .sum();
        String readySince = Optional.ofNullable(status.getConditions())
            .orElse(List.of())
            .stream()
            .filter(condition -> "Ready".equals(condition.getType()) && "True".equals(condition.getStatus()))
            .map(V1PodCondition::getLastTransitionTime)
            .filter(time -> time != null)
            .map(PodMapper::rfc3339)
            .findFirst()
            .orElse(null);
        return new PodInfo(meta.getNamespace(), meta.getName(), meta.getUid(), labels(meta.getLabels()),
                annotations(meta.getAnnotations()), status.getPhase(),
                status.getStartTime() == null ? null : rfc3339(status.getStartTime()),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(), restarts, readySince);
    }

    /**
     * RFC 3339 as Kubernetes writes it ({@code 2026-11-30T05:00:00Z});
     * {@link OffsetDateTime#toString()} would leave out zero seconds
     * ({@code 2026-11-30T05:00Z}), which is not RFC 3339.
     */
    static String rfc3339(OffsetDateTime time) {
        return DateTimeFormatter.ISO_INSTANT.format(time.toInstant());
    }

    /** A copy of the pod holding only the fields {@link #info} reads. */
    V1Pod trim(V1Pod pod) {
        V1ObjectMeta meta = pod.getMetadata();
        V1ObjectMeta kept = meta == null ? null
                : new V1ObjectMeta().name(meta.getName())
                    .namespace(meta.getNamespace())
                    .uid(meta.getUid())
                    .resourceVersion(meta.getResourceVersion())
                    .labels(labels(meta.getLabels()))
                    .annotations(annotations(meta.getAnnotations()));
        V1PodStatus status = pod.getStatus();
        V1PodStatus keptStatus = status == null ? null
                : new V1PodStatus().phase(status.getPhase())
                    .startTime(status.getStartTime())
                    .containerStatuses(status.getContainerStatuses() == null ? null
                            : status.getContainerStatuses()
                                .stream()
                                .map(c -> new V1ContainerStatus().name(c.getName()).restartCount(c.getRestartCount()))
                                .toList())
                    .conditions(status.getConditions() == null ? null
                            : status.getConditions()
                                .stream()
                                .filter(condition -> "Ready".equals(condition.getType()))
                                .toList());
        return new V1Pod().metadata(kept)
            .status(keptStatus)
            .spec(pod.getSpec() == null ? null
                    : new V1PodSpec().nodeName(pod.getSpec().getNodeName()).containers(List.of()));
    }

    private Map<String, String> labels(Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        return labelKeys.isEmpty() ? labels : select(labels, labelKeys);
    }

    private Map<String, String> annotations(Map<String, String> annotations) {
        return annotations == null || annotationKeys.isEmpty() ? Map.of() : select(annotations, annotationKeys);
    }

    private static Map<String, String> select(Map<String, String> map, List<String> keys) {
        return map.entrySet()
            .stream()
            .filter(entry -> keys.contains(entry.getKey()))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

}
