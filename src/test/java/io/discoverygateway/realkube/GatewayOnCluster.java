package io.discoverygateway.realkube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.deploy.GatewayRbac;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway process-in-JVM on a real cluster of a test's own (one it restarts or cuts),
 * deployed as k8s/base deploys it: its ServiceAccount in a namespace of its own, the base
 * Role and RoleBinding in the one namespace it watches, and a token file that the test
 * can rewrite (as the kubelet rotates a projected token).
 */
public final class GatewayOnCluster implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private final String namespace;

    private final String gatewayNamespace;

    private final Path tokenFile;

    private GatewayOnCluster(ConfigurableApplicationContext context, String namespace, String gatewayNamespace,
            Path tokenFile) {
        this.context = context;
        this.namespace = namespace;
        this.gatewayNamespace = gatewayNamespace;
        this.tokenFile = tokenFile;
    }

    /**
     * Starts a gateway that reaches the cluster's API at {@code apiUrl} (the cluster's
     * own, or a proxy in front of it) and watches a new namespace named after
     * {@code watched}.
     */
    public static GatewayOnCluster start(RealCluster cluster, URI apiUrl, String watched, Map<String, Object> extra) {
        String namespace = cluster.createNamespace(watched);
        Map<String, Object> properties = new LinkedHashMap<>(Map.of("gateway.namespaces", namespace));
        properties.putAll(extra);
        return start(cluster, apiUrl, new GatewayRbac.Layout(false, false, false), namespace, properties);
    }

    /**
     * Starts a gateway that watches an existing namespace of exactly this name, with the
     * base layout's RBAC there.
     */
    public static GatewayOnCluster startInNamespace(RealCluster cluster, String namespace, Map<String, Object> extra) {
        Map<String, Object> properties = new LinkedHashMap<>(Map.of("gateway.namespaces", namespace));
        properties.putAll(extra);
        return start(cluster, cluster.url(), new GatewayRbac.Layout(false, false, false), namespace, properties);
    }

    /**
     * A gateway watching every namespace, with the cluster-wide layout's RBAC (consumer
     * authentication stays off).
     */
    public static GatewayOnCluster startClusterWide(RealCluster cluster, Map<String, Object> extra) {
        Map<String, Object> properties = new LinkedHashMap<>(Map.of("gateway.all-namespaces", "true"));
        properties.putAll(extra);
        return start(cluster, cluster.url(), new GatewayRbac.Layout(true, false, false), "", properties);
    }

    private static GatewayOnCluster start(RealCluster cluster, URI apiUrl, GatewayRbac.Layout layout, String namespace,
            Map<String, Object> extra) {
        String gatewayNamespace = cluster.createNamespace("discovery-gateway");
        GatewayRbac.apply(cluster.admin(), layout, gatewayNamespace,
                namespace.isEmpty() ? List.of(gatewayNamespace) : List.of(namespace));
        Path tokenFile = cluster.logs().resolveSibling("tokens").resolve(gatewayNamespace);
        try {
            Files.createDirectories(tokenFile.getParent());
            Files.writeString(tokenFile,
                    cluster.token(gatewayNamespace, "discovery-gateway", List.of(), Duration.ofHours(1)));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Map<String, Object> properties = new LinkedHashMap<>(
                Map.of("gateway.kubernetes.api-url", apiUrl.toString(), "gateway.kubernetes.ca-file",
                        cluster.caCertificate().toString(), "gateway.kubernetes.token-file", tokenFile.toString(),
                        "server.port", "0", "management.server.port", "0", "spring.main.banner-mode", "off"));
        properties.putAll(extra);
        SpringApplication application = new SpringApplication(DiscoveryGatewayApplication.class);
        application.setDefaultProperties(Map.of());
        String[] arguments = properties.entrySet()
            .stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
        return new GatewayOnCluster(application.run(arguments), namespace, gatewayNamespace, tokenFile);
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** A client of its API and management ports. */
    public GatewayClient client() {
        return GatewayClient.of(context.getEnvironment());
    }

    /** The namespace it watches (empty when it watches all). */
    public String namespace() {
        return namespace;
    }

    /** Its ServiceAccount's user name, as the API server's audit log has it. */
    public String user() {
        return "system:serviceaccount:" + gatewayNamespace + ":discovery-gateway";
    }

    public String gatewayNamespace() {
        return gatewayNamespace;
    }

    public Path tokenFile() {
        return tokenFile;
    }

    @Override
    public void close() {
        context.close();
    }

}
