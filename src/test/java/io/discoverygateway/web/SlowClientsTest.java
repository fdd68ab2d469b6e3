package io.discoverygateway.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that hold connections without finishing a request ("Slowloris"): they trickle
 * header bytes, each of which resets Jetty's idle timeout. The header timeout ends them;
 * requests whose headers are complete (a long-poll that sends nothing for longer than
 * that) are not touched.
 */
@GatewayTest(properties = { "gateway.namespaces=alpha", "gateway.http.header-timeout=1s" })
class SlowClientsTest {

    private static final int TRICKLERS = 50;

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Test
    void connectionsThatTrickleTheirHeadersAreClosedAfterTheHeaderTimeoutWhileOthersAreServed() throws Exception {
        GatewayClient gateway = new GatewayClient(port, managementPort);
        double closedBefore = closedCount(gateway);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < TRICKLERS; i++) {
                Socket socket = new Socket("localhost", port);
                socket.getOutputStream()
                    .write("GET /api/v1/services HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
                sockets.add(socket);
            }
            AtomicInteger header = new AtomicInteger();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                // One more header line on every open connection each poll: never idle,
                // never complete.
                byte[] line = ("X-Trickle-" + header.incrementAndGet() + ": x\r\n").getBytes(StandardCharsets.US_ASCII);
                assertThat(gateway.get("/api/v1/services").statusCode()).isEqualTo(200);
                return sockets.stream().filter(socket -> !stillWritable(socket, line)).count() == TRICKLERS;
            });

            assertThat(header.get()).as("trickled lines before the last was closed").isGreaterThan(4);
            assertThat(closedCount(gateway) - closedBefore).isGreaterThanOrEqualTo(TRICKLERS);
        }
        finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aLongPollQuietForLongerThanTheHeaderTimeoutIsAnsweredNotClosed() {
        GatewayClient gateway = new GatewayClient(port);
        String etag = gateway.get("/api/v1/services").headers().firstValue("ETag").orElseThrow();

        var answer = gateway.get("/api/v1/services?wait=3s", "If-None-Match", etag);

        assertThat(answer.statusCode()).isEqualTo(304);
    }

    private static boolean stillWritable(Socket socket, byte[] line) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(line);
            out.flush();
            return true;
        }
        catch (IOException closedByTheServer) {
            return false;
        }
    }

    private static double closedCount(GatewayClient gateway) {
        return gateway.get("/actuator/prometheus")
            .body()
            .lines()
            .filter(line -> line.startsWith("gateway_http_slow_headers_closed_total"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum();
    }

}
