package io.discoverygateway.access;

import java.util.Optional;

/**
 * The token of an {@code Authorization} value (an HTTP header or gRPC call credentials),
 * by RFC 6750's rule: the scheme {@code Bearer} in any case, one space, and a token
 * without whitespace. A pure rule, the same for every surface.
 */
public final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private BearerToken() {
    }

    /** The token, or empty when the value is not {@code Bearer <token>}. */
    public static Optional<String> of(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        String token = authorization.substring(SCHEME.length()).strip();
        if (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace)) {
            return Optional.empty();
        }
        return Optional.of(token);
    }

}
