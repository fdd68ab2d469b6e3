package io.discoverygateway.access;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tokens shaped like ServiceAccount tokens (a signed JWT of about half a kilobyte) that
 * no API issued, each new: what an unauthenticated client sends to make the gateway ask
 * the API about every one (a refused token is remembered for deny-ttl and would cost no
 * review).
 */
final class ForgedTokens {

    private static final AtomicInteger FORGERIES = new AtomicInteger();

    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private ForgedTokens() {
    }

    /** A new one, naming a ServiceAccount of this namespace. */
    static String next(String namespace) {
        String header = BASE64
            .encodeToString("{\"alg\":\"RS256\",\"kid\":\"forged\"}".getBytes(StandardCharsets.UTF_8));
        String claims = BASE64.encodeToString(("{\"sub\":\"system:serviceaccount:" + namespace + ":forged-"
                + FORGERIES.incrementAndGet() + "\",\"exp\":4102444800}")
            .getBytes(StandardCharsets.UTF_8));
        return header + "." + claims + "." + BASE64.encodeToString(new byte[256]);
    }

}
