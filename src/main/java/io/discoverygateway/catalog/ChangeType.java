package io.discoverygateway.catalog;

/** How a service changed; the names are those of Kubernetes watch events. */
public enum ChangeType {

    ADDED, MODIFIED, DELETED

}
