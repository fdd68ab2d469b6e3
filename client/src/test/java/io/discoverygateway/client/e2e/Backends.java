package io.discoverygateway.client.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.discoverygateway.process.GatewayProcess;

/**
 * Small HTTP backends, each on a loopback address of its own (127.0.0.11, .12, ...) and
 * the same port, so that they are distinct endpoints of one service as pods are. Each
 * answers with its address and counts its requests.
 */
final class Backends implements AutoCloseable {

    private final int port;

    private final List<HttpServer> servers = new ArrayList<>();

    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    Backends(int count) {
        this.port = GatewayProcess.freePort();
        for (int i = 0; i < count; i++) {
            add();
        }
    }

    /** Starts one more backend; returns its address. */
    String add() {
        String address = "127.0.0." + (11 + servers.size());
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 64);
            AtomicInteger counter = new AtomicInteger();
            requests.put(address, counter);
            server.createContext("/", exchange -> {
                counter.incrementAndGet();
                byte[] body = address.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "backend-" + address);
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            servers.add(server);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not listen on " + address + ":" + port, ex);
        }
        return address;
    }

    int port() {
        return port;
    }

    List<String> addresses() {
        return List.copyOf(requests.keySet());
    }

    int requests(String address) {
        return requests.get(address).get();
    }

    @Override
    public void close() {
        servers.forEach(server -> server.stop(0));
    }

}
