package io.discoverygateway.longpoll;

import io.discoverygateway.GatewayTest;

/** The long-poll contract on the embedded Kubernetes API. */
@GatewayTest(properties = { "gateway.namespaces=alpha,beta", "gateway.long-poll.max-wait=3s",
        "gateway.long-poll.default-wait=1500ms" })
class LongPollTest extends LongPollContract {

}
