package io.discoverygateway.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.discoverygateway.kubeapi.Kubectl;
import io.discoverygateway.process.Commands;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The optional Prometheus Operator component: its alerting rules pass their unit tests in
 * promtool (Debian's {@code prometheus} package, which {@code .ci/run} installs), the
 * PrometheusRule carries exactly the tested rules, and the component renders onto the
 * base layout.
 */
class PrometheusOperatorTest {

    private static final Path COMPONENT = Manifests.ROOT.resolve("components/prometheus-operator");

    @Test
    void theAlertingRulesPassTheirPromtoolUnitTests() throws Exception {
        assumeTrue(Manifests.available("promtool", "--version"),
                "promtool is not installed here (apt-get install prometheus): the rules are not unit-tested");

        assertThat(run(COMPONENT, "promtool", "check", "rules", "rules.yaml")).contains("SUCCESS: 5 rules found");
        assertThat(run(COMPONENT, "promtool", "test", "rules", "rules-test.yaml")).contains("SUCCESS");
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusRuleCarriesExactlyTheTestedRules() throws IOException {
        Map<String, Object> rules = new Yaml().load(Files.readString(COMPONENT.resolve("rules.yaml")));
        Map<String, Object> resource = new Yaml().load(Files.readString(COMPONENT.resolve("prometheusrule.yaml")));

        assertThat(resource.get("kind")).isEqualTo("PrometheusRule");
        assertThat(((Map<String, Object>) resource.get("spec")).get("groups")).isEqualTo(rules.get("groups"));
    }

    @Test
    void theComponentRendersOntoTheBaseLayout() throws Exception {
        assumeTrue(Manifests.kubectlAvailable(), "kubectl is not installed here: the component is not rendered");
        Path overlay = Files.createDirectories(Path.of("target", "kustomize", "monitored"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../../k8s/base
                components:
                  - ../../../k8s/components/prometheus-operator
                """);

        String rendered = run(Path.of("."), Kubectl.executable(), "kustomize", overlay.toString());

        List<Map<String, Object>> objects = new java.util.ArrayList<>();
        new Yaml().loadAll(rendered).forEach(object -> objects.add(castMap(object)));
        assertThat(objects).extracting(object -> object.get("kind"))
            .contains("Deployment", "PodMonitor", "PrometheusRule", "ConfigMap");
        assertThat(rendered).contains("port: management")
            .contains("grafana_dashboard: \"1\"")
            .contains("namespace: discovery-gateway");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object object) {
        return (Map<String, Object>) object;
    }

    private static String run(Path directory, String... command) {
        Commands.Result result = Commands.run(List.of(command), directory, Map.of(), List.of(), Duration.ofSeconds(60));
        assertThat(result.exitCode()).as(String.join(" ", command) + ":\n" + result.output()).isZero();
        return result.output();
    }

}
