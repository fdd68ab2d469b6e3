package io.discoverygateway.access;

import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.WatchScope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The gateway's own work per authenticated request, measured in this process on one
 * thread: the interceptor (header, token digest, cached review) and the namespace
 * decision (cached review), as a request to one service makes them. For the benchmark
 * suite, which measures the whole request over HTTP beside it.
 */
public final class AccessPathBenchmark {

    private AccessPathBenchmark() {
    }

    /** Nanoseconds per authenticated, authorized request, after a warm-up. */
    public static double nanosPerRequest(int iterations) throws Exception {
        Consumer consumer = new Consumer("system:serviceaccount:bench:reader", "uid",
                List.of("system:serviceaccounts", "system:serviceaccounts:bench", "system:authenticated"), Map.of(),
                null);
        Reviews reviews = new Reviews() {

            @Override
            public TokenVerdict reviewToken(String token, String audience) {
                return TokenVerdict.authenticated(consumer);
            }

            @Override
            public boolean allowed(Consumer who, ResourceAttributes attributes, String namespace) {
                return true;
            }
        };
        GatewayProperties.Auth properties = new GatewayProperties.Auth(GatewayProperties.AuthMode.KUBERNETES,
                "discovery-gateway", "list", "discovery.k8s.io", "endpointslices", Duration.ofMinutes(2),
                Duration.ofMinutes(1), Duration.ofSeconds(10), 10_000, Duration.ofMinutes(1), Duration.ofSeconds(5),
                100, 100, 50, 100, 0, 32, 16, false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReviewBudget budget = new ReviewBudget(50, 100, 32, System::nanoTime);
        ConsumerAuthenticator authenticator = new ConsumerAuthenticator(reviews, properties, Clock.systemUTC(),
                registry, budget);
        NamespaceAccess access = new NamespaceAccess(reviews, properties, new WatchScope(false, List.of("bench")),
                registry, budget, null);
        AccessInterceptor interceptor = new AccessInterceptor(authenticator, access);
        // A token shaped and sized as kube-apiserver issues them (a signed JWT of about
        // 900
        // bytes), so that it passes the gateway's shape check as a real one does.
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String token = base64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"bench\"}".getBytes()) + "."
                + base64.encodeToString(("{\"sub\":\"system:serviceaccount:bench:app\"}").getBytes()) + "."
                + base64.encodeToString(new byte[600]);
        MockHttpServletResponse response = new MockHttpServletResponse();
        long sink = 0;
        for (int round = 0; round < 2; round++) {
            long started = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                MockHttpServletRequest request = new MockHttpServletRequest("GET",
                        "/api/v1/namespaces/bench/services/x");
                request.addHeader("Authorization", "Bearer " + token);
                interceptor.preHandle(request, response, null);
                ReadAccess readAccess = (ReadAccess) request.getAttribute(AccessInterceptor.ATTRIBUTE);
                readAccess.requireNamespace("bench");
                sink += request.hashCode();
            }
            if (round == 1) {
                return (System.nanoTime() - started) / (double) iterations + (sink == 42 ? 1e-9 : 0);
            }
        }
        throw new IllegalStateException("unreachable");
    }

}
