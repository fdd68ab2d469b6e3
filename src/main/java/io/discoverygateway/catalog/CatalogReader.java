package io.discoverygateway.catalog;

import java.util.concurrent.CompletableFuture;

/**
 * The catalog as the HTTP surfaces see it: immutable views to read, changes to listen to,
 * and a way to act at a known point of the change flow. Only the Kubernetes side writes,
 * through {@link Catalog}.
 */
public interface CatalogReader {

    /** The random id of this process's revisions. */
    String epoch();

    /** The latest published view; never null. */
    CatalogView view();

    /**
     * Tells the listener of every later batch of changes, on the catalog's writer thread.
     */
    void addListener(CatalogListener listener);

    /**
     * Runs the task on the writer thread once everything handed in before has been
     * applied and published; the task sees the view that results, and no batch is
     * published while it runs.
     */
    CompletableFuture<Void> afterPending(Runnable task);

}
