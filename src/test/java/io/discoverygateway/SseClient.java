package io.discoverygateway;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import io.discoverygateway.wire.HttpWire;
import org.awaitility.core.ConditionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A server-sent-events client over a plain socket: it writes the HTTP request itself and
 * parses the chunked body and the event-stream format line by line, as a browser's
 * EventSource would, so tests see exactly the wire.
 */
public final class SseClient implements AutoCloseable {

    /**
     * One event; {@code comment} is set for comment lines (heartbeats), the other fields
     * for events.
     */
    public record Event(String id, String type, String data, String comment) {
    }

    private final Socket socket;

    private final List<Event> events = new CopyOnWriteArrayList<>();

    private final Map<String, String> headers = new LinkedHashMap<>();

    private volatile int status;

    private volatile boolean ended;

    private volatile long endedAtNanos;

    private Thread reader;

    /** Chunk size and pause of a slow reader, or null. */
    private int[] throttle;

    private SseClient(Socket socket) {
        this.socket = socket;
    }

    /** Connects and reads in the background. Header pairs are name, value. */
    public static SseClient connect(int port, String path, String... headerPairs) throws IOException {
        SseClient client = open(port, path, 0, headerPairs);
        client.reader = new Thread(client::read, "sse-client");
        client.reader.setDaemon(true);
        client.reader.start();
        client.awaitStatus();
        return client;
    }

    /**
     * Connects with a small receive buffer and reads slowly: at most {@code chunk} bytes
     * at a time, pausing {@code pauseMillis} between reads, as a client on a slow link or
     * a busy consumer does.
     */
    public static SseClient connectSlowly(int port, String path, int receiveBuffer, int chunk, long pauseMillis)
            throws IOException {
        SseClient client = open(port, path, receiveBuffer);
        client.throttle = new int[] { chunk, (int) pauseMillis };
        client.reader = new Thread(client::read, "sse-slow-client");
        client.reader.setDaemon(true);
        client.reader.start();
        client.awaitStatus();
        return client;
    }

    /**
     * Connects with a tiny receive buffer and never reads: a client that has stopped
     * consuming.
     */
    public static SseClient connectWithoutReading(int port, String path) throws IOException {
        return open(port, path, 1024);
    }

    private static SseClient open(int port, String path, int receiveBuffer, String... headerPairs) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("localhost", port), 5000);
        StringBuilder request = new StringBuilder(
                "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + "Accept: text/event-stream\r\n");
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            request.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new SseClient(socket);
    }

    public int status() {
        return status;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase());
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    /** Events other than comments. */
    public List<Event> namedEvents() {
        return events.stream().filter(e -> e.comment() == null).toList();
    }

    public boolean ended() {
        return ended;
    }

    /** {@link System#nanoTime()} when the server ended the stream (0 while open). */
    public long endedAtNanos() {
        return endedAtNanos;
    }

    /** Waits until an event matches and returns the events received so far. */
    public List<Event> awaitEvent(Predicate<Event> condition, Duration timeout) {
        quickly(timeout).until(() -> events.stream().anyMatch(condition));
        return namedEvents();
    }

    public Event awaitNamed(String type, Duration timeout) {
        return quickly(timeout).until(
                () -> events.stream().filter(e -> type.equals(e.type())).reduce((a, b) -> b).orElse(null),
                e -> e != null);
    }

    private void awaitStatus() {
        quickly(Duration.ofSeconds(10)).until(() -> status != 0 || ended);
    }

    /** Polls often: tests wait on hundreds of clients in turn. */
    private static ConditionFactory quickly(Duration timeout) {
        return await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    private void read() {
        InputStream raw;
        try {
            raw = throttle == null ? socket.getInputStream()
                    : new SlowInputStream(socket.getInputStream(), throttle[0], throttle[1]);
        }
        catch (IOException ex) {
            ended = true;
            return;
        }
        try (InputStream in = new BufferedInputStream(raw)) {
            String statusLine = HttpWire.line(in);
            status = Integer.parseInt(statusLine.split(" ")[1]);
            boolean chunked = false;
            String header;
            while (!(header = HttpWire.line(in)).isEmpty()) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).strip().toLowerCase(), header.substring(colon + 1).strip());
                chunked |= header.toLowerCase().startsWith("transfer-encoding") && header.contains("chunked");
            }
            // A response with a length (an error before the stream starts) ends with its
            // body, whether or not the
            // server keeps the connection open for another request.
            String length = headers.get("content-length");
            InputStream body = chunked ? new HttpWire.Dechunked(in)
                    : length != null ? new java.io.ByteArrayInputStream(in.readNBytes(Integer.parseInt(length))) : in;
            parseEvents(body);
        }
        catch (IOException | RuntimeException ex) {
            // The connection ended.
        }
        finally {
            endedAtNanos = System.nanoTime();
            ended = true;
        }
    }

    private void parseEvents(InputStream body) throws IOException {
        String id = null;
        String type = null;
        List<String> data = new ArrayList<>();
        String line;
        while ((line = HttpWire.lineOrNull(body)) != null) {
            if (line.isEmpty()) {
                if (type != null || !data.isEmpty()) {
                    events.add(new Event(id, type == null ? "message" : type, String.join("\n", data), null));
                }
                id = null;
                type = null;
                data.clear();
            }
            else if (line.startsWith(":")) {
                events.add(new Event(null, null, null, line.substring(1).strip()));
            }
            else {
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> type = value;
                    case "data" -> data.add(value);
                    default -> {
                        // retry and unknown fields
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        }
        catch (IOException ex) {
            // closing anyway
        }
    }

    /** Reads at most a chunk at a time, with a pause before each read. */
    private static final class SlowInputStream extends java.io.FilterInputStream {

        private final int chunk;

        private final long pauseMillis;

        SlowInputStream(InputStream in, int chunk, long pauseMillis) {
            super(in);
            this.chunk = chunk;
            this.pauseMillis = pauseMillis;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                Thread.sleep(pauseMillis);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
            return super.read(buffer, offset, Math.min(length, chunk));
        }

    }

}
