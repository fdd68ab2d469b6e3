package io.discoverygateway.stream;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.discoverygateway.access.NamespaceScope;
import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.ChangeType;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.Revisions;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.SnapshotEncoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream protocol's rules without sockets or threads of its own, thousands of times a
 * second: a real {@link Catalog} applies random changes (services created, relabelled in
 * and out of the filter, changed, deleted, re-created), a client takes what its
 * {@link EventQueue} holds a few items at a time and loses its connection at random
 * points, reconnecting with the id of the last event it got, which
 * {@link ResumePlanner#opening} answers from a {@link ChangeJournal} of random capacity.
 * Whatever happened, once the client has read everything it holds exactly the catalog's
 * services that match its filter, in their latest state. A client limited to one of the
 * two namespaces (as consumer authentication limits it) is shown only its namespace's
 * revisions, and resumes from them however busy the other namespace is.
 */
class StreamProtocolPropertyTest {

    /**
     * Services by key; the names are distinct across the two namespaces, so that the
     * client keys them by name.
     */
    private static final List<ServiceKey> KEYS = List.of(new ServiceKey("ns", "a"), new ServiceKey("ns", "b"),
            new ServiceKey("ns", "c"), new ServiceKey("ns", "d"), new ServiceKey("other", "x"),
            new ServiceKey("other", "y"));

    private static final StreamFilter EVERY_NAMESPACE = new StreamFilter(Set.of(), Set.of(), Set.of(),
            LabelSelector.parse("group=in"), LabelSelector.everything());

    private static final StreamFilter READS_NS_ONLY = EVERY_NAMESPACE.withReadable(NamespaceScope.of(Set.of("ns")));

    sealed interface Step {

    }

    record Upsert(ServiceKey key, boolean matching, int version) implements Step {
    }

    record Remove(ServiceKey key) implements Step {
    }

    /** The client reads this many items. */
    record Read(int items) implements Step {
    }

    /**
     * The client's connection ends (or, the first time, starts); it connects with its
     * last id.
     */
    record Cut() implements Step {
    }

    @Property(tries = 400)
    void aClientCutAnywhereThatResumesWithItsLastIdEndsWithExactlyTheMatchingServices(
            @ForAll("scripts") List<Step> steps, @ForAll @IntRange(min = 1, max = 40) int journalCapacity,
            @ForAll boolean readsOneNamespace) {
        StreamFilter filter = readsOneNamespace ? READS_NS_ONLY : EVERY_NAMESPACE;
        List<List<ChangeEvent>> batches = new ArrayList<>();
        Catalog catalog = new Catalog("e1", new SnapshotEncoder(JsonMapper.builder().build()), Clock.systemUTC());
        catalog.addListener((view, changes) -> batches.add(changes));
        try {
            ChangeJournal journal = new ChangeJournal(journalCapacity);
            Client client = new Client(filter);
            // Not connected until the first Cut: the first connection then gets a
            // snapshot with something in it.
            EventQueue queue = null;
            for (Step step : steps) {
                if (step instanceof Upsert upsert) {
                    catalog.upsertService(service(upsert));
                }
                else if (step instanceof Remove remove) {
                    catalog.removeService(remove.key());
                }
                settle(catalog, batches, journal, queue, filter);
                if (step instanceof Read read && queue != null) {
                    client.read(queue, read.items());
                }
                else if (step instanceof Cut) {
                    queue = client.connect(catalog, journal);
                }
            }
            if (queue == null) {
                queue = client.connect(catalog, journal);
            }
            settle(catalog, batches, journal, queue, filter);
            client.read(queue, Integer.MAX_VALUE);

            Map<String, String> expected = new TreeMap<>();
            for (ServiceSnapshot snapshot : catalog.view().services()) {
                if (filter.matches(snapshot)) {
                    expected.put(snapshot.key().name(), content(snapshot));
                }
            }
            assertThat(client.held).as("the client's view after %s", client.log).isEqualTo(expected);
            assertThat(client.synced).isTrue();
            assertThat(client.syncedAt).as("each SYNCED shows the revision of what the client may read, %s", client.log)
                .isEqualTo(client.scopeRevisionAtConnect);
        }
        finally {
            catalog.close();
        }
    }

    /**
     * Waits for the catalog's writer, then journals and queues its batches as the hub
     * does, in order.
     */
    private static void settle(Catalog catalog, List<List<ChangeEvent>> batches, ChangeJournal journal,
            EventQueue queue, StreamFilter filter) {
        catalog.afterPending(() -> {
        }).join();
        for (List<ChangeEvent> batch : batches) {
            journal.append(batch);
            if (queue != null) {
                queue.addLive(batch, filter);
            }
        }
        batches.clear();
    }

    /**
     * A client as the README asks it to behave; it keeps the id of the last event that
     * carried one.
     */
    private static final class Client {

        final StreamFilter filter;

        final Map<String, String> held = new TreeMap<>();

        final List<String> log = new ArrayList<>();

        String lastId;

        boolean synced;

        long syncedAt;

        long scopeRevisionAtConnect;

        Client(StreamFilter filter) {
            this.filter = filter;
        }

        EventQueue connect(Catalog catalog, ChangeJournal journal) {
            log.add("connect " + lastId);
            synced = false;
            EventQueue queue = new EventQueue();
            scopeRevisionAtConnect = filter.readable().revision(catalog.view());
            queue.addSealed(ResumePlanner.opening(catalog.view(), journal, lastId, filter, ""));
            queue.liveAfter(catalog.view().revision());
            return queue;
        }

        void read(EventQueue queue, int items) {
            for (int i = 0; i < items; i++) {
                EventQueue.Item item = queue.poll();
                if (item == null) {
                    return;
                }
                if (item.frame() != null) {
                    frame(new String(item.frame(), StandardCharsets.UTF_8));
                    continue;
                }
                String name = item.snapshot().key().name();
                log.add(item.type() + " " + name + (item.withId() ? " @" + item.snapshot().revision() : ""));
                if (item.type() == ChangeType.DELETED) {
                    held.remove(name);
                }
                else {
                    held.put(name, content(item.snapshot()));
                }
                if (item.withId()) {
                    lastId = Revisions.token("e1", item.snapshot().revision());
                }
            }
        }

        private void frame(String frame) {
            if (frame.contains("event: RESET")) {
                log.add("RESET");
                held.clear();
            }
            if (frame.contains("event: SYNCED")) {
                syncedAt = Long.parseLong(frame.substring(frame.indexOf("data: ") + 6).strip());
                log.add("SYNCED " + syncedAt);
                synced = true;
            }
            if (frame.contains("event: RESET")) {
                log.add(frame.substring(frame.indexOf("data: ")).strip());
            }
            for (String line : frame.split("\n")) {
                if (line.startsWith("id: ")) {
                    lastId = line.substring(4);
                }
            }
        }

    }

    private static ServiceResource service(Upsert upsert) {
        return new ServiceResource(upsert.key(), "uid-" + upsert.key().name(), "ClusterIP", List.of(), List.of(), null,
                List.of(), Map.of("group", upsert.matching() ? "in" : "out"),
                Map.of("version", Integer.toString(upsert.version())));
    }

    private static String content(ServiceSnapshot snapshot) {
        return snapshot.state().service().labels() + " " + snapshot.state().service().annotations();
    }

    @Provide
    Arbitrary<List<Step>> scripts() {
        Arbitrary<ServiceKey> key = Arbitraries.of(KEYS);
        Arbitrary<Step> upsert = Combinators
            .combine(key, Arbitraries.of(true, false), Arbitraries.integers().between(0, 3))
            .as(Upsert::new);
        Arbitrary<Step> remove = key.map(Remove::new);
        Arbitrary<Step> read = Arbitraries.integers().between(0, 4).map(Read::new);
        Arbitrary<Step> cut = Arbitraries.just(new Cut());
        return Arbitraries.frequencyOf(Tuple.of(5, upsert), Tuple.of(2, remove), Tuple.of(4, read), Tuple.of(2, cut))
            .list()
            .ofMaxSize(60);
    }

}
