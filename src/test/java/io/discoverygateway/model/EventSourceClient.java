package io.discoverygateway.model;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.ServicePatches;
import io.discoverygateway.protocol.EventType;
import io.discoverygateway.wire.HttpWire;
import tools.jackson.databind.JsonNode;

/**
 * A stream client that behaves as a browser's {@code EventSource} and a careful consumer:
 * it applies events to its own view (RESET clears, ADDED and MODIFIED put, DELETED
 * removes, PATCHED changes endpoints when asked for), remembers the id of the last
 * <em>complete</em> event it dispatched, and when its connection is cut (here: by itself,
 * after a random number of bytes, at any byte of the snapshot, a resume or the live
 * events) it reconnects with that id in {@code Last-Event-ID}. It can read slowly with a
 * small receive buffer.
 *
 * <p>
 * Threads: one reader thread owns the connection and the parsing; the view is read by the
 * test under this object's monitor.
 */
final class EventSourceClient implements AutoCloseable {

    private final int port;

    private final String path;

    private final Random random;

    private final boolean slow;

    private final Thread reader;

    private final List<String> log = new ArrayList<>();

    private int cutsLeft;

    private volatile boolean stopped;

    private volatile Socket socket;

    // Guarded by this.
    private final Map<String, JsonNode> view = new TreeMap<>();

    private boolean synced;

    private boolean everSynced;

    private String lastEventId;

    private final List<String> protocolErrors = new ArrayList<>();

    private int patchesApplied;

    EventSourceClient(int port, String path, long seed, int cuts, boolean slow) {
        this.port = port;
        this.path = path;
        this.random = new Random(seed);
        this.cutsLeft = cuts;
        this.slow = slow;
        this.reader = new Thread(this::run, "event-source " + path);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * From now on the client keeps its connection: the test is waiting for quiescence.
     */
    synchronized void stopCutting() {
        cutsLeft = 0;
    }

    /**
     * The services this client holds, by name, once it is in sync and has no cut left to
     * make; else null.
     */
    synchronized Map<String, JsonNode> settledView() {
        return synced && cutsLeft == 0 ? new TreeMap<>(view) : null;
    }

    /**
     * Whether the client held a complete view at least once (it may have cut its
     * connection since).
     */
    synchronized boolean everSynced() {
        return everSynced;
    }

    synchronized String describe() {
        return path + " cuts left " + cutsLeft + ", synced " + synced + ", last id " + lastEventId + ", holds "
                + view.keySet() + "; connections: " + log;
    }

    private void run() {
        boolean first = true;
        while (!stopped) {
            // The first cut lands early, usually inside the first snapshot; later ones
            // anywhere.
            long cutAfter = cutsLeft == 0 ? Long.MAX_VALUE
                    : random.nextInt(first ? 3_000 : random.nextBoolean() ? 2_000 : 400_000);
            first = false;
            try {
                connectAndRead(cutAfter);
            }
            catch (IOException | RuntimeException ex) {
                // Cut, or the server closed: reconnect as EventSource does.
            }
            synchronized (this) {
                synced = false;
            }
            if (!stopped) {
                sleep(random.nextInt(30));
            }
        }
    }

    private void connectAndRead(long cutAfter) throws IOException {
        String resumeFrom;
        synchronized (this) {
            resumeFrom = lastEventId;
            log.add(resumeFrom == null ? "fresh" : resumeFrom);
        }
        Socket connection = new Socket();
        if (slow) {
            connection.setReceiveBufferSize(2048);
        }
        socket = connection;
        connection.connect(new InetSocketAddress("localhost", port), 5000);
        OutputStream out = connection.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                + (resumeFrom != null ? "Last-Event-ID: " + resumeFrom + "\r\n" : "") + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        try (InputStream in = new BufferedInputStream(
                new CountingStream(connection.getInputStream(), cutAfter, slow))) {
            String status = HttpWire.lineOrNull(in);
            if (status == null || !status.contains(" 200 ")) {
                throw new IOException("status " + status);
            }
            boolean chunked = false;
            String header;
            while ((header = HttpWire.lineOrNull(in)) != null && !header.isEmpty()) {
                chunked |= header.toLowerCase().startsWith("transfer-encoding") && header.contains("chunked");
            }
            if (!chunked) {
                throw new IOException("not chunked");
            }
            parse(new HttpWire.Dechunked(in), resumeFrom);
        }
        finally {
            connection.close();
        }
    }

    private void parse(InputStream body, String idAtStart) throws IOException {
        String idBuffer = idAtStart;
        String type = null;
        StringBuilder data = null;
        String line;
        while ((line = HttpWire.lineOrNull(body)) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    dispatch(type == null ? "message" : type, data.toString(), idBuffer);
                }
                type = null;
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
            switch (field) {
                case "id" -> idBuffer = value;
                case "event" -> type = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> {
                    // retry
                }
            }
        }
        throw new IOException("stream ended");
    }

