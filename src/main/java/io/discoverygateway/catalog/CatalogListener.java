package io.discoverygateway.catalog;

import java.util.List;

/**
 * Told of every batch of changes, in revision order, on the catalog's writer thread: an
 * implementation must return quickly and never block (hand work to its own threads).
 */
@FunctionalInterface
public interface CatalogListener {

    void onChanges(CatalogView view, List<ChangeEvent> changes);

}
