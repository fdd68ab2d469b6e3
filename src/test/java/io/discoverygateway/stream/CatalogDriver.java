package io.discoverygateway.stream;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.discoverygateway.catalog.Catalog;
import io.discoverygateway.catalog.ChangeEvent;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.catalog.SnapshotEncoder;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real {@link Catalog} for the stream's rule tests: one service whose group label and
 * content a test sets step by step, and the change events each step made.
 */
final class CatalogDriver implements AutoCloseable {

    static final ServiceKey KEY = new ServiceKey("ns", "svc");

    /** A subscriber's filter that the service's group label moves it in and out of. */
    static final StreamFilter GROUP_IN = new StreamFilter(Set.of(), Set.of(), Set.of(), LabelSelector.parse("group=in"),
            LabelSelector.everything());

    private final Catalog catalog = new Catalog("e", new SnapshotEncoder(JsonMapper.builder().build()),
            Clock.systemUTC());

    private final List<ChangeEvent> changes = new CopyOnWriteArrayList<>();

    CatalogDriver() {
        catalog.addListener((view, batch) -> changes.addAll(batch));
    }

    Catalog catalog() {
        return catalog;
    }

    /**
     * Applies one step and returns the changes it made: {@code "-"} deletes the service;
     * otherwise the step is its content, and its group label is {@code in} when the step
     * starts with "in", else {@code out}.
     */
    List<ChangeEvent> step(String step) {
        if (step.equals("-")) {
            catalog.removeService(KEY);
        }
        else {
            catalog.upsertService(new ServiceResource(KEY, "uid", "ClusterIP", List.of(), List.of(), null, List.of(),
                    Map.of("group", step.startsWith("in") ? "in" : "out"), Map.of("step", step)));
        }
        return made();
    }

    /**
     * Changes a service of another namespace, {@code elsewhere/secret} (a subscriber
     * limited to "ns" may not read it), to the given version; returns the change.
     */
    List<ChangeEvent> changeElsewhere(int version) {
        catalog.upsertService(new ServiceResource(new ServiceKey("elsewhere", "secret"), "uid-secret", "ClusterIP",
                List.of(), List.of(), null, List.of(), Map.of(), Map.of("version", Integer.toString(version))));
        return made();
    }

    private List<ChangeEvent> made() {
        catalog.afterPending(() -> {
        }).join();
        List<ChangeEvent> made = List.copyOf(changes);
        changes.clear();
        return made;
    }

    @Override
    public void close() {
        catalog.close();
    }

}
