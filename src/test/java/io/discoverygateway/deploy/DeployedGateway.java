package io.discoverygateway.deploy;

import java.util.LinkedHashMap;
import java.util.Map;

import io.discoverygateway.DiscoveryGatewayApplication;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The gateway started as a manifest's Deployment would start it: its container
 * environment is bound the way environment variables are (relaxed binding), so a misspelt
 * variable in {@code k8s/} shows in the tests. Only the API URL (no ServiceAccount here)
 * and ports are overridden.
 */
final class DeployedGateway implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private DeployedGateway(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static DeployedGateway start(Manifests manifests, String podNamespace, EmbeddedKubernetesApi api,
            Map<String, Object> overrides) {
        Map<String, Object> withApi = new LinkedHashMap<>(overrides);
        withApi.putIfAbsent("gateway.kubernetes.api-url", api.url().toString());
        return start(manifests, podNamespace, withApi);
    }

    /**
     * Started with the manifests' environment and these overrides, which must say where
     * the API is.
     */
    static DeployedGateway start(Manifests manifests, String podNamespace, Map<String, Object> overrides) {
        StandardEnvironment environment = new StandardEnvironment();
        // Named like the real environment so that Spring Boot maps variable names exactly
        // as it does in a Pod.
        environment.getPropertySources()
            .addFirst(new SystemEnvironmentPropertySource("deployment-systemEnvironment",
                    manifests.environment(podNamespace)));
        Map<String, Object> test = new LinkedHashMap<>(Map.of("server.port", "0", "spring.main.banner-mode", "off"));
        test.putAll(overrides);
        environment.getPropertySources().addFirst(new MapPropertySource("test-overrides", test));
        SpringApplication application = new SpringApplication(DiscoveryGatewayApplication.class);
        application.setEnvironment(environment);
        return new DeployedGateway(application.run());
    }

    int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }

}
