package io.discoverygateway.kubeapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The patch formats of the Kubernetes API. Strategic merge patch is approximated: it
 * merges like a JSON merge patch, except that lists with a known merge key (ports by
 * port, containers by name) merge element by element, and {@code $}-directives other than
 * {@code $patch: delete} on list elements are ignored. Server-side apply is treated as a
 * merge of the applied configuration.
 */
final class Patches {

    private static final Map<String, String> MERGE_KEYS = Map.of("ports", "port", "containers", "name");

    private Patches() {
    }

    static ObjectNode apply(String contentType, ObjectNode target, JsonNode patch) {
        return switch (contentType) {
            case "application/json-patch+json" -> jsonPatch(target, patch);
            case "application/strategic-merge-patch+json" -> (ObjectNode) merge(target, patch, true, null);
            default -> (ObjectNode) merge(target, patch, false, null);
        };
    }

    private static JsonNode merge(JsonNode target, JsonNode patch, boolean strategic, String field) {
        if (patch instanceof ArrayNode patchList && strategic && target instanceof ArrayNode targetList
                && MERGE_KEYS.containsKey(field)) {
            return mergeList(targetList, patchList, MERGE_KEYS.get(field));
        }
        if (!(patch instanceof ObjectNode patchObject)) {
            return patch;
        }
        ObjectNode result = target instanceof ObjectNode object ? object.deepCopy() : patchObject.objectNode();
        for (Map.Entry<String, JsonNode> entry : patchObject.properties()) {
            String name = entry.getKey();
            if (name.startsWith("$")) {
                continue;
            }
            if (entry.getValue().isNull()) {
                result.remove(name);
            }
            else {
                result.set(name, merge(result.get(name), entry.getValue(), strategic, name));
            }
        }
        return result;
    }

    private static ArrayNode mergeList(ArrayNode target, ArrayNode patch, String key) {
        List<JsonNode> merged = new ArrayList<>();
        target.forEach(merged::add);
        for (JsonNode element : patch) {
            JsonNode id = element.get(key);
            int index = -1;
            for (int i = 0; i < merged.size(); i++) {
                if (id != null && id.equals(merged.get(i).get(key))) {
                    index = i;
                }
            }
            boolean delete = "delete".equals(element.path("$patch").asString(""));
            if (index >= 0 && delete) {
                merged.remove(index);
            }
            else if (index >= 0) {
                merged.set(index, merge(merged.get(index), element, true, null));
            }
            else if (!delete) {
                merged.add(merge(null, element, true, null));
            }
        }
        ArrayNode result = target.arrayNode();
        merged.forEach(result::add);
        return result;
    }

    private static ObjectNode jsonPatch(ObjectNode target, JsonNode patch) {
        ObjectNode result = target.deepCopy();
        for (JsonNode operation : patch) {
            String op = operation.path("op").asString("");
            String path = operation.path("path").asString("");
            String[] segments = path.substring(path.startsWith("/") ? 1 : 0).split("/");
            JsonNode parent = result;
            for (int i = 0; i < segments.length - 1; i++) {
                parent = parent instanceof ArrayNode array ? array.get(Integer.parseInt(segments[i]))
                        : parent.get(unescape(segments[i]));
                if (parent == null) {
                    throw new IllegalArgumentException("path not found: " + path);
                }
            }
            String last = unescape(segments[segments.length - 1]);
            switch (op) {
                case "add", "replace" -> {
                    if (parent instanceof ArrayNode array) {
                        int index = last.equals("-") ? array.size() : Integer.parseInt(last);
                        if (op.equals("add")) {
                            array.insert(index, operation.get("value"));
                        }
                        else {
                            array.set(index, operation.get("value"));
                        }
                    }
                    else {
                        ((ObjectNode) parent).set(last, operation.get("value"));
                    }
                }
                case "remove" -> {
                    if (parent instanceof ArrayNode array) {
                        array.remove(Integer.parseInt(last));
                    }
                    else {
                        ((ObjectNode) parent).remove(last);
                    }
                }
                default -> throw new IllegalArgumentException("unsupported JSON patch operation: " + op);
            }
        }
        return result;
    }

    private static String unescape(String segment) {
        return segment.replace("~1", "/").replace("~0", "~");
    }

}
