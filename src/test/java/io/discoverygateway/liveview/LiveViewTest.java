package io.discoverygateway.liveview;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.discoverygateway.Browser;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.LocalGatewayApplication;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.wire.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live view at {@code /}, in a real browser (headless Chromium), on the demo data.
 */
@GatewayTest(properties = "gateway.namespaces=demo,scale")
class LiveViewTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi api;

    private Browser browser;

    @BeforeEach
    void demoDataAndBrowser() {
        if (api.get(ApiResource.SERVICES, "demo", "checkout").isEmpty()) {
            LocalGatewayApplication.seed(api);
        }
        browser = Browser.start(1280, 900);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theDemoServicesAppearWithTheirEndpoints() {
        browser.open(base() + "/?namespace=demo");

        browser.await(Duration.ofSeconds(10),
                d -> "synced".equals(browser.find("#connection").getDomAttribute("data-state")));
        browser.await(Duration.ofSeconds(5), d -> browser.count("details.service") == 4);
        browser.screenshot("live-view-demo");

        assertThat(browser.find("details.service[data-key='demo/payments']").getDomAttribute("data-ready"))
            .isEqualTo("1");
        assertThat(browser.count("details.service[data-key='demo/payments'] tr.endpoint.state-notready")).isEqualTo(1);
        assertThat(browser.find("#summary").getText()).contains("4 services");
    }

    @Test
    void aChangeMadeInTheApiShowsWithinASecond() {
        browser.open(base() + "/?namespace=demo");
        browser.await(Duration.ofSeconds(10), d -> browser.count("details.service[data-key='demo/payments']") == 1);
        try {
            long written = System.nanoTime();
            payments(EndpointSpec.ready("10.244.2.21"));

            browser.await(Duration.ofSeconds(1), d -> "2"
                .equals(browser.find("details.service[data-key='demo/payments']").getDomAttribute("data-ready")));
            System.out.printf("A readiness change showed in the browser %d ms after the API write%n",
                    (System.nanoTime() - written) / 1_000_000);
            assertThat(browser.find("#timeline li").getText()).contains("demo/payments", "10.244.2.21 ready");
            browser.screenshot("live-view-change");
        }
        finally {
            payments(EndpointSpec.notReady("10.244.2.21"));
        }
    }

    @Test
    void aDeletedServiceDisappears() {
        api.create(ApiResource.SERVICES, "demo", KubeObjects.service("demo", "short-lived"));
        browser.open(base() + "/?namespace=demo");
        browser.await(Duration.ofSeconds(10), d -> browser.count("details.service[data-key='demo/short-lived']") == 1);

        api.delete(ApiResource.SERVICES, "demo", "short-lived");

        browser.await(Duration.ofSeconds(2), d -> browser.count("details.service[data-key='demo/short-lived']") == 0);
        assertThat(browser.find("#timeline li").getText()).contains("DELETED", "demo/short-lived");
    }

    @Test
    void aCutStreamShowsReconnectingAndRecovers() throws Exception {
        try (TcpProxy proxy = new TcpProxy(java.net.URI.create(base()))) {
            browser.open(proxy.url() + "/?namespace=demo");
            browser.await(Duration.ofSeconds(10),
                    d -> "synced".equals(browser.find("#connection").getDomAttribute("data-state")));

            proxy.refuse(true);
            proxy.cut();
            browser.await(Duration.ofSeconds(5),
                    d -> "reconnecting".equals(browser.find("#connection").getDomAttribute("data-state")));
            browser.screenshot("live-view-reconnecting");
            assertThat(browser.count("details.service")).as("the last view stays on screen").isEqualTo(4);
            proxy.refuse(false);

            browser.await(Duration.ofSeconds(20),
                    d -> "synced".equals(browser.find("#connection").getDomAttribute("data-state")));
        }
    }

    @Test
    void theFilterIsKeptInTheUrlAndApplied() {
        browser.open(base() + "/");
        browser.await(Duration.ofSeconds(10), d -> browser.count("details.service[data-key='demo/checkout']") == 1);

        browser.find("input[name=service]").sendKeys("payments");
        browser.find("#filter button[type=submit]").click();

        browser.await(Duration.ofSeconds(10),
                d -> browser.url().contains("service=payments") && browser.count("details.service") == 1);
        assertThat(browser.count("details.service[data-key='demo/payments']")).isEqualTo(1);
        assertThat(browser.find("input[name=service]").getDomProperty("value")).isEqualTo("payments");
    }

    @Test
    void aThousandServicesWithTenThousandEndpointsRenderInBoundedTime() {
        if (api.list(ApiResource.SERVICES, "scale").size() < 1000) {
            for (int s = 0; s < 1000; s++) {
                api.replace(ApiResource.SERVICES, "scale", KubeObjects.service("scale", "svc-" + s));
                List<EndpointSpec> endpoints = new ArrayList<>();
                for (int e = 0; e < 10; e++) {
                    endpoints.add(EndpointSpec.ready("10." + (s / 250) + "." + (s % 250) + "." + e));
                }
                api.replace(ApiResource.ENDPOINT_SLICES, "scale",
                        KubeObjects.slice("scale", "svc-" + s + "-1", "svc-" + s, endpoints));
            }
        }
        new GatewayClient(port).json("/api/v1/namespaces/scale/services");
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> new GatewayClient(port).json("/api/v1/namespaces/scale/services")
                .path("items")
                .size() == 1000);

        long started = System.nanoTime();
        browser.open(base() + "/?namespace=scale");
        browser.await(Duration.ofSeconds(20),
                d -> "1000".equals(browser.find("#summary").getDomAttribute("data-services")));
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("1,000 services with 10,000 endpoints rendered %d ms after the page was opened%n", millis);

        assertThat(browser.count("details.service")).isEqualTo(1000);
        assertThat(browser.find("#summary").getText()).contains("10000 endpoints");
        assertThat(millis).as("page open to 1,000 services shown").isLessThan(10_000);
    }

    @Test
    void atPhoneWidthNothingOverflowsSideways() {
        browser.close();
        browser = Browser.start(390, 844);
        browser.open(base() + "/?namespace=demo");
        browser.await(Duration.ofSeconds(10), d -> browser.count("details.service") == 4);
        browser.screenshot("live-view-phone");

        Object overflow = ((org.openqa.selenium.JavascriptExecutor) browser.driver())
            .executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(0);
    }

    private void payments(EndpointSpec second) {
        api.replace(ApiResource.ENDPOINT_SLICES, "demo", KubeObjects.slice("demo", "payments-x7k2p", "payments",
                List.of(EndpointSpec.ready("10.244.1.20"), second)));
    }

    private String base() {
        return "http://localhost:" + port;
    }

}
