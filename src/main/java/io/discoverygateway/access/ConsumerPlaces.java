package io.discoverygateway.access;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.discoverygateway.web.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The places (streams, or long-polls) that each consumer identity holds, capped per
 * identity, so that one token cannot take every place the gateway has and leave the other
 * consumers with 503s. Without consumer authentication nothing is counted here: the
 * gateway's own limits are the only ones.
 *
 * <p>
 * Threads: request threads take places; whichever thread ends the stream or long-poll
 * gives its place back. The counts live in a concurrent map whose entries are removed at
 * zero.
 */
public final class ConsumerPlaces {

    private static final Runnable NOTHING_HELD = () -> {
    };

    private final String kind;

    private final int limit;

    private final Map<String, Integer> held = new ConcurrentHashMap<>();

    private final Counter refused;

    /**
     * @param kind what a place is, plural ("streams", "long-polls"), for messages and the
     * metric's tag
     * @param limit the most places one identity may hold
     */
    public ConsumerPlaces(String kind, int limit, MeterRegistry registry) {
        this.kind = kind;
        this.limit = limit;
        this.refused = Counter.builder("gateway.auth.refusals")
            .tag("reason", kind + "-per-consumer")
            .description("Authenticated requests refused before they took a place: the consumer may read no"
                    + " watched namespace, or holds as many streams or long-polls as one consumer may")
            .register(registry);
    }

    /**
     * Takes a place for the request's consumer and returns what gives it back
     * (idempotent), or throws a 429 problem when the consumer holds its limit already.
     */
    public Runnable take(ReadAccess access) {
        if (access.consumer().isEmpty()) {
            return NOTHING_HELD;
        }
        String identity = access.consumer().get().username();
        boolean[] taken = new boolean[1];
        held.compute(identity, (key, count) -> {
            int current = count == null ? 0 : count;
            taken[0] = current < limit;
            return taken[0] ? current + 1 : count;
        });
        if (!taken[0]) {
            refused.increment();
            throw ApiException.tooManyForOne("Too many " + kind + " for one consumer",
                    identity + " holds " + limit + " " + kind + " already, as many as one consumer may"
                            + " (gateway.auth.max-" + kind + "-per-consumer); close one, or retry later",
                    5);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                held.computeIfPresent(identity, (key, count) -> count <= 1 ? null : count - 1);
            }
        };
    }

}
