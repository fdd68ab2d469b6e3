package io.discoverygateway.realkube;

import io.discoverygateway.longpoll.LongPollContract;

/** The long-poll contract on a real kube-apiserver. */
@RealClusterGatewayTest(properties = { "gateway.namespaces=alpha,beta", "gateway.long-poll.max-wait=3s",
        "gateway.long-poll.default-wait=1500ms" })
class LongPollOnRealClusterTest extends LongPollContract {

}
