package io.discoverygateway.liveview;

import java.time.Duration;
import java.util.List;

import io.discoverygateway.Browser;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.LocalGatewayApplication;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live view with consumer authentication: it asks for a token, and shows what the
 * token may read.
 */
@GatewayTest(properties = { "gateway.namespaces=demo", "gateway.auth.mode=kubernetes" })
class LiveViewAuthTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi api;

    @Test
    void thePageAsksForATokenAndThenShowsTheReadableServices() {
        if (api.get(ApiResource.SERVICES, "demo", "checkout").isEmpty()) {
            LocalGatewayApplication.seed(api);
        }
        String token = api.issueToken("demo", "demo-client", List.of("discovery-gateway"), Duration.ofMinutes(10));
        try (Browser browser = Browser.start(1280, 900)) {
            browser.open("http://localhost:" + port + "/?namespace=demo");
            browser.await(Duration.ofSeconds(10), d -> browser.find("#token-dialog").getDomAttribute("open") != null);
            assertThat(browser.find("#connection").getDomAttribute("data-state")).isEqualTo("unauthorized");

            browser.find("#token-input").sendKeys(token);
            browser.find("#token-ok").click();

            browser.await(Duration.ofSeconds(10), d -> browser.count("details.service") == 4);
            assertThat(browser.url()).as("the token never goes into the URL").doesNotContain(token.substring(0, 20));
        }
    }

}
