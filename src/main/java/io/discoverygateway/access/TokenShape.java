package io.discoverygateway.access;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Whether a bearer token can be a Kubernetes ServiceAccount token at all (a signed JWT in
 * compact form, about a kilobyte), decided without asking anyone: so that garbage sent by
 * unauthenticated clients never costs a TokenReview, which the API server's priority and
 * fairness would otherwise charge to the gateway's own ServiceAccount. A pure rule.
 */
final class TokenShape {

    /**
     * ServiceAccount tokens are about 1 KB; one with many audiences and extras stays far
     * below this.
     */
    static final int MAX_LENGTH = 16 * 1024;

    private static final int MIN_LENGTH = 32;

    private TokenShape() {
    }

    /** Why the token cannot be a ServiceAccount token, or null when it may be one. */
    static String problem(String token) {
        if (token.length() < MIN_LENGTH || token.length() > MAX_LENGTH) {
            return "it is not a ServiceAccount token (a JWT): its length is " + token.length();
        }
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.length() - 1 || token.indexOf('.', second + 1) >= 0) {
            return "it is not a ServiceAccount token: a JWT has three dot-separated parts";
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean base64url = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
                    || c == '_' || c == '.';
            if (!base64url) {
                return "it is not a ServiceAccount token: a JWT is base64url text";
            }
        }
        try {
            String header = new String(Base64.getUrlDecoder().decode(token.substring(0, first)),
                    StandardCharsets.UTF_8);
            if (!header.startsWith("{") || !header.contains("\"alg\"")) {
                return "it is not a ServiceAccount token: a JWT's header names its algorithm";
            }
        }
        catch (IllegalArgumentException ex) {
            return "it is not a ServiceAccount token: a JWT's header is base64url JSON";
        }
        return null;
    }

}
