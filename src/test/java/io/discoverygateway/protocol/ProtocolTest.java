package io.discoverygateway.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The wire vocabulary's rules that the gateway and the client library share. */
class ProtocolTest {

    @Test
    void anEventTypeOfALaterVersionIsNotAnErrorButUnknown() {
        assertThat(EventType.parse("PATCHED")).contains(EventType.PATCHED);
        assertThat(EventType.parse("RENAMED")).isEmpty();
        assertThat(EventType.parse(null)).isEmpty();
    }

    @Test
    void reasonsGoOnTheWireInKebabCase() {
        assertThat(ResetReason.wireNames()).containsExactly("no-event-id", "unknown-event-id", "event-id-expired",
                "event-id-ahead", "access-changed", "overloaded", "internal-error");
        assertThat(ReauthenticateReason.wireNames()).containsExactly("token-expired", "token-refused",
                "access-revoked");
    }

    @Test
    void anEndpointIsKnownByItsFirstAddressAndItsPortsInAnyOrder() {
        Map<String, Integer> httpFirst = new LinkedHashMap<>();
        httpFirst.put("http", 8080);
        httpFirst.put("grpc", 9090);
        Map<String, Integer> grpcFirst = new LinkedHashMap<>();
        grpcFirst.put("grpc", 9090);
        grpcFirst.put("http", 8080);

        assertThat(EndpointKey.of("10.0.0.1", httpFirst)).isEqualTo(EndpointKey.of("10.0.0.1", grpcFirst));
        assertThat(EndpointKey.of("10.0.0.1", httpFirst)).isNotEqualTo(EndpointKey.of("10.0.0.2", httpFirst))
            .isNotEqualTo(EndpointKey.of("10.0.0.1", Map.of("http", 8081, "grpc", 9090)))
            .isNotEqualTo(EndpointKey.of("10.0.0.1", Map.of("http", 8080)));
    }

    @Test
    void anInstanceIsThePodsUidElseAStableIdOfTheServiceAndTheAddress() {
        assertThat(InstanceIds.of("pod-uid", "svc-uid", "IPv4", "10.0.0.1")).isEqualTo("pod-uid");
        String fallback = InstanceIds.of(null, "svc-uid", "IPv4", "10.0.0.1");
        assertThat(fallback).isEqualTo(InstanceIds.of(null, "svc-uid", "IPv4", "10.0.0.1"))
            .isNotEqualTo(InstanceIds.of(null, "svc-uid", "IPv4", "10.0.0.2"))
            .isNotEqualTo(InstanceIds.of(null, "other-uid", "IPv4", "10.0.0.1"))
            .matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

}
