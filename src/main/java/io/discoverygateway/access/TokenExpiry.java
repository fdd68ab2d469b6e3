package io.discoverygateway.access;

import java.time.Instant;
import java.util.Base64;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the {@code exp} claim of a JWT without checking anything: the TokenReview has
 * already vouched for the token; the expiry only bounds how long the gateway trusts that
 * review.
 */
final class TokenExpiry {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TokenExpiry() {
    }

    /** The token's expiry, or null when it is not a JWT with a numeric {@code exp}. */
    static Instant of(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode exp = JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).path("exp");
            return exp.isNumber() ? Instant.ofEpochSecond(exp.asLong()) : null;
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

}
