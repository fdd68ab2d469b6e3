package io.discoverygateway.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The object an endpoint stands for, usually a Pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetRef(String kind, String name, String namespace, String uid) {
}
