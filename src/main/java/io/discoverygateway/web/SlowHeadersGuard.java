package io.discoverygateway.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.runtime.DaemonThreads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Closes HTTP/1.1 connections that take longer than the header timeout to send a
 * request's headers. Jetty's idle timeout does not end them: each trickled byte resets
 * it, so a few thousand such clients ("Slowloris") would hold connections and their
 * buffers for as long as they like. A request whose headers are complete is never
 * touched, so streams and long-polls, which send nothing for minutes, are not limited
 * here.
 *
 * <p>
 * Threads: Jetty's threads open and close connections (the map is concurrent); one
 * {@code http-header-guard} thread sweeps every second once the context has started. It
 * reads each connection's parser state without Jetty's lock: a stale read delays a close
 * by one sweep at most, and never closes a connection whose headers are complete, since
 * the deadline counts from the first sweep that saw the same request still in its
 * headers.
 */
final class SlowHeadersGuard implements Connection.Listener, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SlowHeadersGuard.class);

    private static final long NOT_IN_HEADERS = Long.MIN_VALUE;

    private final ObjectProvider<GatewayProperties> properties;

    private final ObjectProvider<MeterRegistry> registry;

    /** Resolved when the context starts, before the first sweep. */
    private volatile long timeoutNanos;

    private volatile Counter closed;

    private volatile boolean running;

    /**
     * Open HTTP/1.1 connections → since when (nanoTime) the current request has been in
     * its headers.
     */
    private final Map<HttpConnection, Long> connections = new ConcurrentHashMap<>();

    /**
     * Created on each start (a context may be stopped and started again), shut down on
     * stop.
     */
    private ScheduledExecutorService sweeper;

    /**
     * The settings and the registry are looked up when the context starts: the guard is
     * created with the web server, before the rest of the context, and binding the
     * settings that early would miss what is only known later (such as a test's API URL).
     */
    SlowHeadersGuard(ObjectProvider<GatewayProperties> properties, ObjectProvider<MeterRegistry> registry) {
        this.properties = properties;
        this.registry = registry;
    }

    @Override
    public void start() {
        timeoutNanos = properties.getObject().http().headerTimeout().toNanos();
        closed = Counter.builder("gateway.http.slow.headers.closed")
            .description("Connections closed because they sent a request's headers too slowly")
            .register(registry.getObject());
        sweeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("http-header-guard"));
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        running = true;
    }

    @Override
    public void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            connections.put(http, NOT_IN_HEADERS);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof HttpConnection http) {
            connections.remove(http);
        }
    }

    /** On the sweeper thread. */
    void sweep() {
        long now = System.nanoTime();
        connections.replaceAll((connection, since) -> {
            HttpParser parser = connection.getParser();
            boolean inHeaders = parser.inHeaderState() && !parser.isStart();
            if (!inHeaders) {
                return NOT_IN_HEADERS;
            }
            if (since == NOT_IN_HEADERS) {
                return now;
            }
            if (now - since > timeoutNanos) {
                closed.increment();
                log.debug("Closing {}: no complete request headers after {} ms",
                        connection.getEndPoint().getRemoteSocketAddress(), TimeUnit.NANOSECONDS.toMillis(now - since));
                connection.getEndPoint().close();
            }
            return since;
        });
    }

}
