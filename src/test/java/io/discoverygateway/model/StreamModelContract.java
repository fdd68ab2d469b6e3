package io.discoverygateway.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import io.discoverygateway.CatalogStates;
import io.discoverygateway.GatewayClient;
import io.discoverygateway.ServicePatches;
import io.discoverygateway.kubeapi.ApiResource;
import io.discoverygateway.kubeapi.KubeObjects;
import io.discoverygateway.kubeapi.KubeObjects.EndpointSpec;
import io.discoverygateway.kubeapi.TestCluster;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A model-based test of the stream protocol. Random sequences of changes (creates,
 * deletes, re-creates of a name, slices moving between services, label changes that move
 * services in and out of a filter, services with hundreds of endpoints and large
 * annotations, single endpoints flipping readiness or leaving) are made in a Kubernetes
 * API (the embedded one: {@link StreamModelPropertyTest}; a real kube-apiserver:
 * {@link StreamModelOnRealClusterPropertyTest}) while clients with different filters read
 * the stream, each cutting its own connection at random bytes (inside the snapshot, a
 * resume or the live events) and reconnecting with the id of its last complete event, as
 * EventSource does; some read slowly with small receive buffers. After quiescence, every
 * client's view must equal what the model (the API's objects, filtered) says and what the
 * gateway serves over REST; the clients that asked for {@code PATCHED} events must hold
 * exactly the gateway's documents. A failure prints the shrunk sequence.
 */
