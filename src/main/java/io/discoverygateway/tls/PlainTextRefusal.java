package io.discoverygateway.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;

/**
 * In front of the TLS port's SslConnectionFactory: a connection that does not start with
 * a TLS handshake (a client sending plain HTTP to the https port) gets one plain-text 400
 * problem saying so, then the connection is closed, rather than a closed connection that
 * tells the client nothing.
 */
final class PlainTextRefusal extends DetectorConnectionFactory {

    private static final byte[] ANSWER;

    static {
        byte[] body = ("{\"title\":\"TLS required\",\"status\":400,\"detail\":\"This port serves TLS only: use https://"
                + " (the gateway's certificate is signed by the CA in its Secret's ca.crt)\"}")
            .getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        ANSWER = new byte[head.length + body.length];
        System.arraycopy(head, 0, ANSWER, 0, head.length);
        System.arraycopy(body, 0, ANSWER, head.length, body.length);
    }

    PlainTextRefusal(SslConnectionFactory tls) {
        super(tls);
    }

    /**
     * Not TLS: answer and close (only a TLS handshake is detected, so this is everything
     * else).
     */
    @Override
    protected void nextProtocol(Connector connector, EndPoint endPoint, ByteBuffer buffer) {
        endPoint.write(Callback.from(endPoint::close, failure -> endPoint.close()), ByteBuffer.wrap(ANSWER));
    }

}
