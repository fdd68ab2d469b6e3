package io.discoverygateway.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee11.servlet.ServletApiRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Tells whether the client of a held request (a long-poll) has closed its connection. The
 * servlet container notices a closed connection only when it reads or writes, and a held
 * request does neither (Jetty stops reading a connection while its request is being
 * handled, and the servlet API says nothing of the socket); so this asks the connection's
 * endpoint for one byte without blocking. A request without a body has nothing more to
 * send: the end of the stream, a reset, or bytes (another request it should not have
 * pipelined) all mean the wait can end.
 *
 * <p>
 * Threads: asked by the long-poll thread only, while the request is held (async started,
 * nobody else reading).
 */
public final class ConnectionProbe implements BooleanSupplier {

    private final HttpServletRequest request;

    private final EndPoint endPoint;

    public ConnectionProbe(HttpServletRequest request) {
        this.request = request;
        this.endPoint = endPoint(request);
    }

    @Override
    public boolean getAsBoolean() {
        if (!request.isAsyncStarted()) {
            return false;
        }
        if (endPoint == null) {
            // Not a request Jetty received (a test's mock): nothing to probe.
            return false;
        }
        if (!endPoint.isOpen() || endPoint.isInputShutdown()) {
            return true;
        }
        try {
            ByteBuffer buffer = BufferUtil.allocate(1);
            return endPoint.fill(buffer) != 0;
        }
        catch (IOException ex) {
            return true;
        }
    }

    private static EndPoint endPoint(ServletRequest request) {
        ServletRequest current = request;
        while (current instanceof ServletRequestWrapper wrapper) {
            current = wrapper.getRequest();
        }
        if (current instanceof ServletApiRequest jetty) {
            return jetty.getRequest().getConnectionMetaData().getConnection().getEndPoint();
        }
        return null;
    }

}
