package io.discoverygateway.kubernetes;

import java.util.ArrayList;

import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.clusterset.ExportIndex;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code ServiceExport} of the Multi-Cluster Services API
 * ({@code multicluster.x-k8s.io/v1alpha1}): only its name, namespace and creation time
 * are read (it exports the Service of the same name). The Kubernetes client has no model
 * of it, so this is one, read by the client's JSON like its own.
 */
final class ServiceExportResource implements KubernetesObject {

    static final String GROUP_VERSION = "multicluster.x-k8s.io/v1alpha1";

    private static final Logger log = LoggerFactory.getLogger(ServiceExportResource.class);

    private String apiVersion;

    private String kind;

    private V1ObjectMeta metadata;

    @Override
    public V1ObjectMeta getMetadata() {
        return metadata;
    }

    @Override
    public String getApiVersion() {
        return apiVersion;
    }

    @Override
    public String getKind() {
        return kind;
    }

    /** Keeps the index of exports in step with the informer. */
    static ResourceEventHandler<ServiceExportResource> handler(ExportIndex index) {
        return new ResourceEventHandler<>() {

            @Override
            public void onAdd(ServiceExportResource export) {
                V1ObjectMeta meta = export.getMetadata();
                if (meta != null && meta.getCreationTimestamp() != null) {
                    index.exported(new ServiceKey(meta.getNamespace(), meta.getName()),
                            meta.getCreationTimestamp().toInstant());
                }
            }

            @Override
            public void onUpdate(ServiceExportResource before, ServiceExportResource after) {
                onAdd(after);
            }

            @Override
            public void onDelete(ServiceExportResource export, boolean finalStateUnknown) {
                V1ObjectMeta meta = export.getMetadata();
                if (meta != null) {
                    index.unexported(new ServiceKey(meta.getNamespace(), meta.getName()));
                }
            }
        };
    }

    /**
     * Logs the ServiceExport watch's trouble once per episode: without the CRD (or the
     * permission) no Service is exported by a ServiceExport, and the annotation still
     * works. Its failures do not make the catalog stale.
     */
    static ListWatchMonitor monitor(String informer) {
        return new ListWatchMonitor() {

            private volatile boolean failing;

            @Override
            public void succeeded(String name) {
                if (failing) {
                    log.info("{} are watched again", informer);
                    failing = false;
                }
            }

            @Override
            public void failed(String name, String reason) {
                if (!failing) {
                    failing = true;
                    log.warn("Cannot list or watch {} ({}): is the ServiceExport CRD (k8s/components/clusterset)"
                            + " installed, and may the gateway list and watch serviceexports? Until then only the"
                            + " export annotation exports Services", informer, reason);
                }
            }
        };
    }

    /** A list of ServiceExports. */
    static final class List implements KubernetesListObject {

        private String apiVersion;

        private String kind;

        private V1ListMeta metadata;

        private java.util.List<ServiceExportResource> items = new ArrayList<>();

        @Override
        public V1ListMeta getMetadata() {
            return metadata;
        }

        @Override
        public java.util.List<ServiceExportResource> getItems() {
            return items;
        }

        @Override
        public String getApiVersion() {
            return apiVersion;
        }

        @Override
        public String getKind() {
            return kind;
        }

    }

}
