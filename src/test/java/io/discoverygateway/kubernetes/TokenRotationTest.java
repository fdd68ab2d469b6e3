package io.discoverygateway.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistrar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ServiceAccount token rotation: the embedded API accepts only the current token; the
 * kubelet's rewrite of the token file is simulated, and the gateway keeps watching
 * because its client (the same {@code TokenFileAuthentication} Spring Cloud Kubernetes
 * uses in a cluster) re-reads the file.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "gateway.namespaces=rotation", "gateway.kubernetes.token-refresh=1s" })
@Import(TokenRotationTest.TokenProtectedApi.class)
class TokenRotationTest {

    @Autowired
    private EmbeddedKubernetesApi api;

    @Autowired
    private RotatingToken token;

    @LocalServerPort
    private int port;

    @Test
    void theGatewayKeepsWatchingAfterItsTokenIsRotated() {
        GatewayClient gateway = new GatewayClient(port);
        api.create(ApiResource.SERVICES, "rotation", KubeObjects.service("rotation", "before"));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> gateway.get("/api/v1/namespaces/rotation/services/before").statusCode() == 200);

        token.rotate("token-2");
        api.dropWatches();
        api.create(ApiResource.SERVICES, "rotation", KubeObjects.service("rotation", "after"));

        await().atMost(Duration.ofSeconds(30))
            .until(() -> gateway.get("/api/v1/namespaces/rotation/services/after").statusCode() == 200);
        assertThat(api.requests()).anyMatch(request -> request.verb().equals("watch"));
        await().atMost(Duration.ofSeconds(30))
            .until(() -> gateway.get("/api/v1/services").headers().firstValue("X-Gateway-Stale").isEmpty());
    }

    /**
     * The token file and the token the API accepts, changed together as the kubelet and
     * API server do.
     */
    static final class RotatingToken {

        private final Path file;

        private final AtomicReference<String> current = new AtomicReference<>("token-1");

        RotatingToken() throws IOException {
            file = Files.createTempFile("token", "");
            Files.writeString(file, current.get());
        }

        void rotate(String next) {
            try {
                Files.writeString(file, next);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            current.set(next);
        }

    }

    @TestConfiguration(proxyBeanMethods = false)
    static class TokenProtectedApi {

        @Bean
        RotatingToken rotatingToken() throws IOException {
            return new RotatingToken();
        }

        @Bean(destroyMethod = "close")
        EmbeddedKubernetesApi embeddedKubernetesApi(RotatingToken token) {
            EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();
            api.requireToken(token.current::get);
            return api;
        }

        @Bean
        DynamicPropertyRegistrar tokenProtectedApiProperties(EmbeddedKubernetesApi api, RotatingToken token) {
            return registry -> {
                registry.add("gateway.kubernetes.api-url", () -> api.url().toString());
                registry.add("gateway.kubernetes.token-file", () -> token.file.toString());
            };
        }

    }

}
