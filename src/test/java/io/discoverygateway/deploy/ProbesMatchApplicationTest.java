package io.discoverygateway.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Deployment's probes and ports are the ones the application serves: the gateway is
 * started with the Deployment's environment, and each probe's path is requested on the
 * port its port name stands for.
 */
class ProbesMatchApplicationTest {

    private final Manifests base = Manifests.files(Manifests.ROOT.resolve("base"));

    @Test
    void theHttpPortIsTheApplicationsServerPort() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yaml"));

        assertThat(containerPort("http")).isEqualTo(Integer.parseInt(yaml.getObject().getProperty("server.port")));
    }

    @Test
    void actuatorHasItsOwnPortByDefaultTheOneTheDeploymentConfigures() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yaml"));

        assertThat(yaml.getObject().getProperty("management.server.port"))
            .isNotEqualTo(yaml.getObject().getProperty("server.port"))
            .isEqualTo(Integer.toString(containerPort("management")));
    }

    @Test
    void everyProbeAnswersOnTheManagementPortTheDeploymentConfigures() throws Exception {
        int management = containerPort("management");
        assertThat(base.environment("demo").get("MANAGEMENT_SERVER_PORT")).isEqualTo(Integer.toString(management));
        assertThat(isFree(management)).as("port %s free for this test", management).isTrue();
        HttpClient http = HttpClient.newHttpClient();

        try (EmbeddedKubernetesApi api = EmbeddedKubernetesApi.start();
                DeployedGateway gateway = DeployedGateway.start(base, "demo", api, Map.of())) {
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                Map<String, Object> httpGet = httpGet(probe);
                int port = containerPort(String.valueOf(httpGet.get("port")));
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + httpGet.get("path"))).build(),
                        HttpResponse.BodyHandlers.ofString());

                assertThat(response.statusCode()).as("%s %s", probe, httpGet).isIn(200, 503);
                assertThat(response.body()).as(probe).contains("\"status\"");
                assertThat(response.headers().firstValue("X-Content-Type-Options")).as(probe).hasValue("nosniff");
            }
            HttpResponse<String> apiOnManagement = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + management + "/api/v1/services")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(apiOnManagement.statusCode()).as("the API is not on the management port").isEqualTo(404);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> httpGet(String probe) {
        return (Map<String, Object>) ((Map<String, Object>) base.container().get(probe)).get("httpGet");
    }

    @SuppressWarnings("unchecked")
    private int containerPort(String name) {
        return ((List<Map<String, Object>>) base.container().get("ports")).stream()
            .filter(port -> name.equals(port.get("name")))
            .map(port -> (Integer) port.get("containerPort"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

}
