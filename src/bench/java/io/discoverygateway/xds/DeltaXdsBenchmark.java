package io.discoverygateway.xds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.xds.XdsObjects.Backend;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * State of the world against incremental xDS for a wildcard CDS subscriber (as Envoy
 * subscribes), at many Services: the bytes of the first response and of each change, and
 * the time from a change written to the API to each client's response. One Service's
 * Cluster changes at a time (its load-balancing policy). Run with
 * {@code bench/run.sh delta [services] [changes]}; the report goes to
 * target/bench/report-delta.md.
 */
public final class DeltaXdsBenchmark {

    private static final String NAMESPACE = "bench";

    private DeltaXdsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int changes = Math.min(services, args.length > 1 ? Integer.parseInt(args[1]) : 50);
        List<String> report = new ArrayList<>();
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start()) {
            for (int i = 0; i < services; i++) {
                api.create(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, "svc-" + i, Map.of()));
                api.create(ApiResource.ENDPOINT_SLICES, NAMESPACE, XdsObjects.slice(NAMESPACE, "svc-" + i, 50051,
                        List.of(Backend.ready("10.1." + (i / 250) + "." + (i % 250)))));
            }
            try (ConfigurableApplicationContext gateway = SpringApplication.run(DiscoveryGatewayApplication.class,
                    "--server.port=0", "--management.server.port=0", "--gateway.namespaces=" + NAMESPACE,
                    "--gateway.kubernetes.api-url=" + api.url(), "--gateway.xds.enabled=true", "--gateway.xds.port=0",
                    "--spring.main.banner-mode=off", "--logging.level.root=WARN")) {
                XdsServer xds = gateway.getBean(XdsServer.class);
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!xds.ready() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                try (AdsStream world = new AdsStream(xds.port(), null);
                        DeltaAdsStream delta = new DeltaAdsStream(xds.port(), null)) {
                    world.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");
                    DiscoveryResponse worldFirst = world.next(Duration.ofMinutes(1));
                    world.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), worldFirst.getVersionInfo(),
                            worldFirst.getNonce());
                    delta.subscribe(Resources.V3.CLUSTER_TYPE_URL, List.of(), Map.of());
                    DeltaDiscoveryResponse deltaFirst = delta.next(Duration.ofMinutes(1));
                    delta.ack(deltaFirst);

                    long[] worldBytes = new long[changes];
                    long[] deltaBytes = new long[changes];
                    long[] worldNanos = new long[changes];
                    long[] deltaNanos = new long[changes];
                    for (int i = 0; i < changes; i++) {
                        long written = System.nanoTime();
                        // A Service not changed before: its Cluster's policy changes from
                        // round robin.
                        api.replace(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, "svc-" + i,
                                Map.of(ServiceResources.LB_POLICY_ANNOTATION, "least-request")));
                        DeltaDiscoveryResponse deltaChange = delta.next(Duration.ofSeconds(30));
                        deltaNanos[i] = delta.arrivedAt(deltaChange) - written;
                        delta.ack(deltaChange);
                        deltaBytes[i] = deltaChange.getSerializedSize();
                        DiscoveryResponse worldChange = world.next(Duration.ofSeconds(30));
                        worldNanos[i] = world.arrivedAt(worldChange) - written;
                        world.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), worldChange.getVersionInfo(),
                                worldChange.getNonce());
                        worldBytes[i] = worldChange.getSerializedSize();
                    }
                    report.add("# Wildcard CDS at %,d Services: state of the world against delta".formatted(services));
                    report.add("\nOne Service's Cluster changed at a time, %d times; times from the write to the API to"
                        .formatted(changes) + " the response, bytes as serialized (2 cores, one JVM).\n");
                    report.add("| | first response | bytes per change (median) | change → response p50 | p99 |");
                    report.add("|---|---|---|---|---|");
                    report.add(row("state of the world", worldFirst.getSerializedSize(), worldBytes, worldNanos));
                    report.add(row("delta", deltaFirst.getSerializedSize(), deltaBytes, deltaNanos));
                }
            }
        }
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.write(out.resolve("report-delta.md"), report);
        report.forEach(System.out::println);
        System.exit(0);
    }

    private static String row(String name, long first, long[] bytes, long[] nanos) {
        Arrays.sort(bytes);
        Arrays.sort(nanos);
        return "| %s | %,d B | %,d B | %.1f ms | %.1f ms |".formatted(name, first, bytes[bytes.length / 2],
                nanos[nanos.length / 2] / 1e6, nanos[(int) Math.min(nanos.length - 1, nanos.length * 0.99)] / 1e6);
    }

}
