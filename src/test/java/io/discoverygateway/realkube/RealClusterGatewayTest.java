package io.discoverygateway.realkube;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.discoverygateway.GatewayTest;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AliasFor;

/**
 * A test of the running gateway on a random port, on the shared real cluster
 * ({@link RealClusterConfiguration}), started once the gateway is ready. Skipped, loudly,
 * where the real Kubernetes binaries cannot be built (no Go); in CI that fails instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RealClusterGatewayTest.RealClusterAvailable.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RealClusterConfiguration.class)
@ExtendWith(GatewayTest.AwaitReadiness.class)
public @interface RealClusterGatewayTest {

    /** Properties of the gateway for this test class, as {@code key=value}. */
    @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
    String[] properties() default {};

    /**
     * Disables the class where the real cluster cannot run (and fails in CI, where it
     * must).
     */
    final class RealClusterAvailable implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return RealCluster.available() ? ConditionEvaluationResult.enabled("real Kubernetes binaries built")
                    : ConditionEvaluationResult
                        .disabled("REAL-CLUSTER SUITE SKIPPED: " + RealKubeBinaries.locate().problem());
        }

    }

}
