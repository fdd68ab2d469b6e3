package io.discoverygateway.xds;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.tls.TestPki;
import io.discoverygateway.xds.XdsObjects.Backend;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The xDS port over TLS (the API port's certificate, {@code gateway.tls.*}), with
 * consumer authentication: grpc-go configured entirely by its bootstrap file (channel
 * credentials {@code tls}, its own {@code jwt_token_file} call credentials), grpc-java
 * with TLS channel credentials and a client certificate, a plain-text client refused, and
 * a certificate rotated under an open xDS stream.
 */
@GatewayTest(properties = { "gateway.namespaces=xtls", "gateway.xds.enabled=true", "gateway.xds.port=0",
        "gateway.tls.enabled=true", "gateway.tls.directory=target/xds-tls-test/volume", "gateway.tls.client-auth=want",
        "gateway.auth.mode=kubernetes", "spring.ssl.bundle.watch.file.quiet-period=500ms" })
class XdsTlsTest {

    private static final Path FOLDER = Path.of("target/xds-tls-test");

    private static final TestPki PKI = TestPki.create(FOLDER.resolve("pki"), "xds-ca");

    private static final String TARGET = "api.xtls:" + XdsObjects.SERVICE_PORT;

    static {
        TestPki.mount(FOLDER.resolve("volume"), PKI.issue("gateway-first", true), PKI.caCertificate());
    }

    private static GrpcBackends backends;

    @Autowired
    EmbeddedKubernetesApi api;

    @Autowired
    XdsServer xds;

    private String token;

    @BeforeAll
    static void startBackends() {
        backends = GrpcBackends.start(1);
    }

    @AfterAll
    static void stopBackends() {
        backends.close();
    }

    @BeforeEach
    void serviceAndConsumer() {
        if (api.get(ApiResource.SERVICES, "xtls", "api").isEmpty()) {
            api.create(ApiResource.SERVICES, "xtls", XdsObjects.service("xtls", "api", Map.of()));
            api.create(ApiResource.ENDPOINT_SLICES, "xtls", XdsObjects.slice("xtls", "api", backends.port(),
                    List.of(Backend.ready(backends.addresses().get(0)))));
        }
        String account = api.serviceAccount("xtls", "caller");
        api.grantListEndpointSlices("xtls", "xtls", account);
        token = api.issueToken("xtls", account, List.of("discovery-gateway"), Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(10)).until(xds::ready);
    }

    @Test
    void grpcGoConfiguredByItsBootstrapAloneCallsOverTlsWithItsOwnJwtCallCredentials() {
        assumeThat(GoXdsClient.available()).as("Go is installed").isTrue();
        try (GoXdsClient client = new GoXdsClient(xds.port(), TARGET, token, PKI.caCertificate())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> client.calls(1).succeeded() == 1);

            assertThat(client.calls(5).backends()).containsOnlyKeys(backends.addresses().get(0));
        }
    }

    @Test
    void grpcJavaWithAClientCertificateGetsItsClustersOverTls() throws Exception {
        TestPki.Issued certificate = PKI.issue("grpc-java-client", false);
        ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
            .trustManager(PKI.caCertificate().toFile())
            .keyManager(certificate.certificate().toFile(), certificate.key().toFile())
            .build();
        try (AdsStream ads = new AdsStream(xds.port(), token, credentials)) {
            ads.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");

            DiscoveryResponse clusters = ads.next(Duration.ofSeconds(10));

            assertThat(clusters.getResourcesList()).hasSize(1);
        }
    }

    @Test
    void aPlainTextClientIsRefused() throws Exception {
        try (AdsStream ads = new AdsStream(xds.port(), token)) {
            ads.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");

            Status status = ads.closed().get(10, TimeUnit.SECONDS);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        }
    }

    @Test
    void aRotatedCertificateServesNewConnectionsWhileAnOpenStreamGoesOn() throws Exception {
        AtomicReference<X509Certificate> seenFirst = new AtomicReference<>();
        try (AdsStream open = new AdsStream(xds.port(), token, recording(seenFirst))) {
            open.request(Resources.V3.ENDPOINT_TYPE_URL, List.of(TARGET), "", "");
            DiscoveryResponse first = open.next(Duration.ofSeconds(10));
            open.request(Resources.V3.ENDPOINT_TYPE_URL, List.of(TARGET), first.getVersionInfo(), first.getNonce());

            TestPki.Issued second = PKI.issue("gateway-second", true);
            TestPki.mount(FOLDER.resolve("volume"), second, PKI.caCertificate());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                AtomicReference<X509Certificate> seen = new AtomicReference<>();
                try (AdsStream fresh = new AdsStream(xds.port(), token, recording(seen))) {
                    fresh.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");
                    fresh.next(Duration.ofSeconds(5));
                }
                return seen.get().getSerialNumber().equals(second.x509().getSerialNumber());
            });

            api.replace(ApiResource.ENDPOINT_SLICES, "xtls", XdsObjects.slice("xtls", "api", backends.port(),
                    List.of(Backend.notReady(backends.addresses().get(0)))));
            DiscoveryResponse update = open.next(Duration.ofSeconds(10));
            assertThat(update.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
            assertThat(seenFirst.get().getSerialNumber()).isNotEqualTo(second.x509().getSerialNumber());
        }
        finally {
            api.replace(ApiResource.ENDPOINT_SLICES, "xtls", XdsObjects.slice("xtls", "api", backends.port(),
                    List.of(Backend.ready(backends.addresses().get(0)))));
        }
    }

    /** TLS trusting the CA, recording the certificate the server presents. */
    private static ChannelCredentials recording(AtomicReference<X509Certificate> seen) throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        store.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(PKI.caCertificate())) {
            store.setCertificateEntry("ca",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        factory.init(store);
        X509TrustManager trust = (X509TrustManager) factory.getTrustManagers()[0];
        return TlsChannelCredentials.newBuilder().trustManager(new X509TrustManager() {

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                trust.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                seen.set(chain[0]);
                trust.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return trust.getAcceptedIssuers();
            }
        }).build();
    }

}
