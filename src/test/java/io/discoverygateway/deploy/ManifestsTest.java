package io.discoverygateway.deploy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every manifest is a valid object of the official Java client's typed models: the
 * models' own strict validation rejects unknown fields and missing required ones.
 * Overlays render with {@code kubectl kustomize}.
 */
class ManifestsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("ServiceAccount", V1ServiceAccount.class), Map.entry("Role", V1Role.class),
            Map.entry("RoleBinding", V1RoleBinding.class), Map.entry("ClusterRole", V1ClusterRole.class),
            Map.entry("ClusterRoleBinding", V1ClusterRoleBinding.class), Map.entry("Deployment", V1Deployment.class),
            Map.entry("Service", V1Service.class), Map.entry("PodDisruptionBudget", V1PodDisruptionBudget.class),
            Map.entry("NetworkPolicy", V1NetworkPolicy.class), Map.entry("ConfigMap", V1ConfigMap.class),
            Map.entry("CustomResourceDefinition", io.kubernetes.client.openapi.models.V1CustomResourceDefinition.class),
            Map.entry("Namespace", io.kubernetes.client.openapi.models.V1Namespace.class),
            Map.entry("Secret", io.kubernetes.client.openapi.models.V1Secret.class));

    @Test
    void everyManifestFileIsAValidTypedObject() throws IOException {
        try (Stream<Path> folders = Files.walk(Manifests.ROOT)) {
            List<Path> directories = folders.filter(Files::isDirectory).toList();
            int checked = 0;
            for (Path folder : directories) {
                for (Map<String, Object> object : Manifests.files(folder).all()) {
                    assertValid(object);
                    checked++;
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(10);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/multi-namespace", "overlays/cluster-wide", "overlays/pod-metadata" })
    void renderedKustomizationsAreValidTypedObjects(String folder) {
        assumeTrue(Manifests.kubectlAvailable(), "kubectl is not installed here: overlays are not rendered");

        Manifests rendered = Manifests.rendered(folder);

        assertThat(rendered.all()).isNotEmpty().allSatisfy(ManifestsTest::assertValid);
        assertThat(rendered.ofKind("Deployment")).hasSize(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theXdsComponentOpensTheXdsPortOnTheContainerTheServiceAndTheNetworkPolicy() {
        assumeTrue(Manifests.kubectlAvailable(), "kubectl is not installed here: the component is not rendered");

        Manifests rendered = Manifests.baseWith("xds", "consumer-auth");

        assertThat(rendered.all()).allSatisfy(ManifestsTest::assertValid);
        assertThat((List<Map<String, Object>>) rendered.container().get("ports")).anySatisfy(port -> {
            assertThat(port.get("name")).isEqualTo("xds");
            // The gateway's default gateway.xds.port.
            assertThat(port.get("containerPort")).isEqualTo(18000);
        });
        assertThat(rendered.environment("from-the-pod")).containsEntry("GATEWAY_XDS_ENABLED", "true")
            .containsEntry("GATEWAY_AUTH_MODE", "kubernetes");
        assertThat(rendered.ofKind("Service").get(0).get("spec")).asString()
            .contains("name=grpc-xds", "targetPort=xds", "appProtocol=grpc");
        assertThat(rendered.ofKind("NetworkPolicy").get(0).get("spec")).asString().contains("port=xds");
    }

    @Test
    void theExampleGrpcBootstrapPointsAtTheGatewaysXdsPort() throws IOException {
        Map<String, Object> configMap = Manifests.files(Manifests.ROOT.resolve("examples")).ofKind("ConfigMap").get(0);
        String bootstrap = String.valueOf(((Map<?, ?>) configMap.get("data")).get("bootstrap.json"));

        var json = JSON.readTree(bootstrap);
        assertThat(json.at("/xds_servers/0/server_uri").asString()).endsWith(":18000");
        assertThat(json.at("/xds_servers/0/server_features/0").asString()).isEqualTo("xds_v3");
        assertThat(json.at("/node/id").asString()).isNotBlank();
    }

    @Test
    void theContainerIsHardened() {
        Map<String, Object> container = Manifests.files(Manifests.ROOT.resolve("base")).container();

        assertThat(container.get("securityContext")).asString()
            .contains("readOnlyRootFilesystem=true", "allowPrivilegeEscalation=false", "drop=[ALL]");
        assertThat(Manifests.files(Manifests.ROOT.resolve("base")).deployment().toString())
            .contains("runAsNonRoot=true", "RuntimeDefault", "serviceAccountName=discovery-gateway", "mountPath=/tmp");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTlsComponentMountsTheCertificatesSecretWhereTheGatewayReadsItAndTurnsTlsOn() {
        assumeTrue(Manifests.kubectlAvailable(), "kubectl is not installed here: the component is not rendered");

        Manifests rendered = Manifests.baseWith("xds", "tls");

        Map<String, Object> certificate = rendered.ofKind("Certificate").get(0);
        String secretName = String.valueOf(((Map<String, Object>) certificate.get("spec")).get("secretName"));
        assertThat(rendered.deployment().toString()).contains("secretName=" + secretName);
        assertThat((List<Map<String, Object>>) rendered.container().get("volumeMounts")).anySatisfy(mount -> {
            // Where the gateway reads the files by default (gateway.tls.directory).
            assertThat(mount.get("mountPath")).isEqualTo(io.discoverygateway.GatewayProperties.Tls.DEFAULT_DIRECTORY);
            assertThat(mount.get("readOnly")).isEqualTo(true);
        });
        assertThat(rendered.environment("from-the-pod")).containsEntry("GATEWAY_TLS_ENABLED", "true")
            .containsEntry("GATEWAY_TLS_CLIENT_AUTH", "want");
        assertThat(((Map<String, Object>) certificate.get("spec")).get("dnsNames")).asString()
            .contains("discovery-gateway.discovery-gateway.svc");
        // The probes stay on the plain management port.
        assertThat(rendered.container().get("readinessProbe")).asString().contains("port=management");
    }

    private static void assertValid(Map<String, Object> object) {
        if (String.valueOf(object.get("apiVersion")).startsWith("monitoring.coreos.com/")) {
            // Prometheus Operator resources have no model in the Kubernetes client:
            // PrometheusOperatorTest.
            return;
        }
        if (String.valueOf(object.get("apiVersion")).startsWith("cert-manager.io/")) {
            // cert-manager's Certificate has no model in the Kubernetes client: checked
            // by the TLS component test.
            assertThat(object.get("kind")).isEqualTo("Certificate");
            return;
        }
        String kind = String.valueOf(object.get("kind"));
        Class<?> model = MODELS.get(kind);
        assertThat(model).as("a typed model for kind %s", kind).isNotNull();
        JsonElement json = JsonParser.parseString(JSON.writeValueAsString(object));
        assertThatCode(() -> {
            Method validate = model.getMethod("validateJsonElement", JsonElement.class);
            try {
                validate.invoke(null, json);
            }
            catch (java.lang.reflect.InvocationTargetException ex) {
                throw ex.getCause();
            }
        }).as("%s %s", kind, object.get("metadata")).doesNotThrowAnyException();
    }

}
