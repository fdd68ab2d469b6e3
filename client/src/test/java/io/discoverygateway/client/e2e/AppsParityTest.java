package io.discoverygateway.client.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.discoverygateway.client.DiscoveryStream;
import io.discoverygateway.client.spring.GatewayServiceInstance;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.EmbeddedKubernetesApi;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.process.GatewayProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client library's instances equal the gateway's {@code /apps} instances (which
 * Spring Cloud Kubernetes' own code shapes) for every endpoint: one gateway, one
 * consumer, and services that walk each rule where the two could differ (the first of
 * several ports, an unnamed port, no port, endpoints without a Pod, the primary IP
 * family, the {@code primary-port-name} label, {@code secured} values, pod metadata with
 * a {@code zone} label, one name in two namespaces, not-ready endpoints).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppsParityTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final List<String> SERVICES = List.of("metrics", "unnamed", "portless", "external", "dual",
            "labelled", "secured");

    private EmbeddedKubernetesApi api;

    private GatewayProcess gateway;

    private ConfigurableApplicationContext consumer;

    @BeforeAll
    void startApiGatewayAndConsumer() {
        api = EmbeddedKubernetesApi.start();
        for (String namespace : List.of("shop", "other")) {
            // Several ports, none named https or http: the first, in the slice's order.
            create(namespace, "metrics", service -> {
            }, slice -> ports(slice, "metrics", 9100, "admin", 9000),
                    EndpointSpec.ready("10.1." + (namespace.equals("shop") ? 1 : 2) + ".1"),
                    EndpointSpec.notReady("10.1.9.9"));
        }
        create("shop", "unnamed", service -> {
        }, slice -> ports(slice, "", 8080), EndpointSpec.ready("10.2.0.1"));
        create("shop", "portless", service -> {
        }, slice -> slice.putArray("ports"), EndpointSpec.ready("10.3.0.1"));
        // Addresses without a Pod behind them: the fallback instance id.
        create("shop", "external", service -> {
        }, slice -> slice.withArray("endpoints").forEach(endpoint -> ((ObjectNode) endpoint).remove("targetRef")),
                EndpointSpec.ready("192.0.2.10"), EndpointSpec.ready("192.0.2.11"));
        create("shop", "dual",
                service -> service.withObjectProperty("spec").putArray("ipFamilies").add("IPv6").add("IPv4"), slice -> {
                }, EndpointSpec.ready("10.4.0.1"));
        api.create(ApiResource.ENDPOINT_SLICES, "shop",
                KubeObjects.slice("shop", "dual-v6", "dual", "IPv6", List.of(EndpointSpec.ready("fd00::4:1"))));
        create("shop", "labelled", service -> labels(service).put("primary-port-name", "admin"),
                slice -> ports(slice, "http", 8080, "admin", 9000, "https", 8443), EndpointSpec.ready("10.5.0.1"));
        create("shop", "secured", service -> {
            labels(service).put("secured", "True");
            service.withObjectProperty("metadata").putObject("annotations").put("secured", "yes");
        }, slice -> ports(slice, "web", 8080), EndpointSpec.ready("10.6.0.1"));
        api.create(ApiResource.PODS, "shop", KubeObjects.pod("shop", KubeObjects.podName("metrics", "10.1.1.1"),
                Map.of("app", "metrics", "zone", "zone-from-pod"), Map.of("team", "observability"), 0));
        gateway = Gateways.watching(api.url(), "shop,other", "--gateway.pod-metadata.enabled=true");
        consumer = ConsumerApplication.run(Map.of("discovery-gateway.client.urls", gateway.url().toString(),
                "discovery-gateway.client.namespaces", "shop,other"));
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.getBean(DiscoveryStream.class).ready());
    }

    @AfterAll
    void stopEverything() {
        if (consumer != null) {
            consumer.close();
        }
        gateway.close();
        api.close();
    }

    @Test
    void theClientsInstancesAreTheAppsInstancesForEveryEndpoint() {
        DiscoveryClient client = consumer.getBean(DiscoveryClient.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String name : SERVICES) {
                assertThat(fromClient(client.getInstances(name))).as(name).isEqualTo(fromApps(name));
            }
        });
        // Not equal by being empty: every rule above produced instances, with the values
        // Spring Cloud Kubernetes
        // gives them.
        Map<String, Map<String, Object>> metrics = fromApps("metrics");
        assertThat(metrics).hasSize(2);
        assertThat(metrics.values()).extracting(instance -> instance.get("port")).containsOnly(9100);
        assertThat(metadata(metrics.get("uid-metrics-10.1.1.1"))).containsEntry("zone", "zone-from-pod");
        assertThat(fromApps("unnamed").values()).singleElement()
            .satisfies(instance -> assertThat(metadata(instance)).containsEntry("port.<unset>", "8080"));
        assertThat(fromApps("portless").values()).extracting(instance -> instance.get("port")).containsExactly(0);
        assertThat(fromApps("external")).hasSize(2).doesNotContainKey("uid-external-192.0.2.10");
        assertThat(fromApps("dual").values()).extracting(instance -> instance.get("host")).containsExactly("fd00::4:1");
        assertThat(client.getInstances("dual")).extracting(ServiceInstance::getUri)
            .containsExactly(URI.create("http://[fd00::4:1]:8080"));
        assertThat(fromApps("labelled").values()).extracting(instance -> instance.get("port")).containsExactly(9000);
        assertThat(fromApps("secured").values()).extracting(instance -> instance.get("secure")).containsExactly(true);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> metadata(Map<String, Object> instance) {
        return (Map<String, String>) instance.get("metadata");
    }

    /**
     * The gateway's /apps/{name}: each instance's fields that a ServiceInstance has, by
     * instance id.
     */
    private Map<String, Map<String, Object>> fromApps(String name) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.url() + "/apps/" + name)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Map<String, Map<String, Object>> instances = new TreeMap<>();
            for (JsonNode instance : JSON.readTree(response.body())) {
                instances.put(instance.path("instanceId").asString(),
                        comparable(instance.path("instanceId").asString(), instance.path("serviceId").asString(),
                                instance.path("host").asString(), instance.path("port").asInt(),
                                instance.path("secure").asBoolean(), instance.path("scheme").asString(),
                                instance.path("namespace").asString(),
                                JSON.convertValue(instance.path("metadata"), Map.class),
                                JSON.convertValue(instance.path("podMetadata"), Map.class)));
            }
            return instances;
        }
        catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    private static Map<String, Map<String, Object>> fromClient(List<ServiceInstance> instances) {
        Map<String, Map<String, Object>> byId = new TreeMap<>();
        for (ServiceInstance instance : instances) {
            GatewayServiceInstance gatewayInstance = (GatewayServiceInstance) instance;
            byId.put(instance.getInstanceId(),
                    comparable(instance.getInstanceId(), instance.getServiceId(), instance.getHost(),
                            instance.getPort(), instance.isSecure(), instance.getScheme(),
                            gatewayInstance.getNamespace(), instance.getMetadata(), gatewayInstance.podMetadata()));
        }
        return byId;
    }

    private static Map<String, Object> comparable(String instanceId, String serviceId, String host, int port,
            boolean secure, String scheme, String namespace, Map<?, ?> metadata, Map<?, ?> podMetadata) {
        Map<String, Object> fields = new TreeMap<>();
        fields.put("instanceId", instanceId);
        fields.put("serviceId", serviceId);
        fields.put("host", host);
        fields.put("port", port);
        fields.put("secure", secure);
        // Not the URI, which is made of these: Spring Cloud Kubernetes does not bracket
        // an IPv6 address in it
        // ("http://fd00::4:1:8080"), the client library does.
        fields.put("scheme", scheme);
        fields.put("namespace", namespace);
        fields.put("metadata", new TreeMap<>(metadata));
        fields.put("podMetadata", podMetadata == null ? Map.of() : new TreeMap<>(podMetadata));
        return fields;
    }

    private void create(String namespace, String name, Consumer<ObjectNode> service, Consumer<ObjectNode> slice,
            EndpointSpec... endpoints) {
        ObjectNode serviceObject = (ObjectNode) JSON.readTree(KubeObjects.service(namespace, name));
        service.accept(serviceObject);
        api.create(ApiResource.SERVICES, namespace, serviceObject.toString());
        ObjectNode sliceObject = (ObjectNode) JSON
            .readTree(KubeObjects.slice(namespace, name + "-1", name, List.of(endpoints)));
        slice.accept(sliceObject);
        api.create(ApiResource.ENDPOINT_SLICES, namespace, sliceObject.toString());
    }

    private static ObjectNode labels(ObjectNode object) {
        return object.withObjectProperty("metadata").withObjectProperty("labels");
    }

    /** Replaces the slice's ports: name, number, name, number... */
    private static void ports(ObjectNode slice, Object... namesAndNumbers) {
        ArrayNode ports = slice.putArray("ports");
        for (int i = 0; i + 1 < namesAndNumbers.length; i += 2) {
            ObjectNode port = ports.addObject();
            if (!namesAndNumbers[i].equals("")) {
                port.put("name", (String) namesAndNumbers[i]);
            }
            port.put("port", (Integer) namesAndNumbers[i + 1]);
            port.put("protocol", "TCP");
        }
    }

}
