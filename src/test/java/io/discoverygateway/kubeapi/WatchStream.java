package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One open HTTP watch: receives the store's events (on the writer's thread, without
 * blocking) and writes those that concern it as JSON lines from the request's thread. An
 * object that stops matching the watch's selector is sent as DELETED and one that starts
 * matching as ADDED, as kube-apiserver does.
 */
final class WatchStream implements Consumer<ObjectStore.WatchEvent> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final ObjectStore.WatchEvent END = new ObjectStore.WatchEvent("END", null, null, null, 0);

    private final OutputStream out;

    private final ResourcePath target;

    private final Predicate<ObjectNode> filter;

    private final boolean bookmarks;

    private final Duration bookmarkInterval;

    private final long deadline;

    private final ObjectStore store;

    private final BlockingQueue<ObjectStore.WatchEvent> queue = new LinkedBlockingQueue<>();

    WatchStream(OutputStream out, ResourcePath target, Predicate<ObjectNode> filter, boolean bookmarks,
            Duration bookmarkInterval, Duration timeout, ObjectStore store) {
        this.out = out;
        this.target = target;
        this.filter = filter;
        this.bookmarks = bookmarks;
        this.bookmarkInterval = bookmarkInterval;
        this.deadline = System.nanoTime() + timeout.toNanos();
        this.store = store;
    }

    @Override
    public void accept(ObjectStore.WatchEvent event) {
        if (event.resource().equals(target.resource())
                && (target.namespace().isEmpty() || target.namespace().equals(event.namespace()))) {
            queue.add(event);
        }
    }

    /** Writes events until the timeout, an abort or a broken connection. */
    void pump() {
        long nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
        try {
            while (true) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    return;
                }
                long wait = Math.min(deadline - now, bookmarks ? Math.max(0, nextBookmark - now) : Long.MAX_VALUE);
                ObjectStore.WatchEvent event = queue.poll(wait, TimeUnit.NANOSECONDS);
                if (event == END) {
                    return;
                }
                if (event != null) {
                    write(event);
                }
                else if (bookmarks && System.nanoTime() >= nextBookmark) {
                    bookmark();
                    nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
                }
            }
        }
        catch (IOException ex) {
            // The client went away.
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the stream at once, without a final event, as a dropped connection would. */
    void abort() {
        queue.add(END);
    }

    void expired(long resourceVersion) throws IOException {
        ObjectNode line = JSON.createObjectNode();
        line.put("type", "ERROR");
        ObjectNode status = line.putObject("object");
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", "too old resource version: " + resourceVersion + " (" + store.resourceVersion() + ")");
        status.put("reason", "Expired");
        status.put("code", 410);
        send(line);
    }

    private void write(ObjectStore.WatchEvent event) throws IOException {
        boolean matches = filter.test(event.object());
        boolean matched = event.previous() != null && filter.test(event.previous());
        String type = event.type();
        if (type.equals("MODIFIED") && matches != matched) {
            type = matches ? "ADDED" : "DELETED";
        }
        else if (!matches) {
            return;
        }
        ObjectNode line = JSON.createObjectNode();
        line.put("type", type);
        line.set("object", event.object());
        send(line);
    }

    /**
     * Only when nothing is queued: a bookmark promises that every event up to its
     * resourceVersion was sent.
     */
    private void bookmark() throws IOException {
        long resourceVersion;
        synchronized (store) {
            if (!queue.isEmpty()) {
                return;
            }
            resourceVersion = store.resourceVersion();
        }
        ObjectNode line = JSON.createObjectNode();
        line.put("type", "BOOKMARK");
        ObjectNode object = line.putObject("object");
        object.put("kind", target.resource().kind());
        object.put("apiVersion", target.resource().apiVersion());
        object.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        send(line);
    }

    private void send(ObjectNode line) throws IOException {
        out.write(JSON.writeValueAsBytes(line));
        out.write('\n');
        out.flush();
    }

}
