package io.discoverygateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.discoverygateway.SseClient;
import io.discoverygateway.deploy.GatewayRbac;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;
import io.discoverygateway.realkube.RealCluster;
import io.discoverygateway.realkube.RealTestCluster;

/**
 * Revocation with many consumer identities on a real kube-apiserver (issue 25 §9): one
 * stream per identity, each bound to read one namespace; some bindings are deleted, and
 * the time until their streams lose access is measured, with the duration of the
 * gateway's access-recheck rounds. Run with
 * {@code bench/run.sh revocation [identities] [recheck seconds]}.
 */
public final class StreamRevocationBenchmark {

    private static final int REVOKED = 10;

    private StreamRevocationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            run(args);
        }
        catch (Exception ex) {
            ex.printStackTrace();
            status = 1;
        }
        // Streams' and pools' threads must not keep a finished or failed run alive.
        System.exit(status);
    }

    private static void run(String[] args) throws Exception {
        int identities = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int recheckSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String javaHome = args.length > 2 ? args[2] : System.getProperty("java.home");
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        List<String> report = new ArrayList<>();
        try (RealCluster cluster = RealCluster
            .start(new RealCluster.Options("revocation", true, Duration.ofMinutes(5)))) {
            RealTestCluster api = new RealTestCluster(cluster);
            String own = cluster.createNamespaceNamed("discovery-gateway");
            String apps = cluster.createNamespaceNamed("apps");
            String tenants = cluster.createNamespaceNamed("tenants");
            GatewayRbac.apply(cluster.admin(), new GatewayRbac.Layout(false, true, false), own, List.of(apps));
            api.create(ApiResource.SERVICES, apps, KubeObjects.service(apps, "web"));
            long seeding = System.nanoTime();
            // The Role once (the first grant writes it), then one binding per identity.
            api.serviceAccount(tenants, "consumer-0");
            api.grantListEndpointSlices(apps, tenants, "consumer-0");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<String>> tokens = new ArrayList<>();
            for (int i = 0; i < identities; i++) {
                String account = "consumer-" + i;
                tokens.add(pool.submit(() -> {
                    api.serviceAccount(tenants, account);
                    api.replace(ApiResource.ROLE_BINDINGS, apps,
                            KubeObjects.binding(apps, account, "Role", "discovery-reader", tenants, account));
                    return api.token(tenants, account, List.of("discovery-gateway"), Duration.ofHours(1));
                }));
            }
            List<String> tokenList = new ArrayList<>();
            for (Future<String> token : tokens) {
                tokenList.add(token.get());
            }
            double seeded = (System.nanoTime() - seeding) / 1e9;
            Path gatewayToken = out.resolve("revocation-gateway.token");
            Files.writeString(gatewayToken, cluster.token(own, "discovery-gateway", List.of(), Duration.ofHours(4)));
            try (GatewayProcess gateway = BenchGateways.start(javaHome, "1g", cluster.url(), List.of(apps),
                    List.of("--gateway.kubernetes.ca-file=" + cluster.caCertificate(),
                            "--gateway.kubernetes.token-file=" + gatewayToken, "--gateway.auth.mode=kubernetes",
                            "--gateway.auth.recheck-interval=" + recheckSeconds + "s"),
                    out.resolve("revocation-gateway.log"))) {
                gateway.awaitReady(Duration.ofMinutes(2));
                long opening = System.nanoTime();
                List<Future<SseClient>> opened = new ArrayList<>();
                for (String token : tokenList) {
                    opened.add(pool.submit(() -> open(gateway.port(), token)));
                }
                List<SseClient> streams = new ArrayList<>();
                for (Future<SseClient> stream : opened) {
                    streams.add(stream.get());
                }
                double openSeconds = (System.nanoTime() - opening) / 1e9;
                // Let a few rounds run with every identity's decisions cached, as at
                // steady state.
                Thread.sleep(recheckSeconds * 2500L);
                long revokedAt = System.nanoTime();
                for (int i = 0; i < REVOKED; i++) {
                    api.delete(ApiResource.ROLE_BINDINGS, apps, "consumer-" + i);
                }
                double slowest = 0;
                for (int i = 0; i < REVOKED; i++) {
                    streams.get(i).awaitNamed("REAUTHENTICATE", Duration.ofSeconds(recheckSeconds * 4L));
                    slowest = Math.max(slowest, (System.nanoTime() - revokedAt) / 1e9);
                }
                int stillOpen = 0;
                for (int i = REVOKED; i < streams.size(); i++) {
                    stillOpen += streams.get(i).ended() ? 0 : 1;
                }
                double roundMax = gateway.statistic("gateway.stream.access.recheck", "MAX");
                double rounds = gateway.statistic("gateway.stream.access.recheck", "COUNT");
                double roundTotal = gateway.statistic("gateway.stream.access.recheck", "TOTAL_TIME");
                report.add("# Stream revocation, %,d consumer identities with one stream each".formatted(identities));
                report.add("\nkube-apiserver v1.37.2 on loopback, 2 cores; %,d ServiceAccounts, RoleBindings and tokens"
                    .formatted(identities)
                        + " in %.1f s; streams open and synced in %.1f s.\n".formatted(seeded, openSeconds));
                report.add("| recheck interval | recheck round (mean / max) | bindings deleted | all of their streams"
                        + " ended within | other streams still open |");
                report.add("|---|---|---|---|---|");
                report.add("| %d s | %.2f s / %.2f s | %d | %.1f s | %,d of %,d |".formatted(recheckSeconds,
                        rounds > 0 ? roundTotal / rounds : Double.NaN, roundMax, REVOKED, slowest, stillOpen,
                        streams.size() - REVOKED));
                for (SseClient stream : streams) {
                    stream.close();
                }
            }
            pool.shutdownNow();
        }
        Path file = out.resolve("report-revocation.md");
        Files.write(file, report);
        report.forEach(System.out::println);
    }

    /**
     * A stream as a client opens it: again after Retry-After while the gateway's review
     * budget is spent (503).
     */
    private static SseClient open(int port, String token) throws Exception {
        for (int attempt = 0;; attempt++) {
            SseClient stream = SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token);
            if (stream.status() == 200) {
                stream.awaitNamed("SYNCED", Duration.ofMinutes(1));
                return stream;
            }
            stream.close();
            if (attempt == 60) {
                throw new IllegalStateException("the stream answered " + stream.status() + " 60 times");
            }
            Thread.sleep(1000);
        }
    }

}