    private synchronized void dispatch(String wireType, String data, String id) {
        EventType type = EventType.parse(wireType)
            .orElseThrow(() -> new IllegalStateException("unknown event " + wireType));
        if (type == EventType.PATCHED && !patch(GatewayClient.parse(data))) {
            // As a careful consumer would: keep the last id and start over from it (a
            // resume sends whole services).
            throw new IllegalStateException("a patch for a revision this client does not hold");
        }
        lastEventId = id;
        switch (type) {
            case RESET -> {
                view.clear();
                synced = false;
            }
            case ADDED, MODIFIED -> {
                JsonNode service = GatewayClient.parse(data);
                view.put(service.path("name").asString(), service);
            }
            case DELETED -> view.remove(GatewayClient.parse(data).path("name").asString());
            case SYNCED -> {
                synced = true;
                everSynced = true;
            }
            case PATCHED -> {
                // Applied above.
            }
            case REAUTHENTICATE -> throw new IllegalStateException("no consumer authentication here: " + data);
        }
    }

    /**
     * Applies a PATCHED event; returns false (and records it) when the base is not what
     * the client holds.
     */
    private boolean patch(JsonNode patch) {
        String name = patch.path("name").asString();
        JsonNode held = view.get(name);
        Optional<JsonNode> patched = ServicePatches.apply(held, patch);
        if (patched.isEmpty()) {
            protocolErrors.add("PATCHED " + name + " from " + patch.path("baseRevision") + " but holding "
                    + (held == null ? "nothing" : held.path("revision")));
            return false;
        }
        view.put(name, patched.get());
        patchesApplied++;
        return true;
    }

    /**
     * Patches that did not apply to what the client held: each a protocol error of the
     * gateway.
     */
    synchronized List<String> protocolErrors() {
        return List.copyOf(protocolErrors);
    }

    synchronized int patchesApplied() {
        return patchesApplied;
    }

    /**
     * After this many bytes the connection is cut (the client's own doing), once per
     * planned cut.
     */
    private final class CountingStream extends java.io.FilterInputStream {

        private final long cutAfter;

        private final boolean slowly;

        private long count;

        CountingStream(InputStream in, long cutAfter, boolean slowly) {
            super(in);
            this.cutAfter = cutAfter;
            this.slowly = slowly;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            boolean cutting;
            synchronized (EventSourceClient.this) {
                cutting = cutsLeft > 0;
                if (cutting && count >= cutAfter) {
                    cutsLeft--;
                    throw new IOException("cut by the client after " + count + " bytes");
                }
            }
            if (slowly) {
                sleep(1);
            }
            int limit = Math.min(length, slowly ? 1024 : length);
            if (cutting) {
                limit = (int) Math.min(limit, cutAfter - count);
            }
            int read = super.read(buffer, offset, limit);
            if (read > 0) {
                count += read;
            }
            return read;
        }

    }

    @Override
    public void close() {
        stopped = true;
        Socket current = socket;
        if (current != null) {
            try {
                current.close();
            }
            catch (IOException ex) {
                // closing anyway
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
