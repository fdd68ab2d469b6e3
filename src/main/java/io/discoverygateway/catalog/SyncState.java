package io.discoverygateway.catalog;

/**
 * Whether the catalog holds the initial lists of everything watched (before that it is
 * incomplete, not empty).
 */
@FunctionalInterface
public interface SyncState {

    /** True once every informer has listed its resources and the catalog holds them. */
    boolean synced();

}
