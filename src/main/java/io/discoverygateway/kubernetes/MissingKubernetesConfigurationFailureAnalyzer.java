package io.discoverygateway.kubernetes;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says what to configure when the gateway finds no Kubernetes API to talk to. */
public final class MissingKubernetesConfigurationFailureAnalyzer
        extends AbstractFailureAnalyzer<KubernetesConnection.MissingKubernetesConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure,
            KubernetesConnection.MissingKubernetesConfigurationException cause) {
        String description = "The gateway found no Kubernetes API to watch. It is not running in a Pod (no"
                + " KUBERNETES_SERVICE_HOST and ServiceAccount token), gateway.kubernetes.api-url is not set, and "
                + (cause.fromEnvironment() ? "the file named by $KUBECONFIG, " : "") + cause.kubeconfig()
                + " cannot be read. Without one it would talk to localhost:8080, which is usually the gateway itself.";
        String action = "Do one of: run it in a cluster (k8s/ has the manifests); set KUBECONFIG to a kubeconfig whose"
                + " user may list and watch services and endpointslices; or pass --gateway.kubernetes.api-url=<url>"
                + " (with --gateway.kubernetes.token-file=<file> for a bearer token). For a local try-out without a"
                + " cluster: ./mvnw spring-boot:test-run.";
        return new FailureAnalysis(description, action, cause);
    }

}
