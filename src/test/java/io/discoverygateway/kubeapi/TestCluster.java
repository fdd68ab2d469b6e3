package io.discoverygateway.kubeapi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import tools.jackson.databind.node.ObjectNode;

/**
 * The Kubernetes API a gateway test runs on, as the contract tests see it: the embedded
 * API of this project, or a real kube-apiserver with its controllers. A contract test
 * writes through this and reads through the gateway's HTTP surface, with the same
 * assertions on both.
 *
 * <p>
 * Namespaces are named logically by the tests ("alpha"); {@link #namespace} gives the
 * name in the cluster, which is the same on the embedded API (one per Spring context) and
 * made unique per Spring context on the shared real cluster. Objects are written into the
 * namespace given, whatever their JSON says.
 */
public interface TestCluster {

    /** "embedded" or "real", for messages and parameterized names. */
    String kind();

    /** The name in the cluster of a namespace the test calls {@code logical}. */
    String namespace(String logical);

    ObjectNode create(ApiResource resource, String namespace, String json);

    /** Creates, or replaces the object of that name. */
    ObjectNode replace(ApiResource resource, String namespace, String json);

    boolean delete(ApiResource resource, String namespace, String name);

    Optional<ObjectNode> get(ApiResource resource, String namespace, String name);

    /** Every object of a kind in a namespace. */
    List<ObjectNode> list(ApiResource resource, String namespace);

    /** Creates a ServiceAccount unless it exists; returns its name. */
    String serviceAccount(String namespace, String name);

    /**
     * A Role allowing list on EndpointSlices in {@code namespace}, bound to the account.
     */
    void grantListEndpointSlices(String namespace, String accountNamespace, String account);

    /**
     * A token of the account from TokenRequest; the real API issues at least ten minutes,
     * so tests that need a shorter life are embedded-only.
     */
    String token(String namespace, String serviceAccount, List<String> audiences, Duration lifetime);

}
