package io.discoverygateway.access;

import java.time.Duration;
import java.util.List;

import io.discoverygateway.GatewayTest;
import io.discoverygateway.SseClient.Event;
import io.discoverygateway.SseClient;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deleted RoleBinding reaches the consumer's open streams within one recheck interval,
 * however long allow decisions are cached for requests (ten minutes here): the recheck
 * asks Kubernetes again.
 */
@GatewayTest(properties = { "gateway.namespaces=team-a,team-b", "gateway.auth.mode=kubernetes",
        "gateway.auth.allow-ttl=10m", "gateway.auth.recheck-interval=1s" })
class StreamRevocationTest {

    @LocalServerPort
    private int port;

    @Autowired
    private EmbeddedKubernetesApi api;

    @BeforeEach
    void services() {
        for (String namespace : List.of("team-a", "team-b")) {
            if (api.get(ApiResource.SERVICES, namespace, "web").isEmpty()) {
                api.create(ApiResource.SERVICES, namespace, KubeObjects.service(namespace, "web"));
            }
        }
    }

    @Test
    void aStreamLosesANamespaceWhoseBindingIsDeletedWithinARecheckDespiteALongAllowCache() throws Exception {
        String token = token("partial");
        api.grantListEndpointSlices("team-a", "team-a", "partial");
        api.grantListEndpointSlices("team-b", "team-a", "partial");

        try (SseClient stream = connect(token)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));
            api.delete(ApiResource.ROLE_BINDINGS, "team-b", "partial");

            stream.awaitEvent(e -> "DELETED".equals(e.type()) && e.data().contains("\"namespace\":\"team-b\""),
                    Duration.ofSeconds(5));
            assertThat(stream.namedEvents()).filteredOn(e -> "DELETED".equals(e.type()))
                .extracting(Event::data)
                .allMatch(data -> data.contains("access-revoked"))
                .noneMatch(data -> data.contains("team-a"));
            assertThat(stream.ended()).isFalse();
        }
    }

    @Test
    void aStreamWhoseOnlyBindingIsDeletedLosesEveryServiceAndEnds() throws Exception {
        String token = token("sole");
        api.grantListEndpointSlices("team-a", "team-a", "sole");

        try (SseClient stream = connect(token)) {
            stream.awaitNamed("SYNCED", Duration.ofSeconds(5));
            api.delete(ApiResource.ROLE_BINDINGS, "team-a", "sole");

            Event last = stream.awaitNamed("REAUTHENTICATE", Duration.ofSeconds(5));
            assertThat(last.data()).contains("\"reason\":\"access-revoked\"");
            assertThat(stream.namedEvents()).anyMatch(e -> "DELETED".equals(e.type())
                    && e.data().contains("\"namespace\":\"team-a\"") && e.data().contains("access-revoked"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(stream::ended);
        }
    }

    private SseClient connect(String token) throws Exception {
        return SseClient.connect(port, "/api/v1/stream", "Authorization", "Bearer " + token);
    }

    private String token(String account) {
        return api.issueToken("team-a", api.serviceAccount("team-a", account), List.of("discovery-gateway"),
                Duration.ofMinutes(10));
    }

}
