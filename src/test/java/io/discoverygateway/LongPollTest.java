package io.discoverygateway;

/** The long-poll contract on the embedded Kubernetes API. */
@GatewayTest(properties = { "gateway.namespaces=alpha,beta", "gateway.long-poll.max-wait=3s",
        "gateway.long-poll.default-wait=1500ms" })
class LongPollTest extends LongPollContract {

}
