package io.discoverygateway;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.discoverygateway.kubeapi.EmbeddedKubernetesApiConfiguration;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import static org.awaitility.Awaitility.await;

/**
 * A test of the running gateway on a random port, on an embedded Kubernetes API that
 * lives as long as the Spring context, that starts each test once the gateway is ready
 * (its cache in sync).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(EmbeddedKubernetesApiConfiguration.class)
@ExtendWith(GatewayTest.AwaitReadiness.class)
public @interface GatewayTest {

    /** Properties of the gateway for this test class, as {@code key=value}. */
    @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
    String[] properties() default {};

    /**
     * Waits, before each test, until the gateway's readiness probe (on the management
     * port) answers 200.
     */
    public final class AwaitReadiness implements BeforeEachCallback {

        private static final HttpClient HTTP = HttpClient.newHttpClient();

        @Override
        public void beforeEach(ExtensionContext context) {
            String port = SpringExtension.getApplicationContext(context)
                .getEnvironment()
                .getProperty("local.management.port");
            URI readiness = URI.create("http://localhost:" + port + "/actuator/health/readiness");
            await().atMost(Duration.ofSeconds(30))
                .until(() -> HTTP
                    .send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200);
        }

    }

}
