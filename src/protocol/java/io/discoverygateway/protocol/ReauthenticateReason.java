package io.discoverygateway.protocol;

import java.util.Arrays;
import java.util.List;

/**
 * Why a stream ends with {@code REAUTHENTICATE}: its data is {@code {"reason":"<wire
 * name>"}}. {@link #ACCESS_REVOKED} is also the {@code reason} of the {@code DELETED}
 * events that withdraw the services of a namespace the consumer may no longer read.
 */
public enum ReauthenticateReason {

    /** The token's expiry passed. */
    TOKEN_EXPIRED("token-expired"),
    /** Kubernetes no longer accepts the token (its ServiceAccount was deleted, say). */
    TOKEN_REFUSED("token-refused"),
    /** The consumer may read none of the namespaces it asked for any more. */
    ACCESS_REVOKED("access-revoked");

    private final String wireName;

    ReauthenticateReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Every wire name, in declaration order (the OpenAPI enum). */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(ReauthenticateReason::wireName).toList();
    }

}
