package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.wire.HttpWire;

/**
 * A TCP proxy between the gateway and the embedded Kubernetes API that misbehaves on
 * demand at the protocol level, as a broken load balancer, proxy or API server would. It
 * speaks just enough HTTP/1.1 to tell lists from watches and to frame what it sends;
 * every request goes to the upstream on a connection of its own and every answer ends its
 * connection ({@code Connection: close}), which clients handle as they must with any
 * server.
 *
 * <p>
 * Modes ({@link #mode}): pass through; refuse (reset the connection before any answer);
 * reset a body half-way; answer a watch 200 and close it at once; answer a watch 200 and
 * then send nothing, holding the connection; delay every answer; answer 500, or 429 with
 * {@code Retry-After}; cut a list's JSON short (well framed, so only the parser notices).
 * Requests are counted by kind, whatever the mode.
 */
public final class FaultProxy implements AutoCloseable {

    public enum Mode {

        PASS, REFUSE, RESET_MID_BODY, WATCH_CLOSES_AT_ONCE, WATCH_HANGS_AFTER_HEADERS, SLOW, ERROR_500, THROTTLE_429,
        TRUNCATED_JSON

    }

    private final URI upstream;

    private final ServerSocket server;

    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fault-proxy");
        thread.setDaemon(true);
        return thread;
    });

    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private final AtomicInteger lists = new AtomicInteger();

    private final AtomicInteger watches = new AtomicInteger();

    private volatile Mode mode = Mode.PASS;

    private volatile Duration delay = Duration.ofSeconds(2);

    private volatile int retryAfterSeconds = 2;

    private FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        executor.execute(this::accept);
    }

    public static FaultProxy start(URI upstream) {
        try {
            return new FaultProxy(upstream);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start the fault proxy", ex);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /**
     * From now on, answers new requests this way; with {@link Mode#PASS}, also ends
     * connections held open.
     */
    public void mode(Mode mode) {
        this.mode = mode;
        if (mode == Mode.PASS) {
            dropConnections();
        }
    }

    /** The delay of {@link Mode#SLOW}. */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    /** The {@code Retry-After} of {@link Mode#THROTTLE_429}. */
    public void retryAfterSeconds(int seconds) {
        this.retryAfterSeconds = seconds;
    }

    public int lists() {
        return lists.get();
    }

    public int watches() {
        return watches.get();
    }

    public int requests() {
        return lists.get() + watches.get();
    }

    /** Ends every connection the proxy holds, as a restarting proxy would. */
    public void dropConnections() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        dropConnections();
        executor.shutdownNow();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                executor.execute(() -> {
                    try {
                        handle(client);
                    }
                    catch (IOException | RuntimeException ex) {
                        // The client or the upstream went away: the connection ends, as
                        // it would.
                    }
                    finally {
                        open.remove(client);
                        closeQuietly(client);
                    }
                });
            }
            catch (IOException ex) {
                return;
            }
        }
    }

    private void handle(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        Head request = Head.read(in);
        if (request == null) {
            return;
        }
        byte[] body = in.readNBytes(request.contentLength());
        boolean watch = request.startLine().contains("watch=true");
        (watch ? watches : lists).incrementAndGet();
        Mode current = mode;
        switch (current) {
            case REFUSE -> reset(client);
            case ERROR_500 -> status(out, 500, "InternalError", null);
            case THROTTLE_429 -> status(out, 429, "TooManyRequests", retryAfterSeconds);
            case WATCH_CLOSES_AT_ONCE -> {
                if (watch) {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"));
                    out.flush();
                }
                else {
                    relay(request, body, out, Integer.MAX_VALUE, client);
                }
            }
            case WATCH_HANGS_AFTER_HEADERS -> {
                if (watch) {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
                    out.flush();
                    // Hold the connection, sending nothing, until the client gives up or
                    // the proxy is told to stop.
                    while (in.read() != -1) {
                        // Discard.
                    }
                }
                else {
                    relay(request, body, out, Integer.MAX_VALUE, client);
                }
            }
            case SLOW -> {
                sleep(delay);
                relay(request, body, out, Integer.MAX_VALUE, client);
            }
            case RESET_MID_BODY -> relay(request, body, out, 64, client);
            case TRUNCATED_JSON -> {
                if (watch) {
                    relay(request, body, out, Integer.MAX_VALUE, client);
                }
                else {
                    truncated(request, body, out);
                }
            }
            default -> relay(request, body, out, Integer.MAX_VALUE, client);
        }
    }

    /**
     * Forwards the request and relays the answer; after {@code bodyLimit} bytes of body,
     * resets the connection.
     */
    private void relay(Head request, byte[] body, OutputStream out, int bodyLimit, Socket client) throws IOException {
        try (Socket upstreamSocket = connectUpstream(request, body)) {
            InputStream upstreamIn = upstreamSocket.getInputStream();
            Head response = Head.read(upstreamIn);
            if (response == null) {
                return;
            }
            out.write(response.withConnectionClose());
            out.flush();
            byte[] buffer = new byte[8192];
            int relayed = 0;
            int read;
            while ((read = upstreamIn.read(buffer)) != -1) {
                int allowed = Math.min(read, bodyLimit - relayed);
                out.write(buffer, 0, allowed);
                out.flush();
                relayed += allowed;
                if (relayed >= bodyLimit) {
                    reset(client);
                    return;
                }
            }
        }
    }

    /**
     * The upstream's answer with its JSON cut in the middle, framed by a Content-Length
     * that matches the cut.
     */
    private void truncated(Head request, byte[] body, OutputStream out) throws IOException {
        try (Socket upstreamSocket = connectUpstream(request, body)) {
            InputStream upstreamIn = upstreamSocket.getInputStream();
            Head response = Head.read(upstreamIn);
            if (response == null) {
                return;
            }
            byte[] json = upstreamIn.readNBytes(response.contentLength());
            byte[] cut = java.util.Arrays.copyOf(json, Math.max(1, json.length / 2));
            out.write(ascii(response.startLine() + "\r\nContent-Type: application/json\r\nContent-Length: " + cut.length
                    + "\r\nConnection: close\r\n\r\n"));
            out.write(cut);
            out.flush();
        }
    }

    private Socket connectUpstream(Head request, byte[] body) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()), 5000);
        OutputStream upstreamOut = socket.getOutputStream();
        upstreamOut.write(request.withConnectionClose());
        upstreamOut.write(body);
        upstreamOut.flush();
        return socket;
    }

    private static void status(OutputStream out, int code, String reason, Integer retryAfter) throws IOException {
        byte[] json = ascii("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"injected by the fault proxy\",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
        out.write(ascii("HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + json.length + "\r\n" + (retryAfter != null ? "Retry-After: " + retryAfter + "\r\n" : "")
                + "Connection: close\r\n\r\n"));
        out.write(json);
        out.flush();
    }

    /** Ends the connection with a TCP reset instead of an orderly close. */
    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        }
        catch (Exception ex) {
            // Closing anyway.
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The start line and headers of a request or an answer. */
    private record Head(String startLine, List<String> headers) {

        static Head read(InputStream in) throws IOException {
            String start = HttpWire.lineOrNull(in);
            if (start == null || start.isEmpty()) {
                return null;
            }
            List<String> headers = new ArrayList<>();
            String header;
            while ((header = HttpWire.lineOrNull(in)) != null && !header.isEmpty()) {
                headers.add(header);
            }
            return new Head(start, headers);
        }

        int contentLength() {
            for (String header : headers) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    return Integer.parseInt(header.substring(header.indexOf(':') + 1).strip());
                }
            }
            return 0;
        }

        /**
         * The head as bytes, with any Connection header replaced by
         * {@code Connection: close}.
         */
        byte[] withConnectionClose() {
            StringBuilder text = new StringBuilder(startLine).append("\r\n");
            for (String header : headers) {
                if (!header.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                    text.append(header).append("\r\n");
                }
            }
            return ascii(text.append("Connection: close\r\n\r\n").toString());
        }
    }

}
