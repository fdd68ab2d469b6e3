package io.discoverygateway.longpoll;

import java.util.Set;

import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ServiceKey;

/**
 * What a long-poll waits on: one service, the services of one namespace, of several (the
 * namespaces a consumer may read), or every service; or in the cluster set, one service
 * or all.
 */
public sealed interface WaitTopic {

    /**
     * The revision of the topic's latest change in the view; a deleted service counts as
     * changed for ever.
     */
    long revision(CatalogView view);

    record Service(ServiceKey key) implements WaitTopic {

        @Override
        public long revision(CatalogView view) {
            return view.find(key).map(snapshot -> snapshot.revision()).orElse(Long.MAX_VALUE);
        }
    }

    record Namespace(String namespace) implements WaitTopic {

        @Override
        public long revision(CatalogView view) {
            return view.revision(namespace);
        }
    }

    record Namespaces(Set<String> namespaces) implements WaitTopic {

        public Namespaces {
            namespaces = Set.copyOf(namespaces);
        }

        @Override
        public long revision(CatalogView view) {
            return namespaces.stream().mapToLong(view::revision).max().orElse(0);
        }
    }

    /**
     * A cluster-set service, or with a null key every cluster-set service: its revisions
     * are the cluster set's own, which the waiter reads itself (see
     * {@link ChangeWaiters#await(WaitTopic, java.util.function.LongSupplier, long, java.time.Duration, java.util.function.BooleanSupplier)}),
     * not the catalog's.
     */
    record ClusterSet(ServiceKey key) implements WaitTopic {

        @Override
        public long revision(CatalogView view) {
            throw new UnsupportedOperationException("A cluster-set topic has the cluster set's revisions");
        }
    }

    record Everything() implements WaitTopic {

        @Override
        public long revision(CatalogView view) {
            return view.revision();
        }
    }

}
