package io.discoverygateway.access;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One client address sending new tokens as fast as it can spends only its own share of
 * the new-token reviews: a consumer's first request from another address is reviewed and
 * served meanwhile, where the flood alone would have spent the gateway's whole budget.
 * The two addresses are 127.0.0.1 and 127.0.0.2 (all of 127/8 is loopback on Linux).
 */
@GatewayTest(properties = { "gateway.namespaces=team-s", "gateway.auth.mode=kubernetes",
        "gateway.auth.new-token-reviews-per-second=5", "gateway.auth.new-token-review-burst=10",
        "gateway.auth.new-token-reviews-per-source=2" })
class SourceFloodTest {

    @Autowired
    private EmbeddedKubernetesApi api;

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Test
    void aFloodFromOneAddressLeavesTheBudgetForOtherAddressesNewConsumers() throws IOException {
        api.create(ApiResource.SERVICES, "team-s", KubeObjects.service("team-s", "web"));
        String account = api.serviceAccount("team-s", "newcomer");
        api.grantListEndpointSlices("team-s", "team-s", account);
        String newcomer = api.issueToken("team-s", account, List.of("discovery-gateway"), Duration.ofMinutes(10));

        List<Integer> flood = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String answer = get("127.0.0.1", ForgedTokens.next("team-s"));
            flood.add(status(answer));
            if (status(answer) == 503) {
                refusals.add(answer);
            }
        }
        String first = get("127.0.0.2", newcomer);

        // The flood had its burst (4) reviewed and refused; the rest was turned away
        // unreviewed, and the newcomer's token, from another address, was still reviewed.
        assertThat(flood).containsOnly(401, 503);
        assertThat(flood.stream().filter(status -> status == 401)).hasSizeLessThanOrEqualTo(6);
        assertThat(refusals).isNotEmpty()
            .allSatisfy(refused -> assertThat(refused).contains("Retry-After: 1").contains("127.0.0.1"));
        assertThat(status(first)).as(first).isEqualTo(200);
        assertThat(new GatewayClient(port, managementPort).get("/actuator/prometheus").body())
            .containsPattern("gateway_auth_refusals_total\\{[^}]*reason=\"new-token-source-rate\"[^}]*\\} [1-9]");
    }

    /**
     * A GET of the service, over a connection from this loopback address; the raw answer.
     */
    private String get(String from, String token) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("GET /api/v1/namespaces/team-s/services/web HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                            + token + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try (InputStream in = socket.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    private static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

}
