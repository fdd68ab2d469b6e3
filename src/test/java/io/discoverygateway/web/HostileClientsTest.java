package io.discoverygateway.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Careless and hostile clients cannot make the gateway fail, leak, or log errors. */
@GatewayTest(properties = { "gateway.namespaces=alpha,beta", "gateway.stream.heartbeat=200ms" })
@ExtendWith(OutputCaptureExtension.class)
class HostileClientsTest {

    private static final String[] PATHS = { "/api/v1/namespaces/%s/services/%s", "/api/v1/namespaces/%s/services",
            "/api/v1/services", "/apps/%s", "/apps/%s/%s", "/api/v1/stream", "/apps", "/api/v1/%s/%s", "/%s" };

    private static final String[] PARAMETERS = { "namespace", "service", "labelSelector", "ready", "wait", "index",
            "since", "x" };

    private static final String[] ACCEPTS = { "application/json", "text/event-stream", "*/*", "text/html",
            "application/xml", "garbage", "application/json;q=abc", "" };

    private static final String RAW = "abcXYZ019-_.~!$&'()*+,;=:@/ü€\u0000\t{}|\\^`\"<> %";

    @Autowired
    private EmbeddedKubernetesApi api;

    @Autowired
    private MeterRegistry registry;

    @LocalServerPort
    private int port;

    @BeforeEach
    void ready() {
        api.create(ApiResource.SERVICES, "alpha", KubeObjects.service("alpha", "fuzz-" + System.nanoTime()));
    }

