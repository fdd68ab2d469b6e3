package io.discoverygateway.kubernetes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.GatewayProperties;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import okhttp3.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster's name as the About API (KEP-2149, {@code about.k8s.io/v1alpha1}) gives it:
 * the {@code cluster.clusterset.k8s.io} ClusterProperty, where an MCS implementation has
 * set one. Read once, with a short timeout; where there is none (the CRD not installed,
 * no such object, no permission), the configured name stands.
 */
final class ClusterProperty {

    static final String PATH = "/apis/about.k8s.io/v1alpha1/clusterproperties/cluster.clusterset.k8s.io";

    private static final Logger log = LoggerFactory.getLogger(ClusterProperty.class);

    private Spec spec;

    private static final class Spec {

        private String value;

    }

    private ClusterProperty() {
    }

    /**
     * The cluster's ClusterProperty name if it has a valid one, else {@code configured}.
     */
    static String nameOr(ApiClient client, String configured) {
        try {
            Call call = client.buildCall(null, PATH, "GET", new ArrayList<>(), new ArrayList<>(), null,
                    new HashMap<>(Map.of("Accept", "application/json")), new HashMap<>(), new HashMap<>(),
                    new String[] { "BearerToken" }, null);
            call.timeout().timeout(5, TimeUnit.SECONDS);
            ClusterProperty property = client.<ClusterProperty>execute(call, ClusterProperty.class).getData();
            String value = property == null || property.spec == null ? null : property.spec.value;
            if (value != null && value.matches(GatewayProperties.DNS_LABEL)) {
                if (!value.equals(configured)) {
                    log.info("Cluster '{}' is '{}' by its ClusterProperty cluster.clusterset.k8s.io", configured,
                            value);
                }
                return value;
            }
            log.warn("The ClusterProperty cluster.clusterset.k8s.io holds no valid cluster name ('{}'); using '{}'",
                    value, configured);
        }
        catch (ApiException ex) {
            log.info("No ClusterProperty cluster.clusterset.k8s.io in cluster '{}' (HTTP {})", configured,
                    ex.getCode());
        }
        catch (RuntimeException ex) {
            log.info("The ClusterProperty cluster.clusterset.k8s.io of cluster '{}' could not be read ({})", configured,
                    ex.getMessage());
        }
        return configured;
    }

}
