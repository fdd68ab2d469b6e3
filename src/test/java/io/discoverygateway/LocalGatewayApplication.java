package io.discoverygateway;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.realkube.RealClusterGatewayApplication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Runs the gateway locally on the embedded Kubernetes API with demo data:
 * {@code ./mvnw spring-boot:test-run}; with {@code --real-cluster}
 * ({@code -Dspring-boot.run.arguments=--real-cluster}), on a real control plane built
 * from source ({@link RealClusterGatewayApplication}).
 */
public final class LocalGatewayApplication {

    private static final Logger log = LoggerFactory.getLogger(LocalGatewayApplication.class);

    /** The argument that runs the gateway on a real control plane instead. */
    static final String REAL_CLUSTER = "--real-cluster";

    private LocalGatewayApplication() {
    }

    public static void main(String[] args) throws IOException {
        if (Arrays.asList(args).contains(REAL_CLUSTER)) {
            RealClusterGatewayApplication
                .run(Arrays.stream(args).filter(arg -> !arg.equals(REAL_CLUSTER)).toArray(String[]::new));
            return;
        }
        EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start(Integer.getInteger("kubernetes-api.port", 0), 1000);
        seed(api);
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--gateway.kubernetes.api-url=" + api.url();
        all[args.length + 1] = "--gateway.namespaces=demo";
        SpringApplication.Running running = SpringApplication.from(DiscoveryGatewayApplication::main)
            .with(LocalConfiguration.class)
            .run(all);
        ConfigurableApplicationContext context = running.getApplicationContext();
        DemoActivity activity = new DemoActivity(api);
        if (context.getEnvironment().getProperty("demo.activity", Boolean.class, true)) {
            activity.start();
        }
        context.addApplicationListener((ContextClosedEvent event) -> activity.stop());
        // Closed with the beans, after the informers have stopped: they must not see the
        // API vanish first.
        ((DefaultListableBeanFactory) context.getBeanFactory()).registerDisposableBean("embeddedKubernetesApi",
                api::close);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        log.info("""

                Discovery gateway:       http://localhost:{0}
                  curl -s localhost:{0}/api/v1/namespaces/demo/services/checkout
                  curl -N localhost:{0}/api/v1/stream?namespace=demo
                Embedded Kubernetes API: {1}  (demo data in namespace 'demo'; a demo activity changes it every
                  few seconds, off with --demo.activity=false)
                  kubectl --server {1} -n demo get services,endpointslices
                  kubectl --server {1} -n demo apply --validate=false -f docs/examples/my-service.yaml
                """.replace("{0}", Integer.toString(port)).replace("{1}", api.url().toString()));
    }

    public static void seed(EmbeddedKubernetesApi api) {
        api.create(ApiResource.SERVICES, "demo", KubeObjects.service("demo", "checkout"));
        api.create(ApiResource.ENDPOINT_SLICES, "demo", KubeObjects.slice("demo", "checkout-abc12", "checkout",
                List.of(EndpointSpec.ready("10.244.1.10"), EndpointSpec.ready("10.244.2.11"))));
        api.create(ApiResource.SERVICES, "demo", KubeObjects.service("demo", "payments"));
        api.create(ApiResource.ENDPOINT_SLICES, "demo", KubeObjects.slice("demo", "payments-x7k2p", "payments",
                List.of(EndpointSpec.ready("10.244.1.20"), EndpointSpec.notReady("10.244.2.21"))));
        api.create(ApiResource.SERVICES, "demo", KubeObjects.service("demo", "inventory"));
        api.create(ApiResource.ENDPOINT_SLICES, "demo", KubeObjects.emptySlice("demo", "inventory-00000", "inventory"));
        api.create(ApiResource.SERVICES, "demo",
                KubeObjects.externalNameService("demo", "legacy-db", "db.legacy.example.com"));
        // A consumer for --gateway.auth.mode=kubernetes: kubectl create token demo-client
        // --audience discovery-gateway
        api.create(ApiResource.SERVICE_ACCOUNTS, "demo", KubeObjects.serviceAccount("demo", "demo-client"));
        api.create(ApiResource.ROLES, "demo",
                KubeObjects.role("demo", "discovery-gateway-reader", List.of(KubeObjects.Rule.listEndpointSlices())));
        api.create(ApiResource.ROLE_BINDINGS, "demo",
                KubeObjects.binding("demo", "demo-client", "Role", "discovery-gateway-reader", "demo", "demo-client"));
    }

    /**
     * Development-time additions to the gateway's own configuration (none yet besides the
     * arguments above).
     */
    @TestConfiguration(proxyBeanMethods = false)
    public static class LocalConfiguration {

    }

}