abstract class StreamModelContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final List<String> NAMES = List.of("svc-0", "svc-1", "svc-2", "svc-3", "svc-4", "svc-5");

    /** The API server the changes are made in. */
    abstract TestCluster api();

    /** The gateway, which watches every namespace of that API server. */
    abstract GatewayClient gateway();

    /** The port of the gateway's API. */
    abstract int port();

    /** A new namespace for one try. */
    abstract String namespaceForTry();

    /** A change to make in the API. */
    sealed interface Change {

    }

    record Create(String name, String group, int endpoints, boolean largeAnnotations) implements Change {
    }

    record Delete(String name) implements Change {
    }

    record Relabel(String name, String group) implements Change {
    }

    record Resize(String name, int endpoints, int notReadyEvery) implements Change {
    }

    /**
     * One endpoint of the service's slice changes readiness, or leaves it: what PATCHED
     * events are for.
     */
    record Flip(String name, int index, boolean remove) implements Change {
    }

    /**
     * The slice {@code <from>-extra} now belongs to another service (its service-name
     * label changes).
     */
    record MoveSlice(String from, String to) implements Change {
    }

    /**
     * The property: after any sequence of changes, every client holds what the model and
     * the gateway say.
     */
    void everyClientEndsWithExactlyTheGatewaysState(List<Change> changes, long seed) {
        String namespace = namespaceForTry();
        int port = port();
        GatewayClient rest = gateway();
        await().atMost(Duration.ofSeconds(20)).until(() -> rest.get("/actuator/health/readiness").statusCode() == 200);
        List<Change> setup = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            setup.add(new Create(NAMES.get(i), (seed >>> i & 1) == 0 ? "a" : "b", (int) (seed >>> (i + 8) & 7), false));
        }
        apply(namespace, setup);
        apply(namespace, changes.subList(0, changes.size() / 3));
        List<EventSourceClient> clients = new ArrayList<>();
        Map<EventSourceClient, Filter> filters = new HashMap<>();
        List<Filter> chosen = List.of(new Filter("namespace=" + namespace, null, null),
                new Filter("namespace=" + namespace + "&labelSelector=group%3Da", "a", null),
                new Filter("service=" + namespace + "/svc-1", null, "svc-1"),
                new Filter("namespace=" + namespace + "&labelSelector=group%3Db", "b", null),
                new Filter("namespace=" + namespace + "&patches=true", null, null),
                new Filter("namespace=" + namespace + "&labelSelector=group%3Da&patches=true", "a", null));
        for (int i = 0; i < chosen.size(); i++) {
            EventSourceClient client = new EventSourceClient(port, "/api/v1/stream?" + chosen.get(i).query(), seed + i,
                    1 + (int) ((seed >>> i) & 3), i % 2 == 1);
            clients.add(client);
            filters.put(client, chosen.get(i));
        }
        try {
            // The rest happens while the clients follow live events (and keep cutting
            // their connections).
            await().atMost(Duration.ofSeconds(30))
                .until(() -> clients.stream().allMatch(EventSourceClient::everSynced));
            apply(namespace, changes.subList(changes.size() / 3, changes.size()));
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
            clients.forEach(EventSourceClient::stopCutting);
            Map<String, String> model = CatalogStates.fromApi(api(), namespace);
            await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(CatalogStates.fromGateway(rest, namespace)).isEqualTo(model));
            for (EventSourceClient client : clients) {
                Filter filter = filters.get(client);
                Map<String, String> expected = filter.apply(model, CatalogStates.gatewayDocuments(rest, namespace));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Map<String, JsonNode> view = client.settledView();
                    assertThat(view).as(client::describe).isNotNull();
                    assertThat(CatalogStates.fromDocuments(view)).as(client::describe).isEqualTo(expected);
                    if (filter.query().contains("patches=true")) {
                        // Patched documents must be the gateway's, endpoint for endpoint
                        // and revision for revision.
                        assertThat(client.protocolErrors()).as(client::describe).isEmpty();
                        assertThat(exactly(view)).as(client::describe)
                            .isEqualTo(exactly(
                                    filterDocuments(CatalogStates.gatewayDocuments(rest, namespace), expected)));
                    }
                });
            }
        }
        finally {
            clients.forEach(EventSourceClient::close);
        }
    }

    private static Map<String, String> exactly(Map<String, JsonNode> documents) {
        Map<String, String> canonical = new TreeMap<>();
        documents.forEach((name, document) -> canonical.put(name, ServicePatches.canonical(document)));
        return canonical;
    }

    private static Map<String, JsonNode> filterDocuments(Map<String, JsonNode> documents, Map<String, String> wanted) {
        Map<String, JsonNode> filtered = new TreeMap<>(documents);
        filtered.keySet().retainAll(wanted.keySet());
        return filtered;
    }

    /** What a subscriber asked for; the model's state filtered the same way. */
    record Filter(String query, String group, String service) {

        Map<String, String> apply(Map<String, String> model, Map<String, JsonNode> documents) {
            Map<String, String> filtered = new TreeMap<>();
            model.forEach((name, state) -> {
                JsonNode labels = documents.containsKey(name) ? documents.get(name).path("labels") : null;
                boolean groupMatches = group == null
                        || labels != null && group.equals(labels.path("group").asString(null));
                if (groupMatches && (service == null || service.equals(name))) {
                    filtered.put(name, state);
                }
            });
            return filtered;
        }
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE / 2);
    }

    @Provide
    Arbitrary<List<Change>> changes() {
        Arbitrary<String> name = Arbitraries.of(NAMES);
        Arbitrary<String> group = Arbitraries.of("a", "b");
        Arbitrary<Integer> endpoints = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 5)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(60, 300)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(1000)));
        Arbitrary<Change> create = Combinators.combine(name, group, endpoints, Arbitraries.integers().between(0, 5))
            .as((n, g, e, large) -> new Create(n, g, e, large == 0));
        Arbitrary<Change> delete = name.map(Delete::new);
        Arbitrary<Change> relabel = Combinators.combine(name, group).as(Relabel::new);
        Arbitrary<Change> resize = Combinators.combine(name, endpoints, Arbitraries.integers().between(1, 4))
            .as(Resize::new);
        Arbitrary<Change> move = Combinators.combine(name, name).as(MoveSlice::new);
        Arbitrary<Change> flip = Combinators
            .combine(name, Arbitraries.integers().between(0, 999), Arbitraries.integers().between(0, 3))
            .as((n, index, remove) -> new Flip(n, index, remove == 0));
        return Arbitraries
            .frequencyOf(net.jqwik.api.Tuple.of(3, create), net.jqwik.api.Tuple.of(2, delete),
                    net.jqwik.api.Tuple.of(3, relabel), net.jqwik.api.Tuple.of(3, resize),
                    net.jqwik.api.Tuple.of(1, move), net.jqwik.api.Tuple.of(4, flip))
            .list()
            .ofMinSize(3)
            .ofMaxSize(24);
    }

    private void apply(String namespace, List<Change> changes) {
        TestCluster api = api();
        for (Change change : changes) {
            if (change instanceof Create create) {
                api.delete(ApiResource.SERVICES, namespace, create.name());
                ObjectNode service = (ObjectNode) JSON
                    .readTree(KubeObjects.service(namespace, create.name(), Map.of("group", create.group())));
                if (create.largeAnnotations()) {
                    ObjectNode annotations = service.withObjectProperty("metadata").putObject("annotations");
                    IntStream.range(0, 30).forEach(i -> annotations.put("example.com/blob-" + i, "y".repeat(1000)));
                }
                api.create(ApiResource.SERVICES, namespace, service.toString());
                api.replace(ApiResource.ENDPOINT_SLICES, namespace,
                        slice(namespace, create.name(), create.endpoints(), 0));
            }
            else if (change instanceof Delete delete) {
                api.delete(ApiResource.SERVICES, namespace, delete.name());
                api.delete(ApiResource.ENDPOINT_SLICES, namespace, delete.name() + "-1");
            }
            else if (change instanceof Relabel relabel) {
                api.get(ApiResource.SERVICES, namespace, relabel.name()).ifPresent(service -> {
                    service.withObjectProperty("metadata").putObject("labels").put("group", relabel.group());
                    api.replace(ApiResource.SERVICES, namespace, service.toString());
                });
            }
            else if (change instanceof Resize resize) {
                api.replace(ApiResource.ENDPOINT_SLICES, namespace,
                        slice(namespace, resize.name(), resize.endpoints(), resize.notReadyEvery()));
            }
            else if (change instanceof Flip flip) {
                api.get(ApiResource.ENDPOINT_SLICES, namespace, flip.name() + "-1").ifPresent(slice -> {
                    // A slice with no endpoints reads back with "endpoints": null, as
                    // from kube-apiserver.
                    if (!(slice.path("endpoints") instanceof ArrayNode endpoints) || endpoints.isEmpty()) {
                        return;
                    }
                    int index = flip.index() % endpoints.size();
                    if (flip.remove()) {
                        endpoints.remove(index);
                    }
                    else {
                        ObjectNode conditions = ((ObjectNode) endpoints.get(index)).withObjectProperty("conditions");
                        conditions.put("ready", !conditions.path("ready").asBoolean(true));
                    }
                    api.replace(ApiResource.ENDPOINT_SLICES, namespace, slice.toString());
                });
            }
            else if (change instanceof MoveSlice move) {
                api.replace(ApiResource.ENDPOINT_SLICES, namespace, KubeObjects.slice(namespace, move.from() + "-extra",
                        move.to(), List.of(EndpointSpec.ready("10.99." + NAMES.indexOf(move.from()) + ".1"))));
            }
        }
    }

    private static String slice(String namespace, String name, int endpoints, int notReadyEvery) {
        int service = NAMES.indexOf(name);
        return KubeObjects.slice(namespace, name + "-1", name,
                IntStream.range(0, endpoints)
                    .mapToObj(i -> notReadyEvery > 0 && i % (notReadyEvery + 1) == 0
                            ? EndpointSpec.notReady("10." + service + "." + (i / 250) + "." + (i % 250 + 1))
                            : EndpointSpec.ready("10." + service + "." + (i / 250) + "." + (i % 250 + 1)))
                    .toList());
    }

}
