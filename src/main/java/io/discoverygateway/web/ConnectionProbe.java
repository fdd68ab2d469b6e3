package io.discoverygateway.web;

import java.io.IOException;
import java.util.function.BooleanSupplier;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Tells whether the client of a held request (a long-poll) has closed its connection. The servlet container notices
 * a closed connection only when it reads or writes, and a held request does neither; so this puts the request's
 * input in non-blocking mode and asks how much can be read without blocking. A request without a body has nothing
 * more to send: bytes (or the end of the stream, which the container reports as available so that the next read
 * fails) mean the client has closed, or is sending another request it should not have pipelined; either way the
 * wait can end.
 *
 * <p>Threads: asked by the long-poll thread only, while the request is held (async started, nobody else reading).
 */
public final class ConnectionProbe implements BooleanSupplier {

    private static final ReadListener NOTHING_TO_READ = new ReadListener() {

        @Override
        public void onDataAvailable() {
        }

        @Override
        public void onAllDataRead() {
        }

        @Override
        public void onError(Throwable error) {
        }
    };

    private final HttpServletRequest request;
    private boolean listening;

    public ConnectionProbe(HttpServletRequest request) {
        this.request = request;
    }

    @Override
    public boolean getAsBoolean() {
        if (!request.isAsyncStarted()) {
            return false;
        }
        try {
            ServletInputStream in = request.getInputStream();
            if (!listening) {
                in.setReadListener(NOTHING_TO_READ);
                listening = true;
            }
            return in.available() > 0;
        }
        catch (IOException | IllegalStateException ex) {
            return true;
        }
    }
}
