package io.discoverygateway.catalog;

/**
 * A change handed to the catalog by the Kubernetes side; applied in order by its writer
 * thread.
 */
sealed interface Mutation {

    record ServiceUpsert(ServiceResource service) implements Mutation {
    }

    record ServiceRemoval(ServiceKey key) implements Mutation {
    }

    record SliceUpsert(EndpointSliceResource slice) implements Mutation {
    }

    record SliceRemoval(ObjectKey slice) implements Mutation {
    }

    record PodUpsert(PodInfo pod) implements Mutation {
    }

    record PodRemoval(ObjectKey pod) implements Mutation {
    }

}
