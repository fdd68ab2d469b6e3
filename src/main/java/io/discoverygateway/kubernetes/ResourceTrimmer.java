package io.discoverygateway.kubernetes;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

/**
 * Drops what the gateway never reads from objects before the informer stores them:
 * managed fields and kubectl's last-applied-configuration annotation are often larger
 * than the rest of a Service together.
 */
final class ResourceTrimmer {

    private ResourceTrimmer() {
    }

    static KubernetesObject trim(KubernetesObject object) {
        V1ObjectMeta meta = object.getMetadata();
        if (meta != null) {
            meta.setManagedFields(null);
            if (meta.getAnnotations() != null) {
                meta.getAnnotations().remove(ResourceMapper.LAST_APPLIED_ANNOTATION);
            }
        }
        return object;
    }

}
