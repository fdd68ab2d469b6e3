package io.discoverygateway.realkube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.deploy.GatewayRbac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the gateway locally on a real Kubernetes control plane (built by
 * src/test/realkube/build.sh, with simulated nodes), deployed as k8s/base deploys it,
 * with demo workloads in namespace {@code demo}:
 * {@code ./mvnw spring-boot:test-run -Dspring-boot.run.main-class=io.discoverygateway.realkube.RealClusterGatewayApplication}.
 */
public final class RealClusterGatewayApplication {

    private static final Logger log = LoggerFactory.getLogger(RealClusterGatewayApplication.class);

    private RealClusterGatewayApplication() {
    }

    /**
     * Starts the cluster and the gateway on it; {@code ./mvnw spring-boot:test-run
     * -Dspring-boot.run.arguments=--real-cluster} runs it (through
     * {@code LocalGatewayApplication}, the one main class of the tests).
     */
    public static void run(String[] args) throws IOException {
        RealCluster cluster = RealCluster.start(new RealCluster.Options("local", true, Duration.ofMinutes(5)));
        KubeRest admin = cluster.admin();
        String demo = cluster.createNamespaceNamed("demo");
        String own = cluster.createNamespaceNamed("discovery-gateway");
        GatewayRbac.apply(admin, new GatewayRbac.Layout(false, false, false), own, List.of(demo));
        Workloads.deployed(admin, demo, "checkout", 3);
        Workloads.deployed(admin, demo, "payments", 2);
        Path token = cluster.logs().resolveSibling("gateway.token");
        Files.writeString(token, cluster.token(own, "discovery-gateway", List.of(), Duration.ofHours(24)));
        String[] all = Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--gateway.kubernetes.api-url=" + cluster.url();
        all[args.length + 1] = "--gateway.kubernetes.ca-file=" + cluster.caCertificate();
        all[args.length + 2] = "--gateway.kubernetes.token-file=" + token;
        all[args.length + 3] = "--gateway.namespaces=" + demo;
        ConfigurableApplicationContext context = SpringApplication.run(DiscoveryGatewayApplication.class, all);
        // Stopped with the beans, after the informers: they must not see the API vanish
        // first.
        ((DefaultListableBeanFactory) context.getBeanFactory()).registerDisposableBean("realCluster", cluster::close);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        log.info("""

                Discovery gateway:  http://localhost:{0}  (as ServiceAccount discovery-gateway/discovery-gateway,
                  with k8s/base's Role in namespace demo)
                  curl -s localhost:{0}/api/v1/namespaces/demo/services/checkout
                  curl -N localhost:{0}/api/v1/stream?namespace=demo
                Real Kubernetes API: {1} (kube-apiserver, kube-controller-manager and etcd; three simulated nodes)
                  export KUBECONFIG={2}
                  {4} -n demo scale deployment checkout --replicas=5
                  {4} -n demo rollout restart deployment payments
                  {4} -n demo annotate pod <pod> {3}=false --overwrite   # the pod turns not ready
                """.replace("{0}", Integer.toString(port))
            .replace("{1}", cluster.url().toString())
            .replace("{2}", cluster.kubeconfig().toString())
            .replace("{3}", SimulatedKubelet.READY_ANNOTATION)
            .replace("{4}", RealKubeBinaries.binary("kubectl").toString()));
    }

}
