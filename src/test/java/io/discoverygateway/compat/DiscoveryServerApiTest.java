package io.discoverygateway.compat;

import io.discoverygateway.GatewayTest;

/** The Discovery Server API contract on the embedded Kubernetes API. */
@GatewayTest(properties = "gateway.namespaces=alpha,beta")
class DiscoveryServerApiTest extends DiscoveryServerApiContract {

}
