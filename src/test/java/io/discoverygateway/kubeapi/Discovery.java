package io.discoverygateway.kubeapi;

import java.util.List;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The discovery documents kubectl reads before it touches a resource. */
final class Discovery {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Discovery() {
    }

    static Optional<JsonNode> document(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        if (trimmed.equals("/version")) {
            ObjectNode version = JSON.createObjectNode();
            version.put("major", "1");
            version.put("minor", "33");
            version.put("gitVersion", "v1.33.0-embedded");
            version.put("platform", "linux/amd64");
            return Optional.of(version);
        }
        if (trimmed.equals("/api")) {
            ObjectNode versions = JSON.createObjectNode();
            versions.put("kind", "APIVersions");
            versions.putArray("versions").add("v1");
            ArrayNode addresses = versions.putArray("serverAddressByClientCIDRs");
            addresses.addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", "127.0.0.1");
            return Optional.of(versions);
        }
        if (trimmed.equals("/apis")) {
            ObjectNode groups = JSON.createObjectNode();
            groups.put("kind", "APIGroupList");
            groups.put("apiVersion", "v1");
            ArrayNode list = groups.putArray("groups");
            ApiResource.ALL.stream()
                .map(ApiResource::group)
                .filter(group -> !group.isEmpty())
                .distinct()
                .forEach(group -> list.add(group(group)));
            return Optional.of(groups);
        }
        if (trimmed.startsWith("/apis/") && trimmed.chars().filter(c -> c == '/').count() == 2) {
            String group = trimmed.substring("/apis/".length());
            return ApiResource.ALL.stream().anyMatch(r -> r.group().equals(group))
                    ? Optional.of(group(group).put("kind", "APIGroup").put("apiVersion", "v1")) : Optional.empty();
        }
        List<ApiResource> resources = ApiResource.ALL.stream()
            .filter(resource -> resource.groupVersionPath().equals(trimmed))
            .toList();
        if (resources.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode list = JSON.createObjectNode();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", resources.get(0).apiVersion());
        ArrayNode array = list.putArray("resources");
        for (ApiResource resource : resources) {
            ObjectNode entry = array.addObject();
            entry.put("name", resource.plural());
            entry.put("singularName", resource.kind().toLowerCase());
            entry.put("namespaced", resource.namespaced());
            entry.put("kind", resource.kind());
            ArrayNode verbs = entry.putArray("verbs");
            resource.verbs().forEach(verbs::add);
            ArrayNode shortNames = entry.putArray("shortNames");
            resource.shortNames().forEach(shortNames::add);
            for (String subresource : resource.subresources()) {
                // The one subresource served, serviceaccounts/token, takes a TokenRequest
                // (kubectl create token).
                ObjectNode sub = array.addObject();
                sub.put("name", resource.plural() + "/" + subresource);
                sub.put("singularName", "");
                sub.put("namespaced", resource.namespaced());
                sub.put("group", "authentication.k8s.io");
                sub.put("version", "v1");
                sub.put("kind", "TokenRequest");
                sub.putArray("verbs").add("create");
            }
        }
        return Optional.of(list);
    }

    private static ObjectNode group(String group) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", group);
        ObjectNode version = JSON.createObjectNode();
        String preferred = ApiResource.ALL.stream()
            .filter(resource -> resource.group().equals(group))
            .map(ApiResource::version)
            .findFirst()
            .orElse("v1");
        version.put("groupVersion", group + "/" + preferred);
        version.put("version", preferred);
        node.putArray("versions").add(version);
        node.set("preferredVersion", version.deepCopy());
        return node;
    }

}
