package io.discoverygateway.clusterset;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.EndpointPort;
import io.discoverygateway.catalog.EndpointSliceResource;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServicePort;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.SnapshotEncoder;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEndpoint;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEntry;
import io.discoverygateway.clusterset.MemberState.Availability;
import io.discoverygateway.clusterset.MemberState.Export;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules that make one cluster-set service of the clusters' exports, after the
 * Multi-Cluster Services API.
 */
class ClusterSetMergeTest {

    private static final ServiceKey KEY = new ServiceKey("shop", "api");

    private static final Instant EARLY = Instant.parse("2026-01-01T00:00:00Z");

    private static final Instant LATE = Instant.parse("2026-06-01T00:00:00Z");

    private final Catalog catalog = new Catalog("e1", new SnapshotEncoder(JsonMapper.builder().build()),
            Clock.systemUTC());

    @AfterEach
    void close() {
        catalog.close();
    }

    @Test
    void noClusterExportingItMeansNoService() {
        MemberState east = member("east", true, Availability.CURRENT, Map.of());

        assertThat(ClusterSetMerge.merge(KEY, List.of(east))).isEmpty();
    }

    @Test
    void aClusterStillSyncingTakesNoPart() {
        MemberState east = member("east", true, Availability.SYNCING, Map.of(KEY, export(service(80), EARLY)));

        assertThat(ClusterSetMerge.merge(KEY, List.of(east))).isEmpty();
    }

    @Test
    void anExternalNameServiceIsNeverExported() {
        ServiceResource external = new ServiceResource(KEY, "uid", "ExternalName", List.of(), List.of(),
                "db.example.com", List.of(), Map.of(), Map.of());
        MemberState east = member("east", true, Availability.CURRENT, Map.of(KEY, export(external, EARLY)));

        assertThat(ClusterSetMerge.merge(KEY, List.of(east))).isEmpty();
    }

    @Test
    void theOldestExportWinsAPortConflictAndTheOthersAreNamed() {
        MemberState east = member("east", true, Availability.CURRENT, Map.of(KEY, export(service(8080), LATE)));
        MemberState west = member("west", false, Availability.CURRENT, Map.of(KEY, export(service(80), EARLY)));

        ClusterSetService merged = ClusterSetMerge.merge(KEY, List.of(east, west)).orElseThrow();

        assertThat(merged.ports()).extracting(ClusterSetService.Port::port).containsExactly(80);
        assertThat(merged.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.field()).isEqualTo("ports");
            assertThat(conflict.winner()).isEqualTo("west");
            assertThat(conflict.clusters()).containsExactly("east");
        });
    }

    @Test
    void anExportByAnnotationIsYoungerThanAnyServiceExportAndTiesGoByClusterName() {
        MemberState annotated = member("alpha", true, Availability.CURRENT, Map.of(KEY, export(service(81), null)));
        MemberState exported = member("zulu", false, Availability.CURRENT, Map.of(KEY, export(service(82), LATE)));
        MemberState tie = member("mike", false, Availability.CURRENT, Map.of(KEY, export(service(83), LATE)));

        ClusterSetService merged = ClusterSetMerge.merge(KEY, List.of(annotated, exported, tie)).orElseThrow();

        assertThat(merged.conflicts().get(0).winner()).isEqualTo("mike");
        assertThat(merged.conflicts().get(0).clusters()).containsExactly("zulu", "alpha");
    }

    @Test
    void differentlyNamedPortsAreAUnionWithoutConflict() {
        ServiceResource grpc = new ServiceResource(KEY, "uid", "ClusterIP", List.of("10.0.0.1"), List.of("IPv4"), null,
                List.of(new ServicePort("grpc", 9090, "9090", "TCP", null)), Map.of(), Map.of());
        MemberState east = member("east", true, Availability.CURRENT, Map.of(KEY, export(service(80), EARLY)));
        MemberState west = member("west", false, Availability.CURRENT, Map.of(KEY, export(grpc, LATE)));

        ClusterSetService merged = ClusterSetMerge.merge(KEY, List.of(east, west)).orElseThrow();

        assertThat(merged.ports()).extracting(ClusterSetService.Port::name).containsExactly("http", "grpc");
        assertThat(merged.conflicts()).isEmpty();
    }

    @Test
    void aHeadlessServiceAmongClusterIpOnesIsATypeConflict() {
        ServiceResource headless = new ServiceResource(KEY, "uid", "ClusterIP", List.of("None"), List.of("IPv4"), null,
                List.of(new ServicePort("http", 80, "8080", "TCP", null)), Map.of(), Map.of());
        MemberState east = member("east", true, Availability.CURRENT, Map.of(KEY, export(headless, EARLY)));
        MemberState west = member("west", false, Availability.CURRENT, Map.of(KEY, export(service(80), LATE)));

        ClusterSetService merged = ClusterSetMerge.merge(KEY, List.of(east, west)).orElseThrow();

        assertThat(merged.type()).isEqualTo(ClusterSetMerge.HEADLESS);
        assertThat(merged.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.field()).isEqualTo("type");
            assertThat(conflict.clusters()).containsExactly("west");
        });
    }

    @Test
    void thisClusterComesFirstAndAWithdrawnClusterIsListedWithoutItsEndpoints() {
        MemberState zeta = member("zeta", true, Availability.CURRENT,
                Map.of(KEY, export(service(80), LATE, "10.1.0.1")));
        MemberState alpha = member("alpha", false, Availability.WITHDRAWN,
                Map.of(KEY, export(service(80), EARLY, "10.2.0.1", "10.2.0.2")));
        MemberState beta = member("beta", false, Availability.STALE,
                Map.of(KEY, export(service(80), LATE, "10.3.0.1")));

        ClusterSetService merged = ClusterSetMerge.merge(KEY, List.of(alpha, beta, zeta)).orElseThrow();

        assertThat(merged.clusters()).extracting(ClusterEntry::cluster).containsExactly("zeta", "alpha", "beta");
        assertThat(merged.clusters()).extracting(ClusterEntry::state).containsExactly("current", "withdrawn", "stale");
        assertThat(merged.clusters().get(1).endpoints()).isEqualTo(2);
        assertThat(merged.endpoints()).extracting(ClusterEndpoint::cluster).containsExactly("zeta", "beta");
    }

    private static MemberState member(String cluster, boolean local, Availability availability,
            Map<ServiceKey, Export> exported) {
        return new MemberState(cluster, local, availability, null, null, exported);
    }

    private static ServiceResource service(int port) {
        return new ServiceResource(KEY, "uid", "ClusterIP", List.of("10.96.0.1"), List.of("IPv4"), null,
                List.of(new ServicePort("http", port, "8080", "TCP", null)), Map.of(), Map.of());
    }

    /** The service with endpoints at these addresses, as a catalog snapshots it. */
    private Export export(ServiceResource service, Instant exportedAt, String... addresses) {
        catalog.upsertService(service);
        catalog.upsertSlice(new EndpointSliceResource(KEY.namespace(), "slice", KEY.name(),
                java.util.Arrays.stream(addresses)
                    .map(address -> new Endpoint(List.of(address), "IPv4", true, true, false, null, null, null, null,
                            null, List.of(new EndpointPort("http", 8080, "TCP", null))))
                    .toList()));
        catalog.afterPending(() -> {
        }).join();
        ServiceSnapshot snapshot = catalog.view().find(KEY).orElseThrow();
        return new Export(snapshot, exportedAt);
    }

}
