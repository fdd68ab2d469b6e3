package io.discoverygateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many SSE subscribers on one selector thread, so that 10,000 of them fit in the
 * load-generating process. It does not parse the whole event stream: it counts SYNCED
 * events and reports each {@code "hostname":"c<number>"} token it sees in a subscriber's
 * data (the benchmarks put a change number there) to a listener, with the time of
 * arrival. Tokens may straddle two reads; a small carry-over buffer per subscriber
 * handles that.
 */
final class SseFleet implements AutoCloseable {

    /** Told of every token a subscriber receives, on the fleet's thread. */
    interface TokenListener {

        void received(int subscriber, int token, long nanos);

    }

    private static final byte[] MARKER = "\"hostname\":\"c".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] SYNCED = "event: SYNCED".getBytes(StandardCharsets.US_ASCII);

    private final Selector selector;

    private final List<SocketChannel> channels = new ArrayList<>();

    private final AtomicInteger synced = new AtomicInteger();

    private final Thread thread;

    private volatile TokenListener listener = (subscriber, token, nanos) -> {
    };

    private volatile boolean running = true;

    SseFleet() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, "sse-fleet");
        thread.setDaemon(true);
        thread.start();
    }

    void listener(TokenListener listener) {
        this.listener = listener;
    }

    int size() {
        return channels.size();
    }

    int synced() {
        return synced.get();
    }

    /**
     * Opens {@code count} more subscribers on the path, in batches so the server's accept
     * backlog keeps up.
     */
    void connect(int port, String path, int count, Duration timeout) throws IOException, InterruptedException {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        int target = synced.get() + count;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int opened = 0; opened < count; opened++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("localhost", port));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.write(ByteBuffer.wrap(request));
            channel.configureBlocking(false);
            synchronized (channels) {
                channels.add(channel);
            }
            Subscriber subscriber = new Subscriber(channels.size() - 1);
            selector.wakeup();
            synchronized (this) {
                channel.register(selector, SelectionKey.OP_READ, subscriber);
            }
            if (opened % 500 == 499) {
                int expected = target - count + opened + 1;
                while (synced.get() < expected && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            }
        }
        while (synced.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (synced.get() < target) {
            throw new IllegalStateException("only " + synced.get() + " of " + target + " subscribers synced");
        }
    }

    private void loop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        byte[] bytes = new byte[64 * 1024 + 64];
        while (running) {
            try {
                synchronized (this) {
                    // lets connect() register channels between selects
                }
                selector.select(100);
                long now = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    Subscriber subscriber = (Subscriber) key.attachment();
                    SocketChannel channel = (SocketChannel) key.channel();
                    buffer.clear();
                    int read = channel.read(buffer);
                    if (read < 0) {
                        key.cancel();
                        channel.close();
                        continue;
                    }
                    buffer.flip();
                    int carried = subscriber.carry.length;
                    System.arraycopy(subscriber.carry, 0, bytes, 0, carried);
                    buffer.get(bytes, carried, read);
                    scan(subscriber, bytes, carried + read, now);
                }
                selector.selectedKeys().clear();
            }
            catch (IOException | RuntimeException ex) {
                // A subscriber's connection failed (the benchmark notices missing
                // tokens); the fleet goes on.
            }
        }
    }

    /**
     * Looks only at quote bytes (and, until SYNCED, at 'e'): a few comparisons per byte
     * of stream.
     */
    private void scan(Subscriber subscriber, byte[] bytes, int length, long now) {
        int i = 0;
        int safeEnd = length - Math.max(MARKER.length, SYNCED.length);
        while (i < length) {
            byte b = bytes[i];
            if (b == '"' && matches(bytes, i, length, MARKER)) {
                int start = i + MARKER.length;
                int end = start;
                while (end < length && bytes[end] >= '0' && bytes[end] <= '9') {
                    end++;
                }
                if (end >= length) {
                    break;
                }
                if (end > start && end - start < 10) {
                    listener.received(subscriber.index,
                            Integer.parseInt(new String(bytes, start, end - start, StandardCharsets.US_ASCII)), now);
                }
                i = end;
            }
            else if (!subscriber.synced && b == 'e' && matches(bytes, i, length, SYNCED)) {
                subscriber.synced = true;
                synced.incrementAndGet();
                i += SYNCED.length;
            }
            else if (i >= safeEnd && (b == '"' || b == 'e')) {
                // Possibly the start of a marker cut by the end of this read: keep it for
                // the next one.
                break;
            }
            else {
                i++;
            }
        }
        int keep = Math.min(length - i, 32);
        subscriber.carry = java.util.Arrays.copyOfRange(bytes, length - keep, length);
    }

    private static boolean matches(byte[] bytes, int at, int length, byte[] pattern) {
        if (at + pattern.length > length) {
            return false;
        }
        for (int j = 0; j < pattern.length; j++) {
            if (bytes[at + j] != pattern[j]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        running = false;
        synchronized (channels) {
            for (SocketChannel channel : channels) {
                channel.close();
            }
            channels.clear();
        }
        selector.close();
    }

    private static final class Subscriber {

        final int index;

        boolean synced;

        byte[] carry = new byte[0];

        Subscriber(int index) {
            this.index = index;
        }

    }

}
