package io.discoverygateway.liveview;

import java.time.Duration;
import java.util.List;

import io.discoverygateway.Browser;
import io.discoverygateway.GatewayTest;
import io.discoverygateway.clusterset.RemoteCluster;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.FaultProxy;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live view of a cluster set, in a real browser: the clusters with their state, and
 * each endpoint of a service exported by two clusters with its cluster.
 */
@GatewayTest(
        properties = { "gateway.namespaces=shop", "gateway.clusterset.enabled=true", "gateway.clusterset.name=east" })
@DirtiesContext
class ClusterSetLiveViewTest {

    private static final RemoteCluster WEST = RemoteCluster.start("west");

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKubernetesApi east;

    private Browser browser;

    @DynamicPropertySource
    static void remote(DynamicPropertyRegistry registry) {
        WEST.register(registry, 0);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
        WEST.proxy().mode(FaultProxy.Mode.PASS);
    }

    @AfterAll
    static void stopRemote() {
        WEST.close();
    }

    @Test
    void theClusterSetViewShowsTheClustersAndEachEndpointsCluster() {
        east.create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "web"));
        east.create(ApiResource.ENDPOINT_SLICES, "shop",
                KubeObjects.slice("shop", "web-1", "web", List.of(EndpointSpec.ready("10.1.0.1"))));
        east.create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "web"));
        WEST.api().create(ApiResource.SERVICES, "shop", KubeObjects.service("shop", "web"));
        WEST.api()
            .create(ApiResource.ENDPOINT_SLICES, "shop",
                    KubeObjects.slice("shop", "web-1", "web", List.of(EndpointSpec.ready("10.2.0.1"))));
        WEST.api().create(ApiResource.SERVICE_EXPORTS, "shop", KubeObjects.serviceExport("shop", "web"));
        browser = Browser.start(1280, 900);

        browser.open("http://localhost:" + port + "/?view=clusterset");
        browser.await(Duration.ofSeconds(10),
                d -> "2".equals(browser.find("details.service[data-key='shop/web']").getDomAttribute("data-ready")));
        // A small catalog opens with every service's endpoints showing.
        browser.await(Duration.ofSeconds(5), d -> browser.count("tr.endpoint[data-cluster='west']") == 1);
        browser.await(Duration.ofSeconds(10), d -> browser.count("#clusters li.cluster") == 2);
        browser.screenshot("live-view-clusterset");

        assertThat(browser.find("tr.endpoint[data-cluster='east']").getText()).contains("10.1.0.1");
        assertThat(browser.find("#clusters li[data-cluster='east']").getText()).contains("this cluster");
        assertThat(browser.find("#clusters li[data-cluster='west']").getDomAttribute("data-state"))
            .isEqualTo("current");
        assertThat(browser.find("#view-set").getDomAttribute("aria-current")).isEqualTo("page");
        assertThat(browser.find("#labels-filter").isDisplayed()).as("cluster-set services have no labels").isFalse();

        WEST.proxy().mode(FaultProxy.Mode.REFUSE);
        WEST.proxy().dropConnections();
        browser.await(Duration.ofSeconds(15),
                d -> "stale".equals(browser.find("#clusters li[data-cluster='west']").getDomAttribute("data-state")));
    }

}
