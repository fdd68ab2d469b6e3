package io.discoverygateway.xds;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.xds.XdsObjects.Backend;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proxyless gRPC from the outside: grpc-java's own xDS client, bootstrapped at the
 * gateway's xDS port, calls {@code xds:///name.namespace:port}; the backends are real
 * gRPC servers registered as endpoints in the embedded API.
 */
@GatewayTest(properties = { "gateway.namespaces=xds", "gateway.xds.enabled=true", "gateway.xds.port=0" })
class ProxylessGrpcTest {

    private static final String NAMESPACE = "xds";

    private static GrpcBackends backends;

    @Autowired
    EmbeddedKubernetesApi api;

    @Autowired
    XdsServer xds;

    @Autowired
    MeterRegistry registry;

    @BeforeAll
    static void startBackends() {
        backends = GrpcBackends.start(3);
    }

    @AfterAll
    static void stopBackends() {
        backends.close();
    }

    @Test
    void callsAreSpreadEvenlyOverEveryReadyBackend() {
        publish("spread", Map.of(), all(Backend::ready));
        try (ProxylessClient client = client("spread")) {
            awaitAnswersFrom(client, backends.addresses());

            Map<String, Long> answers = IntStream.range(0, 30)
                .mapToObj(i -> client.call())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));

            assertThat(answers).containsOnlyKeys(backends.addresses());
            assertThat(answers.values()).containsOnly(10L);
        }
    }

    @Test
    void aBackendThatTurnsNotReadyGetsNoCallOnceTheChangeIsPushed() {
        publish("readiness", Map.of(), all(Backend::ready));
        try (ProxylessClient client = client("readiness")) {
            awaitAnswersFrom(client, backends.addresses());
            String leaving = backends.addresses().get(1);

            long written = System.nanoTime();
            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice("readiness",
                    address -> address.equals(leaving) ? Backend.notReady(address) : Backend.ready(address)));
            AtomicLong lastCallToLeaving = new AtomicLong(written);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                List<String> answered = IntStream.range(0, 6).mapToObj(i -> client.call()).toList();
                if (answered.contains(leaving)) {
                    lastCallToLeaving.set(System.nanoTime());
                }
                return !answered.contains(leaving);
            });

            assertThat(Duration.ofNanos(lastCallToLeaving.get() - written)).isLessThan(Duration.ofSeconds(2));
            assertThat(IntStream.range(0, 40).mapToObj(i -> client.call())).doesNotContain(leaving)
                .contains(backends.addresses().get(0), backends.addresses().get(2));
        }
    }

    @Test
    void aBackendThatIsReadyAgainGetsCallsAgain() {
        String returning = backends.addresses().get(2);
        publish("comeback", Map.of(),
                all(address -> address.equals(returning) ? Backend.notReady(address) : Backend.ready(address)));
        try (ProxylessClient client = client("comeback")) {
            awaitAnswersFrom(client, backends.addresses().subList(0, 2));
            assertThat(IntStream.range(0, 20).mapToObj(i -> client.call())).doesNotContain(returning);

            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice("comeback", all(Backend::ready)));

            awaitAnswersFrom(client, List.of(returning));
        }
    }

    @Test
    void aTerminatingBackendThatStillServesIsDrainedNotCalled() {
        String draining = backends.addresses().get(0);
        publish("draining", Map.of(),
                all(address -> address.equals(draining) ? Backend.draining(address) : Backend.ready(address)));
        try (ProxylessClient client = client("draining")) {
            awaitAnswersFrom(client, backends.addresses().subList(1, 3));

            assertThat(IntStream.range(0, 30).mapToObj(i -> client.call())).doesNotContain(draining);
        }
    }

    @Test
    void whenNoEndpointIsReadyCallsFailAtOnceAndResumeWhenOneIsReadyAgain() {
        publish("unready", Map.of(), all(Backend::ready));
        try (ProxylessClient client = client("unready")) {
            awaitAnswersFrom(client, backends.addresses());

            // Every pod's readiness probe fails (its database is down): the pods still
            // answer, Kubernetes sends
            // them nothing, and neither may gRPC.
            long written = System.nanoTime();
            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice("unready", all(Backend::notReady)));
            Status failed = await().atMost(Duration.ofSeconds(1))
                .until(ProxylessGrpcTest.failureOf(client), status -> status != null);
            long stopped = System.nanoTime();

            assertThat(Duration.ofNanos(stopped - written)).isLessThan(Duration.ofSeconds(1));
            assertThat(failed.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(failed.getDescription()).contains(ServiceResources.NO_READY_ENDPOINTS);
            assertThat(IntStream.range(0, 20).mapToObj(i -> client.failure().getCode()))
                .containsOnly(Status.Code.UNAVAILABLE);

            String first = backends.addresses().get(0);
            long ready = System.nanoTime();
            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice("unready",
                    address -> address.equals(first) ? Backend.ready(address) : Backend.notReady(address)));
            await().atMost(Duration.ofSeconds(1)).until(ProxylessGrpcTest.answerOf(client), first::equals);
            assertThat(Duration.ofNanos(System.nanoTime() - ready)).isLessThan(Duration.ofSeconds(1));
            assertThat(IntStream.range(0, 10).mapToObj(i -> client.call())).containsOnly(first);
        }
    }

    @Test
    void whenEveryEndpointLeavesWhileItsPodsStillRunCallsFailAtOnce() {
        publish("deselected", Map.of(), all(Backend::ready));
        try (ProxylessClient client = client("deselected")) {
            awaitAnswersFrom(client, backends.addresses());

            // The Service's selector now matches nothing: its slice is emptied, the old
            // pods still answer.
            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice("deselected", List.of()));

            Status failed = await().atMost(Duration.ofSeconds(1))
                .until(ProxylessGrpcTest.failureOf(client), status -> status != null);
            assertThat(failed.getDescription()).contains(ServiceResources.NO_READY_ENDPOINTS);
            assertThat(IntStream.range(0, 20).mapToObj(i -> client.failure().getCode()))
                .containsOnly(Status.Code.UNAVAILABLE);
        }
    }

    @Test
    void whenOnlyTerminatingServingEndpointsRemainTheyTakeTheCallsAsKubeProxySendsThem() {
        publish("last-ones", Map.of(), all(Backend::ready));
        try (ProxylessClient client = client("last-ones")) {
            awaitAnswersFrom(client, backends.addresses());

            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice("last-ones", all(Backend::draining)));

            awaitAnswersFrom(client, backends.addresses());
            assertThat(IntStream.range(0, 30).mapToObj(i -> client.call()))
                .containsOnlyElementsOf(backends.addresses());
        }
    }

    /** The status of a call that fails now, or null when it succeeds. */
    private static java.util.concurrent.Callable<Status> failureOf(ProxylessClient client) {
        return () -> {
            try {
                client.call();
                return null;
            }
            catch (io.grpc.StatusRuntimeException ex) {
                return ex.getStatus();
            }
        };
    }

    /** The backend that answers a call now, or null when it fails. */
    private static java.util.concurrent.Callable<String> answerOf(ProxylessClient client) {
        return () -> {
            try {
                return client.call();
            }
            catch (io.grpc.StatusRuntimeException ex) {
                return null;
            }
        };
    }

    @Test
    void anInvalidChangeIsNotPublishedAndTheServiceKeepsItsLastValidResources() {
        publish("invalid", Map.of(), all(Backend::ready));
        try (ProxylessClient client = client("invalid")) {
            awaitAnswersFrom(client, backends.addresses());
            double invalidBefore = registry.counter("gateway.xds.invalid.services").count();
            double nacksBefore = nacks();
            String leaving = backends.addresses().get(0);

            // An unknown policy, then a backend gone while it is still there: neither may
            // reach the client.
            api.replace(ApiResource.SERVICES, NAMESPACE,
                    XdsObjects.service(NAMESPACE, "invalid", Map.of(ServiceResources.LB_POLICY_ANNOTATION, "fastest")));
            await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.counter("gateway.xds.invalid.services").count() >= invalidBefore + 1);
            api.replace(ApiResource.ENDPOINT_SLICES, NAMESPACE, slice("invalid",
                    address -> address.equals(leaving) ? Backend.notReady(address) : Backend.ready(address)));
            await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.counter("gateway.xds.invalid.services").count() >= invalidBefore + 2);

            assertThat(IntStream.range(0, 30).mapToObj(i -> client.call())).contains(leaving);
            assertThat(nacks()).isEqualTo(nacksBefore);

            // Fixed: the pending change goes out.
            api.replace(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, "invalid", Map.of()));
            await().atMost(Duration.ofSeconds(5))
                .until(() -> IntStream.range(0, 6).mapToObj(i -> client.call()).noneMatch(leaving::equals));
        }
    }

    @Test
    void aServiceIsReachableByItsShortNamesWhileTheyAreUnambiguous() {
        publish("shortname", Map.of(), all(Backend::ready));
        for (String target : List.of("shortname.xds", "shortname:" + XdsObjects.SERVICE_PORT, "shortname")) {
            try (ProxylessClient client = new ProxylessClient(xds.port(), target)) {
                assertThat(client.call()).isIn(backends.addresses());
            }
        }
    }

    private double nacks() {
        return registry.find("gateway.xds.nacks").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private ProxylessClient client(String service) {
        return new ProxylessClient(xds.port(), service + "." + NAMESPACE + ":" + XdsObjects.SERVICE_PORT);
    }

    private void publish(String name, Map<String, String> annotations, List<Backend> endpoints) {
        api.create(ApiResource.SERVICES, NAMESPACE, XdsObjects.service(NAMESPACE, name, annotations));
        api.create(ApiResource.ENDPOINT_SLICES, NAMESPACE,
                XdsObjects.slice(NAMESPACE, name, backends.port(), endpoints));
    }

    private String slice(String name, List<Backend> endpoints) {
        return XdsObjects.slice(NAMESPACE, name, backends.port(), endpoints);
    }

    private String slice(String name, Function<String, Backend> state) {
        return slice(name, all(state));
    }

    private static List<Backend> all(Function<String, Backend> state) {
        return backends.addresses().stream().map(state).toList();
    }

    private static void awaitAnswersFrom(ProxylessClient client, List<String> expected) {
        Set<String> seen = new HashSet<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            seen.add(client.call());
            return seen.containsAll(expected);
        });
    }

}
