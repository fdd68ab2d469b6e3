package io.discoverygateway.web;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class JsonBufferTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void fieldsRawValuesAndNestingComposeValidJson() {
        byte[] json = new JsonBuffer(64).beginObject()
            .field("epoch", "e\"1\n")
            .field("revision", 7)
            .field("stale", true)
            .name("items")
            .beginArray()
            .raw(bytes("{\"a\":1}"))
            .raw(bytes("[]"))
            .beginObject()
            .endObject()
            .elements(bytes(""))
            .elements(bytes("1,2"))
            .endArray()
            .name("empty")
            .beginArray()
            .endArray()
            .endObject()
            .toByteArray();

        assertThat(JSON.readTree(json)).isEqualTo(JSON.readTree(
                "{\"epoch\":\"e\\\"1\\n\",\"revision\":7,\"stale\":true,\"items\":[{\"a\":1},[],{},1,2],\"empty\":[]}"));
    }

    @Test
    void membersAreAddedToAnObjectEncodedBefore() {
        assertThat(new String(JsonBuffer.withMembers(bytes("{\"name\":\"a\"}"), json -> json.field("stale", true)),
                StandardCharsets.UTF_8))
            .isEqualTo("{\"name\":\"a\",\"stale\":true}");
        assertThat(
                new String(JsonBuffer.withMembers(bytes("{}"), json -> json.field("age", 3)), StandardCharsets.UTF_8))
            .isEqualTo("{\"age\":3}");
    }

    @Test
    void anUnclosedObjectIsAnErrorNotAnAnswer() {
        assertThatIllegalStateException().isThrownBy(() -> new JsonBuffer(8).beginObject().toByteArray());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
