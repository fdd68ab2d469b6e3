package io.discoverygateway.kubeapi;

import java.util.List;
import java.util.Map;

import io.discoverygateway.catalog.LabelSelector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's label-selector parser and the embedded API's own, written apart, agree on
 * the selectors of Kubernetes' documentation ("Labels and Selectors") for a spread of
 * label sets: a bug in either shows here instead of being mirrored by the fake.
 */
class LabelSelectorParityTest {

    private static final List<Map<String, String>> LABEL_SETS = List.of(Map.of(), Map.of("environment", "production"),
            Map.of("environment", "qa", "tier", "frontend"),
            Map.of("environment", "production", "tier", "backend", "partition", "customerA"),
            Map.of("environment", "dev", "tier", "cache"), Map.of("partition", "customerB", "track", "canary"),
            Map.of("app.kubernetes.io/name", "web", "environment", ""));

    @ParameterizedTest
    @ValueSource(strings = { "environment = production", "tier != frontend", "environment=production,tier!=frontend",
            "environment==production", "environment in (production, qa)", "tier notin (frontend, backend)", "partition",
            "!partition", "partition,environment notin (qa)", "app.kubernetes.io/name=web", "environment=",
            "environment in (production),tier in (backend,cache)", "" })
    void bothParsersSelectTheSameLabelSets(String selector) {
        LabelSelector gateway = LabelSelector.parse(selector);
        var fixture = FixtureLabelSelector.parse(selector);

        for (Map<String, String> labels : LABEL_SETS) {
            assertThat(fixture.test(labels)).as("%s on %s", selector, labels).isEqualTo(gateway.matches(labels));
        }
    }

}
