package io.discoverygateway.stream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The stream's meters: subscribers, events sent and patched, slow subscribers dropped,
 * and propagation latency.
 */
final class StreamMetrics {

    private final Counter eventsSent;

    private final Counter eventsPatched;

    private final Counter framesEncoded;

    private final Counter droppedSlow;

    private final Counter rescoped;

    private final Counter resynced;

    private final Counter fanoutFailures;

    private final Timer propagation;

    private final Timer accessRecheck;

    private final AtomicInteger recheckedIdentities = new AtomicInteger();

    /**
     * @param prefix {@code gateway.stream}, or {@code gateway.clusterset.stream} for the
     * cluster set's stream
     */
    StreamMetrics(MeterRegistry registry, String prefix, Supplier<Number> subscribers) {
        Gauge.builder(prefix + ".subscribers", subscribers)
            .description("Open server-sent-event streams")
            .register(registry);
        this.framesEncoded = Counter.builder(prefix + ".frames.encoded")
            .description("Service events encoded as SSE frames (each shared by every subscriber that gets it)")
            .register(registry);
        this.eventsSent = Counter.builder(prefix + ".events.sent")
            .description("Service events written to streams")
            .register(registry);
        this.eventsPatched = Counter.builder(prefix + ".events.patched")
            .description("Service events written as PATCHED (the endpoints that changed) instead of the whole"
                    + " service, to streams opened with patches=true")
            .register(registry);
        this.droppedSlow = Counter.builder(prefix + ".subscribers.dropped")
            .description("Streams disconnected because their client stopped reading")
            .tag("reason", "stalled")
            .register(registry);
        this.rescoped = Counter.builder(prefix + ".rescoped")
            .description("Authenticated streams whose readable namespaces changed while they were open")
            .register(registry);
        this.resynced = Counter.builder(prefix + ".resyncs")
            .description("Times the fan-out fell gateway.stream.fanout-queue batches behind and every stream got"
                    + " a fresh snapshot")
            .register(registry);
        this.fanoutFailures = Counter.builder(prefix + ".fanout.failures")
            .description("Batches the fan-out failed on (a bug): every stream got a fresh snapshot, RESET"
                    + " internal-error")
            .register(registry);
        this.propagation = Timer.builder(prefix + ".propagation")
            .description("From the catalog applying an informer event to the event being written to a stream")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
        this.accessRecheck = Timer.builder(prefix + ".access.recheck")
            .description("One round of re-checking authenticated streams' access (every recheck-interval);"
                    + " revocation reaches a stream within the interval plus this")
            .register(registry);
        Gauge.builder(prefix + ".access.identities", recheckedIdentities, AtomicInteger::get)
            .description("Consumer identities with open streams at the last access recheck")
            .register(registry);
    }

    void accessRechecked(int identities, long nanos) {
        recheckedIdentities.set(identities);
        accessRecheck.record(nanos, TimeUnit.NANOSECONDS);
    }

    void frameEncoded() {
        framesEncoded.increment();
    }

    void eventSent() {
        eventsSent.increment();
    }

    void eventPatched() {
        eventsPatched.increment();
    }

    void droppedSlow() {
        droppedSlow.increment();
    }

    void resynced() {
        resynced.increment();
    }

    void fanoutFailed() {
        fanoutFailures.increment();
    }

    void rescoped() {
        rescoped.increment();
    }

    void propagated(long nanos) {
        propagation.record(nanos, TimeUnit.NANOSECONDS);
    }

}
