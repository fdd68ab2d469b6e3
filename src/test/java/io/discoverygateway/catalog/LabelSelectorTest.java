package io.discoverygateway.catalog;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LabelSelectorTest {

    private static final Map<String, String> WEB = Map.of("tier", "web", "app.kubernetes.io/name", "shop");

    @Test
    void equalityAndInequalityRequirementsMatchLikeKubernetes() {
        assertThat(LabelSelector.parse("tier=web").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("tier==web").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("tier!=web").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("track!=canary").matches(WEB)).isTrue();
    }

    @Test
    void setRequirementsMatchLikeKubernetes() {
        assertThat(LabelSelector.parse("tier in (db, web)").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("tier notin (web)").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("app.kubernetes.io/name").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("!tier").matches(WEB)).isFalse();
    }

    @Test
    void allRequirementsMustHold() {
        assertThat(LabelSelector.parse("tier=web,app.kubernetes.io/name in (shop)").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("tier=web,!app.kubernetes.io/name").matches(WEB)).isFalse();
    }

    @Test
    void blankSelectsEverything() {
        assertThat(LabelSelector.parse(" ").isEverything()).isTrue();
        assertThat(LabelSelector.parse(null).matches(Map.of())).isTrue();
    }

    @Test
    void malformedSelectorsAreRejectedWithAReason() {
        assertThatIllegalArgumentException().isThrownBy(() -> LabelSelector.parse("tier in (web"))
            .withMessageContaining("unbalanced");
        assertThatIllegalArgumentException().isThrownBy(() -> LabelSelector.parse("-bad-=x"))
            .withMessageContaining("invalid label key");
        assertThatIllegalArgumentException().isThrownBy(() -> LabelSelector.parse("tier=no spaces"))
            .withMessageContaining("invalid label value");
        assertThatIllegalArgumentException().isThrownBy(() -> LabelSelector.parse("a=b,,c=d"))
            .withMessageContaining("empty requirement");
    }

    @Test
    void selectorsBeyondTheLimitsAreRejectedWithTheLimitNamed() {
        String manyRequirements = String.join(",",
                java.util.stream.IntStream.range(0, 1100).mapToObj(n -> "k" + n + "=v").toList());
        String manyValues = "tier in ("
                + String.join(",", java.util.stream.IntStream.range(0, 65).mapToObj(n -> "v" + n).toList()) + ")";

        assertThatThrownBy(() -> LabelSelector.parse(manyRequirements)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("too long");
        assertThatThrownBy(() -> LabelSelector.parse(String.join(",", java.util.Collections.nCopies(33, "a=b"))))
            .hasMessageContaining("33 requirements")
            .hasMessageContaining("at most 32");
        assertThatThrownBy(() -> LabelSelector.parse(manyValues)).hasMessageContaining("65 values")
            .hasMessageContaining("at most 64");
        assertThat(LabelSelector.parse(String.join(",", java.util.Collections.nCopies(32, "a=b"))).isEverything())
            .isFalse();
    }

}
