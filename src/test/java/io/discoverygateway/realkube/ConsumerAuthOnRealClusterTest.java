package io.discoverygateway.realkube;

import io.discoverygateway.access.ConsumerAuthContract;

/**
 * Consumer authentication's contract on a real kube-apiserver: real TokenRequest,
 * TokenReview and SubjectAccessReview, the aggregated ClusterRoles view and edit, and the
 * consumer-auth component's RBAC.
 */
@RealClusterGatewayTest(
        properties = { "gateway.namespaces=team-a,team-b", "gateway.auth.mode=kubernetes", "gateway.auth.allow-ttl=1s",
                "gateway.auth.deny-ttl=1s", "gateway.auth.token-ttl=1s", "gateway.auth.recheck-interval=1s" })
class ConsumerAuthOnRealClusterTest extends ConsumerAuthContract {

}
