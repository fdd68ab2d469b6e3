package io.discoverygateway.tls;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The API port over TLS from a Secret volume in cert-manager's layout, with optional
 * client certificates, read by real clients: the JDK's HTTP client and curl. A
 * certificate rotated in the volume serves new connections while an open stream goes on;
 * an expired one is refused by clients; plain HTTP gets a 400 that says to use https.
 */
@GatewayTest(properties = { "gateway.namespaces=tls", "gateway.tls.enabled=true",
        "gateway.tls.directory=target/tls-test/volume", "gateway.tls.client-auth=want",
        "spring.ssl.bundle.watch.file.quiet-period=500ms" })
class TlsTest {

    private static final Path FOLDER = Path.of("target/tls-test");

    private static final TestPki PKI = TestPki.create(FOLDER.resolve("pki"), "gateway-ca");

    private static final TestPki OTHER = TestPki.create(FOLDER.resolve("other"), "another-ca");

    static {
        TestPki.mount(FOLDER.resolve("volume"), PKI.issue("gateway-first", true), PKI.caCertificate());
    }

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Autowired
    private EmbeddedKubernetesApi api;

    @Test
    void theJdkClientTrustingTheCaReadsTheApiOverTls() throws Exception {
        HttpResponse<String> answer = client(null).send(request("/api/v1/services"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.uri().getScheme()).isEqualTo("https");
    }

    @Test
    void curlWithTheCaReadsTheApiOverTls() throws Exception {
        Process curl;
        try {
            curl = new ProcessBuilder("curl", "-sS", "--cacert", PKI.caCertificate().toString(), "-o", "/dev/null",
                    "-w", "%{http_code}", "https://localhost:" + port + "/api/v1/services")
                .redirectErrorStream(true)
                .start();
        }
        catch (IOException notInstalled) {
            org.assertj.core.api.Assumptions.assumeThat(false).as("curl is installed").isTrue();
            return;
        }
        assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("200");
    }

    @Test
    void aPlainTextClientGetsAClearRefusal() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/services")).build(),
                    HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(answer.body()).contains("TLS only", "https://");
    }

    @Test
    void probesStayOnPlainHttpOnTheManagementPort() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient()
            .send(HttpRequest
                .newBuilder(URI.create("http://localhost:" + managementPort + "/actuator/health/readiness"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
    }

    @Test
    void aClientCertificateOfTheCaIsAcceptedAndOneOfAnotherCaIsRefused() throws Exception {
        HttpResponse<String> trusted = client(PKI.issue("consumer", false)).send(request("/api/v1/services"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(trusted.statusCode()).isEqualTo(200);

        HttpClient stranger = HttpClient.newBuilder()
            .sslContext(TestPki.clientContext(PKI.caCertificate(), OTHER.issue("stranger", false), true))
            .build();
        assertThatThrownBy(() -> stranger.send(request("/api/v1/services"), HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(IOException.class);
    }

    @Test
    void aRotatedCertificateServesNewConnectionsWhileAnOpenStreamGoesOn() throws Exception {
        if (api.get(ApiResource.SERVICES, "tls", "before").isEmpty()) {
            api.create(ApiResource.SERVICES, "tls", KubeObjects.service("tls", "before"));
        }
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpClient streaming = client(null);
        CompletableFuture<HttpResponse<Stream<String>>> stream = streaming
            .sendAsync(request("/api/v1/stream?namespace=tls"), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> open = stream.get();
        Thread reader = new Thread(() -> open.body().forEach(lines::add));
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("event: SYNCED"));
        String first = serial(open);

        TestPki.Issued second = PKI.issue("gateway-second", true);
        TestPki.mount(FOLDER.resolve("volume"), second, PKI.caCertificate());

        await().atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> serial(client(null).send(request("/api/v1/services"), HttpResponse.BodyHandlers.discarding()))
                .equals(second.x509().getSerialNumber().toString(16)));
        api.create(ApiResource.SERVICES, "tls", KubeObjects.service("tls", "after-rotation"));
        // The stream opened under the first certificate goes on over its connection: the
        // change arrives on it, with no second snapshot (it was not cut and resumed).
        await().atMost(Duration.ofSeconds(10))
            .until(() -> lines.stream().anyMatch(line -> line.contains("after-rotation")));
        assertThat(first).isNotEqualTo(second.x509().getSerialNumber().toString(16));
        assertThat(serial(open)).as("the open stream's certificate").isEqualTo(first);
        assertThat(lines.stream().filter("event: SYNCED"::equals)).as("snapshots on the open stream").hasSize(1);
    }

    @Test
    void anExpiredCertificateIsRefusedByClientsWithTheReason() throws Exception {
        TestPki.Issued expired = PKI.expiredServing("gateway-expired");
        Path volume = FOLDER.resolve("volume");
        TestPki.mount(volume, expired, PKI.caCertificate());
        try {
            // A new client each time: a pooled connection would keep the certificate it
            // was opened with.
            await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThatThrownBy(
                        () -> client(null).send(request("/api/v1/services"), HttpResponse.BodyHandlers.discarding()))
                    .isInstanceOf(SSLHandshakeException.class)
                    .rootCause()
                    .hasMessageContaining("NotAfter"));
        }
        finally {
            TestPki.mount(volume, PKI.issue("gateway-restored", true), PKI.caCertificate());
            await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(() -> client(null).send(request("/api/v1/services"), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200);
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).build();
    }

    private static HttpClient client(TestPki.Issued clientCertificate) {
        SSLContext context = TestPki.clientContext(PKI.caCertificate(), clientCertificate);
        return HttpClient.newBuilder().sslContext(context).build();
    }

    private static String serial(HttpResponse<?> response) throws IOException {
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber()
            .toString(16);
    }

}
