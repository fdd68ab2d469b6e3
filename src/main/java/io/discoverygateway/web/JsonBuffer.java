package io.discoverygateway.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * Composes a JSON answer from JSON encoded beforehand (a snapshot's document, a summary,
 * an instance list) and a few fields of its own, without decoding and encoding those
 * again: the one place where the surfaces put JSON together by hand. Commas and nesting
 * are its concern; names and string values are escaped with Jackson's encoder.
 *
 * <p>
 * Threads: one request's, not shared.
 */
public final class JsonBuffer {

    private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();

    private final ByteArrayOutputStream out;

    /**
     * Per open object or array: whether the next member is its first (no comma before
     * it).
     */
    private final Deque<Boolean> firstMember = new ArrayDeque<>();

    /** A name was written and its value comes next (no comma before the value). */
    private boolean afterName;

    public JsonBuffer(int expectedSize) {
        this.out = new ByteArrayOutputStream(expectedSize);
    }

    public JsonBuffer beginObject() {
        separate();
        out.write('{');
        firstMember.push(true);
        return this;
    }

    public JsonBuffer endObject() {
        firstMember.pop();
        out.write('}');
        return this;
    }

    public JsonBuffer beginArray() {
        separate();
        out.write('[');
        firstMember.push(true);
        return this;
    }

    public JsonBuffer endArray() {
        firstMember.pop();
        out.write(']');
        return this;
    }

    /** A member's name; its value follows. */
    public JsonBuffer name(String name) {
        separate();
        quoted(name);
        out.write(':');
        afterName = true;
        return this;
    }

    public JsonBuffer field(String name, String value) {
        name(name);
        separate();
        quoted(value);
        return this;
    }

    public JsonBuffer field(String name, long value) {
        name(name);
        separate();
        out.writeBytes(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    public JsonBuffer field(String name, boolean value) {
        name(name);
        separate();
        out.writeBytes((value ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    /** A value that is JSON already (an object, an array...), written as it is. */
    public JsonBuffer raw(byte[] json) {
        separate();
        out.writeBytes(json);
        return this;
    }

    /**
     * The elements of a JSON array encoded beforehand, without its brackets
     * ({@code {..},{..}}), as members of the open array; nothing when there are none.
     */
    public JsonBuffer elements(byte[] elements) {
        if (elements.length > 0) {
            raw(elements);
        }
        return this;
    }

    /**
     * A JSON object encoded beforehand, with more members added before its closing brace.
     */
    public static byte[] withMembers(byte[] object, java.util.function.Consumer<JsonBuffer> members) {
        JsonBuffer buffer = new JsonBuffer(object.length + 64);
        buffer.out.write(object, 0, object.length - 1);
        buffer.firstMember.push(object.length == 2);
        members.accept(buffer);
        return buffer.endObject().toByteArray();
    }

    public byte[] toByteArray() {
        if (!firstMember.isEmpty()) {
            throw new IllegalStateException(firstMember.size() + " object(s) or array(s) left open");
        }
        return out.toByteArray();
    }

    /**
     * The comma before a member, unless it is the first of its container or the value of
     * a name.
     */
    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (!firstMember.isEmpty()) {
            if (!firstMember.pop()) {
                out.write(',');
            }
            firstMember.push(false);
        }
    }

    private void quoted(String text) {
        out.write('"');
        out.writeBytes(ESCAPE.quoteAsUTF8(text));
        out.write('"');
    }

}
