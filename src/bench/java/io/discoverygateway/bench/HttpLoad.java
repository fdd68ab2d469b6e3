package io.discoverygateway.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A closed-loop HTTP/1.1 load generator: each connection sends one GET, reads the whole
 * response (Content-Length or chunked), and sends the next, on keep-alive sockets.
 * Measures requests per second and latency percentiles.
 */
final class HttpLoad {

    record Result(double requestsPerSecond, double p50Millis, double p99Millis, long requests, long errors,
            int bodyBytes) {
    }

    private HttpLoad() {
    }

    static Result run(int port, String path, List<String> headers, int connections, Duration duration)
            throws InterruptedException {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        headers.forEach(header -> request.append(header).append("\r\n"));
        byte[] bytes = request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(connections);
        long[][] latencies = new long[connections][];
        long[] counts = new long[connections];
        long[] errors = new long[connections];
        int[] bodySize = new int[1];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int index = c;
            Thread thread = new Thread(() -> {
                long[] samples = new long[1 << 16];
                int n = 0;
                try {
                    while (running.get()) {
                        // A server may close a keep-alive connection (after N requests,
                        // say): open another.
                        try (Socket socket = new Socket("localhost", port)) {
                            socket.setTcpNoDelay(true);
                            OutputStream out = socket.getOutputStream();
                            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                            boolean open = true;
                            while (running.get() && open) {
                                long start = System.nanoTime();
                                out.write(bytes);
                                int status = readResponse(in, bodySize);
                                long took = System.nanoTime() - start;
                                if (status < 0) {
                                    open = false;
                                    status = -status;
                                }
                                if (status >= 400) {
                                    errors[index]++;
                                }
                                if (n == samples.length) {
                                    samples = Arrays.copyOf(samples, n * 2);
                                }
                                samples[n++] = took;
                            }
                        }
                        catch (IOException ex) {
                            errors[index]++;
                        }
                    }
                }
                finally {
                    latencies[index] = Arrays.copyOf(samples, n);
                    counts[index] = n;
                    done.countDown();
                }
            }, "load-" + c);
            thread.setDaemon(true);
            threads.add(thread);
        }
        long started = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(duration.toMillis());
        running.set(false);
        done.await();
        double seconds = (System.nanoTime() - started) / 1e9;
        long total = Arrays.stream(counts).sum();
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(total / seconds, percentile(all, 0.50) / 1e6, percentile(all, 0.99) / 1e6, total,
                Arrays.stream(errors).sum(), bodySize[0]);
    }

    static long percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    /**
     * Reads one response; returns its status, negated when the server closes the
     * connection after it.
     */
    private static int readResponse(InputStream in, int[] bodySize) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        int length = -1;
        boolean chunked = false;
        boolean close = false;
        String header;
        while (!(header = line(in)).isEmpty()) {
            String lower = header.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).strip());
            }
            else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
            else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        int body = 0;
        if (chunked) {
            int size;
            while ((size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) > 0) {
                body += size;
                in.skipNBytes(size);
                line(in);
            }
            line(in);
        }
        else if (length > 0) {
            body = length;
            in.skipNBytes(length);
        }
        bodySize[0] = body;
        return close ? -status : status;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

}
