package io.discoverygateway.kubernetes;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeyPatternsTest {

    @Test
    void aKeyIsKeptWhenAnIncludeMatchesAndNoExcludeDoes() {
        KeyPatterns patterns = new KeyPatterns(List.of("example.com/*", "team"), List.of("example.com/secret-*"));

        assertThat(patterns).accepts("example.com/owner", "team")
            .rejects("example.com/secret-token", "teams", "other.io/x");
    }

    @Test
    void dotsAndOtherRegexCharactersAreLiteral() {
        KeyPatterns patterns = new KeyPatterns(List.of("a.b/c+d"), List.of());

        assertThat(patterns).accepts("a.b/c+d").rejects("axb/c+d", "a.b/cd");
    }

}
