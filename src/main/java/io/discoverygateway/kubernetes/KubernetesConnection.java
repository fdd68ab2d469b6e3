package io.discoverygateway.kubernetes;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kubernetes.client.util.KubeConfig;

/**
 * Where the Kubernetes API is and who the gateway is there, found the way Spring Cloud
 * Kubernetes (and the Kubernetes client) look for it: an explicit URL, else the Pod's
 * ServiceAccount, else {@code $KUBECONFIG}, else {@code ~/.kube/config}. Used to fail
 * fast with a useful message when there is none (rather than talk to localhost:8080,
 * which is the gateway itself), to pick a namespace outside a cluster, and to say in one
 * log line what the gateway does. Never reveals a token: at most the subject it names.
 *
 * @param source how the API was found, for example "ServiceAccount", "kubeconfig
 * /home/me/.kube/config"
 * @param identity who the gateway is, for example
 * "system:serviceaccount:demo:discovery-gateway", or "unknown"
 * @param namespace the namespace of the kubeconfig's current context, if any
 */
record KubernetesConnection(String source, String identity, Optional<String> namespace) {

    static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private static final Pattern SUBJECT = Pattern.compile("\"sub\"\\s*:\\s*\"([^\"]*)\"");

    /**
     * Resolves the connection, or throws {@link MissingKubernetesConfigurationException}
     * when there is none.
     * @param apiUrl {@code gateway.kubernetes.api-url}, or null
     * @param tokenFile {@code gateway.kubernetes.token-file}, or null
     */
    static KubernetesConnection resolve(URI apiUrl, String tokenFile, Map<String, String> environment) {
        if (apiUrl != null) {
            return new KubernetesConnection("gateway.kubernetes.api-url",
                    tokenFile == null ? "anonymous (no token file)" : subject(Path.of(tokenFile)), Optional.empty());
        }
        if (environment.get("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(SERVICE_ACCOUNT.resolve("token"))) {
            return new KubernetesConnection("the Pod's ServiceAccount", subject(SERVICE_ACCOUNT.resolve("token")),
                    Optional.empty());
        }
        String kubeconfig = environment.get("KUBECONFIG");
        Path file = kubeconfig != null && !kubeconfig.isBlank()
                ? Path.of(kubeconfig.split(java.io.File.pathSeparator)[0])
                : Path.of(environment.getOrDefault("HOME", System.getProperty("user.home")), ".kube", "config");
        if (!Files.isReadable(file)) {
            throw new MissingKubernetesConfigurationException(file, kubeconfig != null);
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            KubeConfig config = KubeConfig.loadKubeConfig(reader);
            return new KubernetesConnection("kubeconfig " + file + ", context " + config.getCurrentContext(),
                    "the context's user", Optional.ofNullable(config.getNamespace()));
        }
        catch (IOException | RuntimeException ex) {
            throw new MissingKubernetesConfigurationException(file, kubeconfig != null);
        }
    }

    /** The subject of a ServiceAccount token (a JWT), without revealing the token. */
    static String subject(Path tokenFile) {
        try {
            String[] parts = Files.readString(tokenFile).strip().split("\\.");
            if (parts.length == 3) {
                String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                Matcher subject = SUBJECT.matcher(claims);
                if (subject.find()) {
                    return subject.group(1);
                }
            }
            return "the bearer token in " + tokenFile;
        }
        catch (IOException | IllegalArgumentException ex) {
            return "the bearer token in " + tokenFile + " (not readable yet)";
        }
    }

    /**
     * No way to reach a Kubernetes API was configured; start-up stops with a message that
     * says what to set.
     */
    static final class MissingKubernetesConfigurationException extends RuntimeException {

        private final Path kubeconfig;

        private final boolean fromEnvironment;

        MissingKubernetesConfigurationException(Path kubeconfig, boolean fromEnvironment) {
            super("No Kubernetes API configured: not in a cluster, and "
                    + (fromEnvironment ? "$KUBECONFIG (" + kubeconfig + ")" : kubeconfig) + " cannot be read");
            this.kubeconfig = kubeconfig;
            this.fromEnvironment = fromEnvironment;
        }

        Path kubeconfig() {
            return kubeconfig;
        }

        boolean fromEnvironment() {
            return fromEnvironment;
        }

    }
}
