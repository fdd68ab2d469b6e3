package io.discoverygateway.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy between a client (a browser, the client library) and a gateway that fails
 * on demand as a network or a load balancer does: it cuts every open connection, stalls
 * them (holds them open and forwards nothing more), or refuses new ones.
 */
public final class TcpProxy implements AutoCloseable {

    private final URI upstream;

    private final ServerSocket server;

    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "tcp-proxy");
        thread.setDaemon(true);
        return thread;
    });

    private volatile boolean stalled;

    private volatile boolean refusing;

    public TcpProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        executor.execute(this::accept);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Resets every open connection. */
    public void cut() {
        for (Socket socket : open) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            }
            catch (IOException ex) {
                // Already gone.
            }
        }
        open.clear();
    }

    /** From now on forwards nothing on open or new connections, and keeps them open. */
    public void stall(boolean value) {
        stalled = value;
    }

    /**
     * From now on closes new connections at once (as a refused connection looks through a
     * load balancer).
     */
    public void refuse(boolean value) {
        refusing = value;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (refusing) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                Socket gateway = new Socket(upstream.getHost(), upstream.getPort());
                open.add(client);
                open.add(gateway);
                executor.execute(() -> pump(client, gateway));
                executor.execute(() -> pump(gateway, client));
            }
            catch (IOException ex) {
                // The server socket closed, or the gateway refused: the client sees its
                // connection end.
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                while (stalled && !from.isClosed()) {
                    Thread.sleep(20);
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        }
        catch (IOException ex) {
            // Cut.
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            close(from);
            close(to);
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        }
        catch (IOException ex) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
        executor.shutdownNow();
    }

}
