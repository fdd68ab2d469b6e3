package io.discoverygateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The {@code instanceId} of a service instance, as {@code /apps} and the client library
 * give it: the uid of the endpoint's target (its Pod), as Spring Cloud Kubernetes'
 * discovery server gives it. Where there is none (an endpoint without a targetRef, such
 * as one written by hand for an external address), the discovery server falls back to the
 * Service's uid, which makes every such instance of the Service share one id; here it is
 * a name-based UUID of the Service's uid, the address type and the address instead:
 * unique within the Service and the same on every request.
 */
public final class InstanceIds {

    private InstanceIds() {
    }

    public static String of(String targetUid, String serviceUid, String addressType, String address) {
        if (targetUid != null) {
            return targetUid;
        }
        return UUID.nameUUIDFromBytes((serviceUid + "/" + addressType + "/" + address).getBytes(StandardCharsets.UTF_8))
            .toString();
    }

}
