package io.discoverygateway.client.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.discoverygateway.client.DiscoveryStream;
import io.discoverygateway.client.DiscoveryStreamOptions;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;
import io.discoverygateway.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client library following a gateway that serves TLS (gateway.tls.*), trusting the CA
 * of its Secret.
 */
class TlsStreamTest {

    @TempDir
    Path temp;

    @Test
    void theClientFollowsAGatewayOverTlsWhenItTrustsTheCaAndNotOtherwise() {
        TestPki pki = TestPki.create(temp.resolve("pki"), "gateway-ca");
        Path volume = temp.resolve("tls");
        TestPki.mount(volume, pki.issue("gateway", true), pki.caCertificate());
        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start()) {
            api.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "web"));
            try (GatewayProcess gateway = Gateways.start(api.url(), "--gateway.tls.enabled=true",
                    "--gateway.tls.directory=" + volume);
                    DiscoveryStream trusting = new DiscoveryStream(
                            DiscoveryStreamOptions.of(List.of(gateway.httpsUrl())).withCaFile(pki.caCertificate()))
                        .start();
                    DiscoveryStream untrusting = new DiscoveryStream(
                            DiscoveryStreamOptions.of(List.of(gateway.httpsUrl()))
                                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(200)))
                        .start()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> trusting.view().service("shop", "web").isPresent());

                api.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "cart"));
                await().atMost(Duration.ofSeconds(10)).until(() -> trusting.view().service("shop", "cart").isPresent());

                await().atMost(Duration.ofSeconds(10)).until(() -> untrusting.status().reconnects() >= 2);
                assertThat(untrusting.ready()).as("a client that does not trust the CA").isFalse();
                assertThat(untrusting.view().all()).isEmpty();
            }
        }
    }

}
