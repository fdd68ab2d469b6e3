package io.discoverygateway;

import io.discoverygateway.kubeapi.TestCluster;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What the contracts of a gateway watching the namespaces alpha and beta share: the
 * cluster they write to (the embedded API or a real one), the gateway they read from, and
 * the names those namespaces have in that cluster.
 */
public abstract class AlphaBetaContract {

    @Autowired
    protected TestCluster cluster;

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    protected GatewayClient gateway;

    /** The cluster's name of the namespace the test calls alpha. */
    protected String alpha;

    /** The cluster's name of the namespace the test calls beta. */
    protected String beta;

    @BeforeEach
    public void openTheNamespaces() {
        gateway = new GatewayClient(port, managementPort);
        alpha = cluster.namespace("alpha");
        beta = cluster.namespace("beta");
    }

}
