package io.discoverygateway.realkube;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lists a collection, then watches it from the list's resourceVersion, handing every
 * object to a handler (with the event type: ADDED for listed objects) on one daemon
 * thread; lists again after 410 Gone or a broken watch, one second later. The simulated
 * kubelet's and scheduler's informer, in the shape of client-go's reflector.
 */
final class ListWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ListWatch.class);

    private final Thread thread;

    private ListWatch(Thread thread) {
        this.thread = thread;
    }

    static ListWatch start(String name, KubeRest client, String collectionPath,
            BiConsumer<String, ObjectNode> handler) {
        Thread thread = new Thread(() -> run(client, collectionPath, handler), name);
        thread.setDaemon(true);
        thread.start();
        return new ListWatch(thread);
    }

    private static void run(KubeRest client, String collectionPath, BiConsumer<String, ObjectNode> handler) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                ObjectNode list = client.get(collectionPath);
                for (JsonNode item : list.path("items")) {
                    handler.accept("ADDED", (ObjectNode) item);
                }
                String[] resourceVersion = { list.path("metadata").path("resourceVersion").asString() };
                boolean[] gone = { false };
                while (!gone[0] && !Thread.currentThread().isInterrupted()) {
                    client.watch(collectionPath, resourceVersion[0], event -> {
                        String type = event.path("type").asString();
                        ObjectNode object = (ObjectNode) event.path("object");
                        if (type.equals("ERROR")) {
                            gone[0] = true;
                            return;
                        }
                        resourceVersion[0] = object.path("metadata").path("resourceVersion").asString();
                        if (!type.equals("BOOKMARK")) {
                            handler.accept(type, object);
                        }
                    });
                }
            }
            catch (IOException | RuntimeException ex) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                log.debug("list-watch of {} failed, again in 1 s: {}", collectionPath, ex.toString());
                pause(Duration.ofSeconds(1));
            }
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }

}
