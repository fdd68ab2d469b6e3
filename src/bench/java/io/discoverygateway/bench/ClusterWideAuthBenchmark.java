package io.discoverygateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.discoverygateway.deploy.GatewayRbac;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;
import io.discoverygateway.realkube.RealCluster;
import io.discoverygateway.realkube.RealTestCluster;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumer authentication with every namespace watched, on a real kube-apiserver: how
 * long a consumer's requests take, and how many SubjectAccessReviews they cost, at many
 * namespaces (issue 25 §9). A consumer bound in one namespace only, and one with no RBAC
 * at all; each without and with {@code gateway.auth.role-binding-prefilter}. Run with
 * {@code bench/run.sh clusterauth [namespaces]}.
 */
public final class ClusterWideAuthBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ClusterWideAuthBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int namespaces = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String javaHome = args.length > 1 ? args[1] : System.getProperty("java.home");
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        List<String> report = new ArrayList<>();
        try (RealCluster cluster = RealCluster
            .start(new RealCluster.Options("authbench", true, Duration.ofMinutes(5)))) {
            RealTestCluster api = new RealTestCluster(cluster);
            String own = cluster.createNamespaceNamed("discovery-gateway");
            GatewayRbac.apply(cluster.admin(), new GatewayRbac.Layout(true, true, false), own, List.of());
            long seeding = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < namespaces; i++) {
                String namespace = "tenant-" + i;
                created.add(pool.submit(() -> {
                    cluster.admin()
                        .post("/api/v1/namespaces", JSON.readTree("{\"metadata\":{\"name\":\"" + namespace + "\"}}"));
                    api.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "web"));
                }));
            }
            for (Future<?> future : created) {
                future.get();
            }
            pool.shutdown();
            double seeded = (System.nanoTime() - seeding) / 1e9;
            api.serviceAccount("tenant-0", "reader");
            api.grantListEndpointSlices("tenant-0", "tenant-0", "reader");
            api.serviceAccount("tenant-0", "nobody");
            String reader = api.token("tenant-0", "reader", List.of("discovery-gateway"), Duration.ofHours(1));
            String nobody = api.token("tenant-0", "nobody", List.of("discovery-gateway"), Duration.ofHours(1));
            Path token = out.resolve("authbench-gateway.token");
            Files.writeString(token, cluster.token(own, "discovery-gateway", List.of(), Duration.ofHours(4)));
            String user = "system:serviceaccount:" + own + ":discovery-gateway";
            report.add("# Consumer authentication, every namespace watched, %,d namespaces with a Service each"
                .formatted(namespaces));
            report.add("\nkube-apiserver v1.37.2 on loopback, 2 cores; seeded in %.1f s.\n".formatted(seeded));
            report.add("| RoleBinding prefilter | consumer | request | status | time | SubjectAccessReviews |");
            report.add("|---|---|---|---|---|---|");
            for (boolean prefilter : new boolean[] { false, true }) {
                try (GatewayProcess gateway = BenchGateways.start(javaHome, "1g", cluster.url(), List.of(),
                        List.of("--gateway.kubernetes.ca-file=" + cluster.caCertificate(),
                                "--gateway.kubernetes.token-file=" + token, "--gateway.all-namespaces=true",
                                "--gateway.auth.mode=kubernetes", "--gateway.auth.role-binding-prefilter=" + prefilter),
                        out.resolve("authbench-gateway-prefilter-" + prefilter + ".log"))) {
                    gateway.awaitReady(Duration.ofMinutes(2));
                    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                    while (prefilter && gateway.metric("gateway.auth.prefilter.active") < 1) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("The RoleBindings were not listed within a minute");
                        }
                        Thread.sleep(100);
                    }
                    HttpClient http = HttpClient.newHttpClient();
                    for (String[] consumer : new String[][] { { "bound in one namespace", reader },
                            { "no RBAC", nobody } }) {
                        for (String request : List.of("first", "second", "third")) {
                            int before = reviews(cluster, user);
                            long started = System.nanoTime();
                            HttpResponse<String> answer = http.send(HttpRequest
                                .newBuilder(URI.create("http://localhost:" + gateway.port() + "/api/v1/services"))
                                .header("Authorization", "Bearer " + consumer[1])
                                .build(), HttpResponse.BodyHandlers.ofString());
                            double millis = (System.nanoTime() - started) / 1e6;
                            Thread.sleep(1500);
                            report.add("| %s | %s | %s | %d | %.0f ms | %d |".formatted(prefilter ? "on" : "off",
                                    consumer[0], request, answer.statusCode(), millis,
                                    reviews(cluster, user) - before));
                        }
                    }
                }
            }
        }
        Path file = out.resolve("report-clusterauth.md");
        Files.write(file, report);
        report.forEach(System.out::println);
    }

    /**
     * SubjectAccessReviews the gateway has sent so far, from the API server's audit log.
     */
    private static int reviews(RealCluster cluster, String user) {
        return (int) cluster.requestsOf(user)
            .stream()
            .filter(request -> "subjectaccessreviews".equals(request.resource()))
            .count();
    }

}
