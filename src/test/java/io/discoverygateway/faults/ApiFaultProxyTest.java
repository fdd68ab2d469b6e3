package io.discoverygateway.faults;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.discoverygateway.CatalogStates;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.FaultProxy;
import io.discoverygateway.kubeapi.FaultProxy.Mode;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistrar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Protocol-level faults between the gateway and the Kubernetes API, injected by a
 * {@link FaultProxy}: whatever the proxy answers, the gateway never sends more than a few
 * requests a second per informer, keeps serving its last state (marked stale while it
 * cannot see the API), and converges on the API's state once the proxy behaves. The
 * gateway watches one namespace: two informers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "gateway.namespaces=proxied", "gateway.kubernetes.watch-idle-timeout=2s",
                "gateway.readiness-max-staleness=10m" })
@Import(ApiFaultProxyTest.ProxiedApi.class)
@ExtendWith(OutputCaptureExtension.class)
class ApiFaultProxyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Autowired
    private EmbeddedKubernetesApi api;

    @Autowired
    private FaultProxy proxy;

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    private GatewayClient gateway;

    @BeforeEach
    void ready() {
        gateway = new GatewayClient(port, managementPort);
        await().atMost(TIMEOUT).until(() -> gateway.get("/actuator/health/readiness").statusCode() == 200);
    }

    @AfterEach
    void heal() {
        proxy.mode(Mode.PASS);
        awaitConverged();
        await().atMost(TIMEOUT).until(() -> !stale());
    }

    @Test
    void aWatchAnswered200AndClosedAtOnceIsBackedOffAndMarksTheDataStale(CapturedOutput output) {
        create("instant-close", "10.40.0.1");
        int before = proxy.requests();
        int logBefore = output.getAll().length();

        proxy.mode(Mode.WATCH_CLOSES_AT_ONCE);
        proxy.dropConnections();
        await().atMost(TIMEOUT).until(this::stale);
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(() -> true);
        int during = proxy.requests() - before;
        String log = output.getAll().substring(logBefore);

        assertThat(during).as("requests in about 6 s from 2 informers (unguarded: thousands)").isLessThanOrEqualTo(24);
        assertThat(gateway.get("/api/v1/namespaces/proxied/services/instant-close").statusCode()).isEqualTo(200);
        assertThat(log.split("List/watch of Services in proxied failed", -1)).as("one warning per episode").hasSize(2);
    }

    @Test
    void aWatchThatHangsAfterItsHeadersIsAbandonedAndTheDataCatchesUp() {
        create("hung", "10.41.0.1");
        proxy.mode(Mode.WATCH_HANGS_AFTER_HEADERS);
        proxy.dropConnections();
        int watchesBefore = proxy.watches();

        api.replace(ApiResource.ENDPOINT_SLICES, "proxied", KubeObjects.slice("proxied", "hung-1", "hung",
                List.of(EndpointSpec.ready("10.41.0.1"), EndpointSpec.ready("10.41.0.2"))));

        await().atMost(Duration.ofSeconds(15))
            .until(() -> gateway.get("/api/v1/namespaces/proxied/services/hung").body().contains("10.41.0.2"));
        assertThat(proxy.watches() - watchesBefore).as("the hung watches were abandoned and restarted")
            .isGreaterThanOrEqualTo(2);
    }

    @Test
    void serverErrorsAreBackedOffAndReadsStayFast() {
        create("errors", "10.42.0.1");
        int before = proxy.requests();

        proxy.mode(Mode.ERROR_500);
        proxy.dropConnections();
        await().atMost(TIMEOUT).until(this::stale);
        long started = System.nanoTime();
        HttpResponse<String> read = gateway.get("/api/v1/namespaces/proxied/services/errors");
        Duration readTook = Duration.ofNanos(System.nanoTime() - started);
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);

        assertThat(proxy.requests() - before).isLessThanOrEqualTo(20);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("X-Gateway-Stale")).contains("true");
        assertThat(readTook).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void throttlingIsHonouredWithItsRetryAfter() {
        create("throttled", "10.43.0.1");
        proxy.retryAfterSeconds(3);
        int before = proxy.requests();

        proxy.mode(Mode.THROTTLE_429);
        proxy.dropConnections();
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);

        assertThat(proxy.requests() - before).as("2 informers, one retry each every 3 s at most")
            .isLessThanOrEqualTo(8);
    }

    @Test
    void resetsAndTruncatedAnswersNeverCorruptTheCache() {
        create("garbled", "10.44.0.1");
        for (Mode mode : List.of(Mode.RESET_MID_BODY, Mode.TRUNCATED_JSON, Mode.REFUSE)) {
            proxy.mode(mode);
            proxy.dropConnections();
            api.replace(ApiResource.ENDPOINT_SLICES, "proxied", KubeObjects.slice("proxied", "garbled-1", "garbled",
                    List.of(EndpointSpec.ready("10.44.0.1"), EndpointSpec.ready("10.44.1." + mode.ordinal()))));
            await().atMost(TIMEOUT).until(this::stale);

            assertThat(gateway.get("/api/v1/namespaces/proxied/services/garbled").statusCode()).isEqualTo(200);
            proxy.mode(Mode.PASS);
            awaitConverged();
        }
    }

    @Test
    void aSlowApiNeitherSlowsReadsNorLosesChanges() {
        create("slow", "10.45.0.1");
        proxy.delay(Duration.ofSeconds(3));
        proxy.mode(Mode.SLOW);
        proxy.dropConnections();

        api.replace(ApiResource.ENDPOINT_SLICES, "proxied",
                KubeObjects.slice("proxied", "slow-1", "slow", List.of(EndpointSpec.notReady("10.45.0.1"))));
        long started = System.nanoTime();
        HttpResponse<String> read = gateway.get("/api/v1/namespaces/proxied/services/slow");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        assertThat(read.statusCode()).isEqualTo(200);
        awaitConverged();
    }

    private boolean stale() {
        return gateway.get("/api/v1/namespaces/proxied/services").headers().firstValue("X-Gateway-Stale").isPresent();
    }

    private void awaitConverged() {
        await().atMost(TIMEOUT)
            .untilAsserted(() -> assertThat(CatalogStates.fromGateway(gateway, "proxied"))
                .isEqualTo(CatalogStates.fromApi(api, "proxied")));
    }

    private void create(String name, String address) {
        api.create(ApiResource.SERVICES, "proxied", KubeObjects.service("proxied", name, Map.of()));
        api.create(ApiResource.ENDPOINT_SLICES, "proxied",
                KubeObjects.slice("proxied", name + "-1", name, List.of(EndpointSpec.ready(address))));
        awaitConverged();
    }

    /** The embedded API behind a fault proxy; the gateway talks to the proxy. */
    @TestConfiguration(proxyBeanMethods = false)
    static class ProxiedApi {

        @Bean(destroyMethod = "close")
        EmbeddedKubernetesApi embeddedKubernetesApi() {
            return EmbeddedKubernetesApi.start();
        }

        @Bean(destroyMethod = "close")
        FaultProxy faultProxy(EmbeddedKubernetesApi api) {
            return FaultProxy.start(api.url());
        }

        @Bean
        DynamicPropertyRegistrar proxiedApiUrl(FaultProxy proxy) {
            return registry -> registry.add("gateway.kubernetes.api-url", () -> proxy.url().toString());
        }

    }

}
