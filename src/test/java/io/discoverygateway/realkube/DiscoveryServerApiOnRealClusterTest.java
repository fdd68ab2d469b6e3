package io.discoverygateway.realkube;

import io.discoverygateway.compat.DiscoveryServerApiContract;

/** The Discovery Server API contract on a real kube-apiserver. */
@RealClusterGatewayTest(properties = "gateway.namespaces=alpha,beta")
class DiscoveryServerApiOnRealClusterTest extends DiscoveryServerApiContract {

}
