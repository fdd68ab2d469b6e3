package io.discoverygateway.health;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every query of the Grafana dashboard and every alerting rule names metrics that the
 * running gateway exports, so a renamed metric breaks this test rather than an operator's
 * dashboard.
 */
@GatewayTest(properties = "gateway.namespaces=dashboard")
class DashboardMetricsTest {

    private static final Path COMPONENT = Path.of("k8s/components/prometheus-operator");

    /** PromQL words that are not metric names. */
    private static final Set<String> PROMQL = Set.of("sum", "max", "min", "avg", "count", "rate", "increase",
            "histogram_quantile", "by", "without", "on", "ignoring", "and", "or", "unless", "le", "up", "bool",
            "offset", "group_left", "group_right", "topk", "bottomk", "abs", "irate", "delta", "deriv");

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Test
    void everyQueryNamesAMetricTheGatewayExports() throws Exception {
        GatewayClient gateway = new GatewayClient(port, managementPort);
        gateway.get("/api/v1/services");
        JsonNode dashboard = GatewayClient
            .parse(Files.readString(COMPONENT.resolve("dashboards/discovery-gateway.json")));
        Set<String> queried = new TreeSet<>();
        dashboard.findValues("expr").forEach(expr -> queried.addAll(metricNames(expr.asString())));
        Files.readString(COMPONENT.resolve("rules.yaml"))
            .lines()
            .filter(line -> line.strip().startsWith("expr:"))
            .forEach(line -> queried.addAll(metricNames(line.substring(line.indexOf(':') + 1))));

        assertThat(queried).hasSizeGreaterThan(10);
        // A request's timer is recorded once its answer has been sent: the first scrape
        // may come before it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(exported(gateway)).containsAll(queried));
    }

    private static Set<String> exported(GatewayClient gateway) {
        return gateway.get("/actuator/prometheus")
            .body()
            .lines()
            .filter(line -> !line.startsWith("#") && !line.isBlank())
            .map(line -> line.split("[{ ]", 2)[0])
            .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The metric names in a PromQL expression: identifiers outside label matchers,
     * groupings and ranges.
     */
    static Set<String> metricNames(String expression) {
        String bare = expression.replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("(by|without)\\s*\\([^)]*\\)", " ")
            .replaceAll("\"[^\"]*\"", " ");
        Set<String> names = new TreeSet<>();
        Matcher matcher = IDENTIFIER.matcher(bare);
        while (matcher.find()) {
            String word = matcher.group();
            if (!PROMQL.contains(word) && !word.matches("\\d.*")) {
                names.add(word);
            }
        }
        return names;
    }

}
