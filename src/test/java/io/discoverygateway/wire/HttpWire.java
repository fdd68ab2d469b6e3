package io.discoverygateway.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 on the wire for the tests' own clients and proxy, which read sockets
 * themselves to see exactly what is sent: lines ending in CRLF (or LF), and the chunked
 * transfer coding.
 */
public final class HttpWire {

    private HttpWire() {
    }

    /**
     * The next line without its line end, or null at the end of the stream (a last line
     * without one is kept).
     */
    public static String lineOrNull(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = buffer.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            buffer.write(b);
        }
        return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.UTF_8);
    }

    /** The next line; the end of the stream is an error. */
    public static String line(InputStream in) throws IOException {
        String line = lineOrNull(in);
        if (line == null) {
            throw new IOException("connection closed");
        }
        return line;
    }

    /**
     * Decodes the chunked transfer coding; ends with the last chunk or the connection.
     */
    public static final class Dechunked extends InputStream {

        private final InputStream in;

        private int remaining;

        private boolean done;

        public Dechunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (done) {
                return -1;
            }
            if (remaining == 0) {
                String size = lineOrNull(in);
                if (size != null && size.isEmpty()) {
                    // The CRLF that ends the previous chunk.
                    size = lineOrNull(in);
                }
                if (size == null) {
                    done = true;
                    return -1;
                }
                remaining = Integer.parseInt(size.split(";")[0].strip(), 16);
                if (remaining == 0) {
                    done = true;
                    return -1;
                }
            }
            int b = in.read();
            if (b == -1) {
                done = true;
                return -1;
            }
            remaining--;
            return b;
        }

    }

}
