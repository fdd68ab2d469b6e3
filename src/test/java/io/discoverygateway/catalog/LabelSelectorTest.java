package io.discoverygateway.catalog;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
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
}
