package io.discoverygateway.xds;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.xds.GoXdsClient.Calls;
import io.discoverygateway.xds.XdsObjects.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's xDS server with a second client implementation: grpc-go's xDS resolver
 * and balancers ({@link GoXdsClient}), bootstrapped as an application is, against real
 * gRPC backends. The scenarios of the Java client's tests, plus ring hash on a header and
 * localities weighted by zone. Built with Go (skipped, loudly, without it; never in CI).
 */
@GatewayTest(properties = { "gateway.namespaces=grpcgo", "gateway.xds.enabled=true", "gateway.xds.port=0" })
class GrpcGoInteropTest {

    private static final String NAMESPACE = "grpcgo";

    private static GrpcBackends backends;

    @Autowired
    EmbeddedKubernetesApi api;

    @Autowired
    XdsServer xds;

    @BeforeAll
    static void startBackends() {
        backends = GrpcBackends.start(3);
    }

    @AfterAll
    static void stopBackends() {
        if (backends != null) {
            backends.close();
        }
    }

    @BeforeEach
    void goIsThere() {
        assumeThat(GoXdsClient.available()).as("grpc-go's client can be built (Go is installed)").isTrue();
    }

    @Test
    void callsAreSpreadEvenlyOverEveryReadyBackend() {
        publish("spread", Map.of(), all(Backend::ready));
        try (GoXdsClient client = client("spread")) {
            awaitAnswersFrom(client, backends.addresses());

            Calls calls = client.calls(60);

            assertThat(calls.failures()).isEmpty();
            assertThat(calls.backends()).containsOnlyKeys(backends.addresses());
            assertThat(calls.backends().values()).containsOnly(20);
        }
    }

    @Test
    void aBackendThatTurnsNotReadyGetsNoCallAndOneReadyAgainGetsCallsAgain() {
        publish("readiness", Map.of(), all(Backend::ready));
        try (GoXdsClient client = client("readiness")) {
            awaitAnswersFrom(client, backends.addresses());
            String leaving = backends.addresses().get(1);

            replaceSlice("readiness",
                    address -> address.equals(leaving) ? Backend.notReady(address) : Backend.ready(address));
            await().atMost(Duration.ofSeconds(1)).until(() -> !client.calls(6).backends().containsKey(leaving));
            assertThat(client.calls(30).backends()).doesNotContainKey(leaving);

            replaceSlice("readiness", Backend::ready);
            awaitAnswersFrom(client, List.of(leaving));
        }
    }

    @Test
    void aTerminatingBackendThatStillServesIsDrainedNotCalled() {
        String draining = backends.addresses().get(0);
        publish("draining", Map.of(),
                all(address -> address.equals(draining) ? Backend.draining(address) : Backend.ready(address)));
        try (GoXdsClient client = client("draining")) {
            awaitAnswersFrom(client, backends.addresses().subList(1, 3));

            assertThat(client.calls(30).backends()).doesNotContainKey(draining);
        }
    }

