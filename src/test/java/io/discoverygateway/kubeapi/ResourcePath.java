package io.discoverygateway.kubeapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A path that names a resource: its collection (name empty), one object, or a subresource
 * of one.
 */
record ResourcePath(ApiResource resource, String namespace, String name, String subresource) {

    static Optional<ResourcePath> parse(String path) {
        for (ApiResource resource : ApiResource.ALL) {
            String prefix = resource.groupVersionPath() + "/";
            if (!path.startsWith(prefix)) {
                continue;
            }
            List<String> segments = new ArrayList<>(List.of(path.substring(prefix.length()).split("/")));
            segments.removeIf(String::isEmpty);
            String namespace = "";
            if (resource.namespaced() && segments.size() >= 2 && segments.get(0).equals("namespaces")) {
                namespace = segments.get(1);
                segments = segments.subList(2, segments.size());
            }
            if (segments.isEmpty() || !segments.get(0).equals(resource.plural()) || segments.size() > 3
                    || (segments.size() == 3 && !resource.subresources().contains(segments.get(2)))) {
                continue;
            }
            return Optional.of(new ResourcePath(resource, namespace, segments.size() >= 2 ? segments.get(1) : "",
                    segments.size() == 3 ? segments.get(2) : ""));
        }
        return Optional.empty();
    }

    /**
     * The resource as RBAC names it: {@code serviceaccounts/token} for a subresource.
     */
    String rbacResource() {
        return subresource.isEmpty() ? resource.plural() : resource.plural() + "/" + subresource;
    }
}
