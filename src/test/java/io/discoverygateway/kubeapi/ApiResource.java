package io.discoverygateway.kubeapi;

import java.util.List;

/**
 * A resource the embedded API serves.
 *
 * @param group the API group, empty for the core group
 * @param plural the resource name in paths, for example "services"
 */
public record ApiResource(String group, String version, String plural, String kind, List<String> shortNames) {

    public static final ApiResource SERVICES = new ApiResource("", "v1", "services", "Service", List.of("svc"));
    public static final ApiResource ENDPOINT_SLICES = new ApiResource("discovery.k8s.io", "v1", "endpointslices",
            "EndpointSlice", List.of());
    public static final ApiResource PODS = new ApiResource("", "v1", "pods", "Pod", List.of("po"));
    public static final List<ApiResource> ALL = List.of(SERVICES, ENDPOINT_SLICES, PODS);

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The path prefix of the group version: /api/v1 or /apis/group/version. */
    public String groupVersionPath() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }
}