    @Test
    void whenNoEndpointIsReadyCallsFailAtOnceAndResumeWhenOneIsReadyAgain() {
        publish("unready", Map.of(), all(Backend::ready));
        try (GoXdsClient client = client("unready")) {
            awaitAnswersFrom(client, backends.addresses());

            long written = System.nanoTime();
            replaceSlice("unready", Backend::notReady);
            Calls failing = await().atMost(Duration.ofSeconds(1))
                .until(() -> client.calls(1), calls -> calls.succeeded() == 0);

            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofSeconds(1));
            assertThat(failing.failures()).containsOnlyKeys("Unavailable");
            assertFailedWithoutCallingAPod(failing);
            assertThat(client.calls(20).failures()).containsExactly(Map.entry("Unavailable", 20));

            String first = backends.addresses().get(0);
            long ready = System.nanoTime();
            replaceSlice("unready",
                    address -> address.equals(first) ? Backend.ready(address) : Backend.notReady(address));
            await().atMost(Duration.ofSeconds(1)).until(() -> client.calls(1).backends().containsKey(first));
            assertThat(Duration.ofNanos(System.nanoTime() - ready)).isLessThan(Duration.ofSeconds(1));
            assertThat(client.calls(10).backends()).containsExactly(Map.entry(first, 10));
        }
    }

    @Test
    void whenEveryEndpointLeavesWhileItsPodsStillRunCallsFailAtOnce() {
        publish("deselected", Map.of(), all(Backend::ready));
        try (GoXdsClient client = client("deselected")) {
            awaitAnswersFrom(client, backends.addresses());

            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice("deselected", List.of()));

            Calls failing = await().atMost(Duration.ofSeconds(1))
                .until(() -> client.calls(1), calls -> calls.succeeded() == 0);
            assertFailedWithoutCallingAPod(failing);
            assertThat(client.calls(20).failures()).containsExactly(Map.entry("Unavailable", 20));
        }
    }

    /**
     * grpc-go applies {@code drop_overloads} only while its endpoints' picker is READY,
     * and the never-called placeholder endpoint never is: its calls fail fast on the
     * placeholder (connection refused) instead of being dropped by name, as grpc-java's
     * are. Either way no pod is called.
     */
    private static void assertFailedWithoutCallingAPod(Calls failing) {
        assertThat(failing.lastError()).satisfiesAnyOf(
                error -> assertThat(error).contains("127.0.0.1:" + ServiceResources.PLACEHOLDER_PORT),
                error -> assertThat(error).contains("RPC is dropped"));
        assertThat(backends.addresses()).noneMatch(failing.lastError()::contains);
    }

    @Test
    void ringHashOnAHeaderSendsOneUsersCallsToOneBackendAndSpreadsUsers() {
        publish("sticky", Map.of(ServiceResources.LB_POLICY_ANNOTATION, "ring-hash",
                ServiceResources.HASH_HEADER_ANNOTATION, "x-user"), all(Backend::ready));
        try (GoXdsClient client = client("sticky")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> client.calls(1, "x-user", "warmup").succeeded() == 1);

            Set<String> chosen = new HashSet<>();
            for (int user = 0; user < 12; user++) {
                Calls calls = client.calls(8, "x-user", "user-" + user);
                assertThat(calls.backends()).as("user-%s's calls", user).hasSize(1);
                chosen.addAll(calls.backends().keySet());
            }
            assertThat(chosen).as("12 users over 3 backends").hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void localitiesAreWeightedByTheirReadyEndpoints() {
        // zone-a holds one backend, zone-b two: weighted by ready endpoints, zone-a gets
        // a third of the calls
        // (half of them if the client gave every locality the same weight).
        String alone = backends.addresses().get(0);
        publish("zones", Map.of(), all(
                address -> address.equals(alone) ? Backend.ready(address) : Backend.ready(address).inZone("zone-b")));
        try (GoXdsClient client = client("zones")) {
            awaitAnswersFrom(client, backends.addresses());

            Calls calls = client.calls(300);

            assertThat(calls.failures()).isEmpty();
            assertThat(calls.backends().get(alone)).as("calls to zone-a's only backend").isBetween(70, 130);
        }
    }

    @Test
    void aServiceIsReachableByItsShortNames() {
        publish("shortname", Map.of(), all(Backend::ready));
        for (String target : List.of("shortname." + NAMESPACE, "shortname:" + XdsObjects.SERVICE_PORT, "shortname")) {
            try (GoXdsClient client = new GoXdsClient(xds.port(), target, null)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> client.calls(1).succeeded() == 1);
            }
        }
    }

    private GoXdsClient client(String service) {
        return new GoXdsClient(xds.port(), service + "." + NAMESPACE + ":" + XdsObjects.SERVICE_PORT, null);
    }

    private void publish(String name, Map<String, String> annotations, List<Backend> endpoints) {
        api.create(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, name, annotations));
        api.create(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(name, endpoints));
    }

    private void replaceSlice(String name, Function<String, Backend> state) {
        api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice(name, all(state)));
    }

    private static String slice(String name, List<Backend> endpoints) {
        return XdsObjects.slice(NAMESPACE, name, backends.port(), endpoints);
    }

    private static List<Backend> all(Function<String, Backend> state) {
        return backends.addresses().stream().map(state).toList();
    }

    private static void awaitAnswersFrom(GoXdsClient client, List<String> expected) {
        Set<String> seen = new HashSet<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            seen.addAll(client.calls(3).backends().keySet());
            return seen.containsAll(expected);
        });
    }

}
