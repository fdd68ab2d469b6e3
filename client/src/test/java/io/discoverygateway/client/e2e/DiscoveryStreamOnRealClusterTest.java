package io.discoverygateway.client.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.discoverygateway.client.DiscoveryStream;
import io.discoverygateway.client.DiscoveryStreamOptions;
import io.discoverygateway.client.Endpoint;
import io.discoverygateway.client.ServiceEntry;
import io.discoverygateway.deploy.GatewayRbac;
import io.discoverygateway.process.GatewayProcess;
import io.discoverygateway.realkube.RealCluster;
import io.discoverygateway.realkube.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The client library on a real control plane: kube-apiserver, etcd and the EndpointSlice
 * and Deployment controllers, the gateway as it is deployed (its own ServiceAccount and
 * Role, the cluster's CA); a Deployment scaled, a pod turned not ready and a
 * {@code kubectl rollout restart}, followed by the client's view: it never holds fewer
 * ready endpoints than the Deployment keeps ({@code maxUnavailable: 0}).
 */
class DiscoveryStreamOnRealClusterTest {

    @TempDir
    Path temp;

    @Test
    void theClientFollowsWhatKubernetesControllersPublishThroughTheGateway() throws Exception {
        assumeThat(RealCluster.available()).as("the real Kubernetes binaries can be built (Go)").isTrue();
        RealCluster cluster = RealCluster.shared();
        String shop = cluster.createNamespace("shop");
        String own = cluster.createNamespace("discovery-gateway");
        GatewayRbac.apply(cluster.admin(), new GatewayRbac.Layout(false, false, false), own, List.of(shop));
        Path token = temp.resolve("token");
        Files.writeString(token, cluster.token(own, "discovery-gateway", List.of(), Duration.ofHours(1)));
        Workloads.deployed(cluster.admin(), shop, "backend", 2);

        try (GatewayProcess gateway = Gateways.watching(cluster.url(), shop,
                "--gateway.kubernetes.ca-file=" + cluster.caCertificate(), "--gateway.kubernetes.token-file=" + token);
                DiscoveryStream stream = new DiscoveryStream(
                        DiscoveryStreamOptions.of(List.of(gateway.url())).withNamespaces(List.of(shop)))
                    .start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> ready(stream, shop) == 2);

            Workloads.scale(cluster.admin(), shop, "backend", 4);
            await().atMost(Duration.ofSeconds(60)).until(() -> ready(stream, shop) == 4);

            String pod = Workloads.podNames(cluster.admin(), shop, "backend").get(0);
            Workloads.setReady(cluster.admin(), shop, pod, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> ready(stream, shop) == 3);
            ServiceEntry backend = stream.view().service(shop, "backend").orElseThrow();
            assertThat(backend.endpoints()).filteredOn(endpoint -> pod.equals(endpoint.targetName()))
                .singleElement()
                .satisfies(endpoint -> assertThat(endpoint.ready()).isFalse());
            assertThat(backend.endpoints()).extracting(Endpoint::zone).allMatch(zone -> zone.startsWith("zone-"));

            Workloads.setReady(cluster.admin(), shop, pod, true);
            await().atMost(Duration.ofSeconds(30)).until(() -> ready(stream, shop) == 4);
            java.util.Set<String> before = new java.util.HashSet<>(
                    Workloads.podNames(cluster.admin(), shop, "backend"));
            java.util.concurrent.atomic.AtomicLong fewest = new java.util.concurrent.atomic.AtomicLong(4);
            java.util.concurrent.atomic.AtomicInteger views = new java.util.concurrent.atomic.AtomicInteger();
            stream.addListener(view -> view.service(shop, "backend").ifPresent(service -> {
                views.incrementAndGet();
                fewest.accumulateAndGet(service.endpoints().stream().filter(Endpoint::ready).count(), Math::min);
            }));
            var restart = cluster.kubectl("rollout", "restart", "deployment/backend", "-n", shop);
            assertThat(restart.exitCode()).as(restart.output()).isZero();
            await().atMost(Duration.ofSeconds(120))
                .until(() -> stream.view()
                    .service(shop, "backend")
                    .map(service -> service.endpoints().size() == 4 && service.endpoints()
                        .stream()
                        .allMatch(endpoint -> endpoint.ready() && !before.contains(endpoint.targetName())))
                    .orElse(false));
            assertThat(views.get()).as("views the client went through during the rollout").isGreaterThan(4);
            assertThat(fewest.get()).as("ready endpoints the client held during the rollout, at the fewest")
                .isGreaterThanOrEqualTo(4);
        }
    }

    private static long ready(DiscoveryStream stream, String namespace) {
        return stream.view()
            .service(namespace, "backend")
            .map(service -> service.endpoints().stream().filter(Endpoint::ready).count())
            .orElse(0L);
    }

}
