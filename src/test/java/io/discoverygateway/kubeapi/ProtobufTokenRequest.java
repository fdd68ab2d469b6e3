package io.discoverygateway.kubeapi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the one protobuf body the embedded API must understand: the TokenRequest that
 * {@code kubectl create token} sends (kubectl's typed clients send protobuf, and
 * client-go does not fall back to JSON on a 415). The envelope is Kubernetes'
 * {@code k8s\0} magic and a {@code runtime.Unknown} (1: typeMeta {1: apiVersion, 2:
 * kind}, 2: raw); the raw TokenRequest's spec (field 2) holds {@code audiences} (1,
 * repeated) and {@code expirationSeconds} (4).
 */
final class ProtobufTokenRequest {

    private static final byte[] MAGIC = { 'k', '8', 's', 0 };

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProtobufTokenRequest() {
    }

    static boolean isProtobuf(byte[] body) {
        return body.length >= 4 && Arrays.equals(Arrays.copyOf(body, 4), MAGIC);
    }

    /** The TokenRequest as the JSON it stands for. */
    static ObjectNode toJson(byte[] body) {
        ObjectNode request = JSON.createObjectNode();
        byte[] raw = new byte[0];
        Reader envelope = new Reader(body, 4, body.length);
        while (envelope.more()) {
            int tag = (int) envelope.varint();
            if (tag == (1 << 3 | 2)) {
                Reader typeMeta = envelope.message();
                while (typeMeta.more()) {
                    int field = (int) typeMeta.varint();
                    String value = typeMeta.string();
                    request.put(field >> 3 == 1 ? "apiVersion" : "kind", value);
                }
            }
            else if (tag == (2 << 3 | 2)) {
                raw = envelope.bytes();
            }
            else {
                envelope.skip(tag);
            }
        }
        ObjectNode spec = request.putObject("spec");
        ArrayNode audiences = spec.putArray("audiences");
        Reader tokenRequest = new Reader(raw, 0, raw.length);
        while (tokenRequest.more()) {
            int tag = (int) tokenRequest.varint();
            if (tag != (2 << 3 | 2)) {
                tokenRequest.skip(tag);
                continue;
            }
            Reader specReader = tokenRequest.message();
            while (specReader.more()) {
                int field = (int) specReader.varint();
                if (field == (1 << 3 | 2)) {
                    audiences.add(specReader.string());
                }
                else if (field == (4 << 3)) {
                    spec.put("expirationSeconds", specReader.varint());
                }
                else {
                    specReader.skip(field);
                }
            }
        }
        return request;
    }

    /**
     * Protobuf wire format: varints and length-delimited fields over a slice of bytes.
     */
    private static final class Reader {

        private final byte[] bytes;

        private int position;

        private final int end;

        Reader(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.position = start;
            this.end = end;
        }

        boolean more() {
            return position < end;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = bytes[position++];
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        byte[] bytes() {
            int length = (int) varint();
            byte[] value = Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return value;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader message() {
            int length = (int) varint();
            Reader reader = new Reader(bytes, position, position + length);
            position += length;
            return reader;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> position += 8;
                case 2 -> {
                    // Not "position += varint()": that would add to the position from
                    // before the length was read.
                    int length = (int) varint();
                    position += length;
                }
                case 5 -> position += 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
            }
        }

    }

}
