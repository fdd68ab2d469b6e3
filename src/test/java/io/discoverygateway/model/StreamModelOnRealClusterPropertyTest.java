package io.discoverygateway.model;

import java.util.List;
import java.util.Map;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.TestCluster;
import io.discoverygateway.realkube.GatewayOnCluster;
import io.discoverygateway.realkube.RealCluster;
import io.discoverygateway.realkube.RealTestCluster;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The stream's model-based contract on a real kube-apiserver (the shared real cluster),
 * with fewer tries: every write goes through admission, validation and etcd, and the
 * gateway watches every namespace with the cluster-wide layout's RBAC. Skipped where the
 * real cluster cannot run (never in CI).
 */
class StreamModelOnRealClusterPropertyTest extends StreamModelContract {

    private static RealTestCluster cluster;

    private static GatewayOnCluster gateway;

    private static synchronized void startOnce() {
        if (gateway == null) {
            RealCluster shared = RealCluster.shared();
            cluster = new RealTestCluster(shared);
            gateway = GatewayOnCluster.startClusterWide(shared,
                    Map.of("gateway.stream.heartbeat", "1s", "logging.level.root", "WARN"));
        }
    }

    @AfterContainer
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Property(tries = 3, shrinking = ShrinkingMode.BOUNDED)
    void everyClientEndsWithExactlyTheGatewaysStateOnARealApiServer(@ForAll("changes") List<Change> changes,
            @ForAll("seeds") long seed) {
        Assume.that(RealCluster.available());
        startOnce();
        everyClientEndsWithExactlyTheGatewaysState(changes, seed);
    }

    @Override
    TestCluster api() {
        return cluster;
    }

    @Override
    GatewayClient gateway() {
        return gateway.client();
    }

    @Override
    int port() {
        return gateway.port();
    }

    @Override
    String namespaceForTry() {
        return cluster.cluster().createNamespace("model");
    }

}
