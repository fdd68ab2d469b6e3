package io.discoverygateway.clusterset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.FaultProxy;

/**
 * A remote cluster of a test's cluster set: an embedded Kubernetes API of its own, a
 * fault proxy in front of it, and the kubeconfig file that reaches it through the proxy,
 * as a Secret would hold it.
 */
public final class RemoteCluster implements AutoCloseable {

    private final String name;

    private final EmbeddedKubernetesApi api;

    private final FaultProxy proxy;

    private final Path kubeconfig;

    /** The bearer token the API demands, or null when it demands none. */
    private volatile String token;

    private RemoteCluster(String name, EmbeddedKubernetesApi api, FaultProxy proxy, Path kubeconfig) {
        this.name = name;
        this.api = api;
        this.proxy = proxy;
        this.kubeconfig = kubeconfig;
    }

    /** A remote cluster whose API demands no token. */
    public static RemoteCluster start(String name) {
        return start(name, null);
    }

    /**
     * A remote cluster whose API demands this bearer token (none when null), written in
     * its kubeconfig.
     */
    public static RemoteCluster start(String name, String token) {
        EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();
        FaultProxy proxy = FaultProxy.start(api.url());
        try {
            RemoteCluster remote = new RemoteCluster(name, api, proxy,
                    Files.createTempFile("kubeconfig-" + name + "-", ".yaml"));
            remote.rotateToken(token);
            if (token != null) {
                api.requireToken(() -> remote.token);
            }
            return remote;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * From now on the API demands this token, and the kubeconfig holds it (as when the
     * Secret it is mounted from is updated).
     */
    public void rotateToken(String next) {
        writeKubeconfig(kubeconfig, name, proxy.url().toString(), next);
        this.token = next;
    }

    /**
     * Writes the kubeconfig of a cluster named {@code name} whose API is at
     * {@code server}, with a bearer token (none when null).
     */
    public static void writeKubeconfig(Path file, String name, String server, String token) {
        try {
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: %1$s
                      cluster:
                        server: %2$s
                    users:
                    - name: %1$s
                      user: %3$s
                    contexts:
                    - name: %1$s
                      context:
                        cluster: %1$s
                        user: %1$s
                    current-context: %1$s
                    """.formatted(name, server, token == null ? "{}" : "{token: " + token + "}"));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Makes it the {@code index}-th remote cluster of a test gateway
     * ({@code gateway.clusterset.remotes[index]}).
     */
    public void register(org.springframework.test.context.DynamicPropertyRegistry registry, int index) {
        registry.add("gateway.clusterset.remotes[" + index + "].name", this::name);
        registry.add("gateway.clusterset.remotes[" + index + "].kubeconfig", () -> kubeconfig.toString());
    }

    public String name() {
        return name;
    }

    public EmbeddedKubernetesApi api() {
        return api;
    }

    public FaultProxy proxy() {
        return proxy;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    @Override
    public void close() {
        proxy.close();
        api.close();
        try {
            Files.deleteIfExists(kubeconfig);
        }
        catch (IOException ex) {
            // A temporary file: the system's cleanup takes it.
        }
    }

}
