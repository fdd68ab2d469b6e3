package io.discoverygateway.access;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** One rule for the token of an Authorization value, on the HTTP API and on xDS alike. */
class BearerTokenTest {

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', nullValues = "null",
            value = { "Bearer abc.def.ghi | abc.def.ghi", "bearer abc.def.ghi | abc.def.ghi",
                    "BEARER  abc.def.ghi  | abc.def.ghi", "Bearer abc def | null", "Bearer abc\tdef | null",
                    "Bearer | null", "Bearer    | null", "Basic dXNlcjpwYXNz | null", "Bearerabc | null",
                    "null | null" })
    void theTokenIsWhatFollowsTheBearerSchemeWithoutWhitespace(String authorization, String token) {
        assertThat(BearerToken.of(authorization)).isEqualTo(java.util.Optional.ofNullable(token));
    }

}
