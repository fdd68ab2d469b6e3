package io.discoverygateway.catalog;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What the gateway keeps of a Pod (only with {@code gateway.pod-metadata.enabled}):
 * identity, the allowed labels and annotations, phase, start time, node, total container
 * restarts and when it last became ready. Nothing else, so a change to anything else
 * makes no new revision.
 *
 * @param startTime RFC 3339, as the API gives it
 * @param readySince when the Ready condition last changed to true (RFC 3339), null while
 * not ready
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "name", "uid", "labels", "annotations", "phase", "startTime", "nodeName", "restarts",
        "readySince" })
public record PodInfo(String namespace, String name, String uid, Map<String, String> labels,
        Map<String, String> annotations, String phase, String startTime, String nodeName, int restarts,
        String readySince) {

    public PodInfo {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        annotations = Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
    }

    /** Not in the JSON: it is the endpoint's (and its targetRef's) namespace. */
    @JsonIgnore
    public String namespace() {
        return namespace;
    }

    ObjectKey key() {
        return new ObjectKey(namespace, name);
    }
}
