package io.discoverygateway.realkube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.discoverygateway.deploy.GatewayRbac;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * Runs the gateway of a Spring test context on the shared {@link RealCluster} as it is
 * deployed: with its own ServiceAccount (in a namespace of its own) and exactly the RBAC
 * objects of the {@code k8s/} layout that its configuration corresponds to
 * ({@link GatewayRbac}), authenticating with a token from the TokenRequest API in a file
 * (re-read as the kubelet's projected token is), and verifying the API server's
 * certificate against the cluster's CA. The namespaces the test configures
 * ({@code gateway.namespaces}) are the test's logical names, each mapped to a namespace
 * of this context.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RealClusterConfiguration {

    @Bean
    RealTestCluster testCluster() {
        return new RealTestCluster(RealCluster.shared());
    }

    @Bean
    DynamicPropertyRegistrar realClusterConnection(RealTestCluster cluster, Environment environment) {
        boolean allNamespaces = environment.getProperty("gateway.all-namespaces", Boolean.class, false);
        GatewayRbac.Layout layout = new GatewayRbac.Layout(allNamespaces,
                "kubernetes".equals(environment.getProperty("gateway.auth.mode")),
                environment.getProperty("gateway.pod-metadata.enabled", Boolean.class, false));
        String gatewayNamespace = cluster.namespace("discovery-gateway");
        List<String> watched = Arrays
            .stream(environment.getProperty("gateway.namespaces", String[].class, new String[0]))
            .map(cluster::namespace)
            .toList();
        GatewayRbac.apply(cluster.admin(), layout, gatewayNamespace,
                watched.isEmpty() ? List.of(gatewayNamespace) : watched);
        Path tokenFile = writeToken(cluster, gatewayNamespace);
        return registry -> {
            registry.add("gateway.kubernetes.api-url", () -> cluster.cluster().url().toString());
            registry.add("gateway.kubernetes.ca-file", () -> cluster.cluster().caCertificate().toString());
            registry.add("gateway.kubernetes.token-file", tokenFile::toString);
            // The gateway's own namespace, as the downward API gives it in a pod
            // (k8s/base).
            registry.add("spring.cloud.kubernetes.client.namespace", () -> gatewayNamespace);
            if (!watched.isEmpty()) {
                registry.add("gateway.namespaces", () -> String.join(",", watched));
            }
        };
    }

    private static Path writeToken(RealTestCluster cluster, String gatewayNamespace) {
        String token = cluster.token(gatewayNamespace, "discovery-gateway", List.of(), Duration.ofHours(2));
        try {
            Path file = cluster.cluster().logs().getParent().resolve("tokens").resolve(gatewayNamespace);
            Files.createDirectories(file.getParent());
            Files.writeString(file, token);
            return file;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
