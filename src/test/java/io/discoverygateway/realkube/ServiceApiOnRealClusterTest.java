package io.discoverygateway.realkube;

import io.discoverygateway.api.ServiceApiContract;

/** The native REST API's contract on a real kube-apiserver with its controllers. */
@RealClusterGatewayTest(properties = "gateway.namespaces=alpha,beta")
class ServiceApiOnRealClusterTest extends ServiceApiContract {

}
