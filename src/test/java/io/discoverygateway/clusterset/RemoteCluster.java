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

    private RemoteCluster(String name, EmbeddedKubernetesApi api, FaultProxy proxy, Path kubeconfig) {
        this.name = name;
        this.api = api;
        this.proxy = proxy;
        this.kubeconfig = kubeconfig;
    }

    public static RemoteCluster start(String name) {
        EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();
        FaultProxy proxy = FaultProxy.start(api.url());
        try {
            Path file = Files.createTempFile("kubeconfig-" + name + "-", ".yaml");
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: %1$s
                      cluster:
                        server: %2$s
                    users:
                    - name: %1$s
                      user: {}
                    contexts:
                    - name: %1$s
                      context:
                        cluster: %1$s
                        user: %1$s
                    current-context: %1$s
                    """.formatted(name, proxy.url()));
            return new RemoteCluster(name, api, proxy, file);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
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