    @Test
    void streamsAbandonedWithoutAGoodbyeAreReleasedWithinTwoHeartbeats() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() == 0);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Socket socket = new Socket("localhost", port);
            socket.getOutputStream()
                .write("GET /api/v1/stream HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            sockets.add(socket);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() == 20);

        for (Socket socket : sockets) {
            socket.close();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> openStreams() == 0);
    }

    @Test
    void randomRequestsNeverGetA5xxAndEveryErrorIsProblemJson(CapturedOutput output) throws Exception {
        Random random = new Random(20261130);
        int logBefore = output.getAll().length();
        int errors = 0;
        for (int i = 0; i < 600; i++) {
            String request = randomRequest(random);
            Answer answer = send(request);
            assertThat(answer.status()).as(request).isBetween(200, 499);
            if (answer.status() >= 400) {
                errors++;
                assertThat(answer.contentType()).as(request).startsWith("application/problem+json");
                assertThat(answer.body()).as(request).contains("\"status\":" + answer.status()).doesNotContain("\tat ");
            }
        }
        assertThat(errors).as("the fuzzer reaches the error paths").isGreaterThan(100);
        assertThat(output.getAll().substring(logBefore)).doesNotContain(" ERROR ").doesNotContain("Exception");
    }

    @Test
    void thousandsOfStreamsThatComeAndGoLeaveNothingBehind() throws Exception {
        Set<String> threadsBefore = threadsOutsideTheRequestPool();
        long poolBefore = requestPoolThreads();
        long heapBefore = usedHeapAfterGc();
        for (int i = 0; i < 2000; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 5000);
                socket.getOutputStream()
                    .write(("GET /api/v1/stream?namespace=alpha HTTP/1.1\r\nHost: x\r\n"
                            + "Accept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                if (i % 2 == 0) {
                    readUntil(socket.getInputStream(), "event: SYNCED");
                }
                if (i % 3 == 0) {
                    // Vanish without a goodbye: the connection is reset, not closed.
                    socket.setSoLinger(true, 0);
                }
            }
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> openStreams() == 0);
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(threadsOutsideTheRequestPool()).as("threads started since")
                .filteredOn(name -> !threadsBefore.contains(name))
                .hasSizeLessThanOrEqualTo(5));
        // Other cached test contexts run Jetty pools of their own in this JVM: this
        // gateway's pool grew by at most its
        // maximum.
        assertThat(requestPoolThreads() - poolBefore).as("Jetty's pool, bounded by server.jetty.threads.max")
            .isLessThanOrEqualTo(200);
        assertThat(usedHeapAfterGc() - heapBefore).as("heap growth in bytes").isLessThan(32L * 1024 * 1024);
    }

    private static String randomRequest(Random random) {
        String template = PATHS[random.nextInt(PATHS.length)];
        Object[] segments = { segment(random), segment(random) };
        StringBuilder path = new StringBuilder(String.format(template, segments));
        int parameters = random.nextInt(4);
        for (int p = 0; p < parameters; p++) {
            path.append(p == 0 ? '?' : '&')
                .append(PARAMETERS[random.nextInt(PARAMETERS.length)])
                .append('=')
                .append(segment(random));
        }
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        request.append("Accept: ").append(ACCEPTS[random.nextInt(ACCEPTS.length)]).append("\r\n");
        if (random.nextInt(3) == 0) {
            request.append("If-None-Match: ")
                .append(random.nextBoolean() ? "\"" + segment(random) + "\"" : "*")
                .append("\r\n");
        }
        if (random.nextInt(3) == 0) {
            request.append("Last-Event-ID: ").append(segment(random)).append("\r\n");
        }
        if (random.nextInt(20) == 0) {
            request.append("X-Padding: ").append("a".repeat(16 * 1024)).append("\r\n");
        }
        return request.append("Connection: close\r\n\r\n").toString();
    }

    /**
     * A path segment or value: valid names, garbage, broken percent-encodings and raw
     * bytes.
     */
    private static String segment(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> "web";
            case 1 -> "alpha";
            case 2 -> "%" + Integer.toHexString(random.nextInt(256)) + (random.nextBoolean() ? "Z" : "");
            case 3 -> "a".repeat(random.nextInt(300));
            default -> {
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(12); i > 0; i--) {
                    text.append(RAW.charAt(random.nextInt(RAW.length())));
                }
                yield text.toString().replace("\r", "").replace("\n", "").replace(" ", "%20");
            }
        };
    }

    private record Answer(int status, String contentType, String body) {
    }

    private Answer send(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 5000);
            socket.setSoTimeout(3000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                int read;
                while ((read = in.read(buffer)) != -1 && response.size() < 64 * 1024) {
                    response.write(buffer, 0, read);
                    if (response.toString(StandardCharsets.UTF_8).contains("event: SYNCED")) {
                        break;
                    }
                }
            }
            catch (SocketTimeoutException ex) {
                // A stream or a long-poll: what arrived is enough.
            }
            String text = response.toString(StandardCharsets.UTF_8);
            String head = text.contains("\r\n\r\n") ? text.substring(0, text.indexOf("\r\n\r\n")) : text;
            int status = Integer.parseInt(head.split(" ")[1]);
            String contentType = "";
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-type:")) {
                    contentType = line.substring("content-type:".length()).strip();
                }
            }
            return new Answer(status, contentType, text.substring(Math.min(text.length(), head.length())));
        }
    }

    private static void readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int read;
        while ((read = in.read(buffer)) != -1) {
            seen.write(buffer, 0, read);
            if (seen.toString(StandardCharsets.UTF_8).contains(marker)) {
                return;
            }
        }
    }

    /**
     * Jetty's request threads grow under load up to their maximum and idle out after a
     * minute: not a leak.
     */
    private static boolean inRequestPool(Thread thread) {
        return thread.getName().startsWith("qtp") || thread.getName().startsWith("jetty-");
    }

    private static long requestPoolThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(HostileClientsTest::inRequestPool).count();
    }

    /**
     * Threads other than request threads, leaving out gRPC's shared pools: the xDS tests'
     * clients, in this JVM too, start and idle out their threads on their own schedule.
     */
    private static Set<String> threadsOutsideTheRequestPool() {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter(t -> !inRequestPool(t) && !t.getName().startsWith("grpc-"))
            .map(Thread::getName)
            .collect(Collectors.toSet());
    }

    private static long usedHeapAfterGc() {
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            System.gc();
            samples.add(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        }
        return samples.stream().min(Long::compare).orElseThrow();
    }

    /** What the gateway's own gauge says of its open streams. */
    private int openStreams() {
        return (int) registry.get("gateway.stream.subscribers").gauge().value();
    }

}
