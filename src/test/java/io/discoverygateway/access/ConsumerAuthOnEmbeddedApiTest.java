package io.discoverygateway.access;

import io.discoverygateway.GatewayTest;

/** Consumer authentication's contract on the embedded Kubernetes API. */
@GatewayTest(
        properties = { "gateway.namespaces=team-a,team-b", "gateway.auth.mode=kubernetes", "gateway.auth.allow-ttl=1s",
                "gateway.auth.deny-ttl=1s", "gateway.auth.token-ttl=1s", "gateway.auth.recheck-interval=1s" })
class ConsumerAuthOnEmbeddedApiTest extends ConsumerAuthContract {

}
