package io.discoverygateway.catalog;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A many-to-many relation kept in both directions, so that both "what does A refer to"
 * and "who refers to B" are one look-up. Setting an A's targets replaces what it had;
 * empty sets are removed, so the index holds nothing for what refers to nothing. Not
 * thread-safe.
 */
final class Index<A, B> {

    private final Map<A, Set<B>> forward = new HashMap<>();

    private final Map<B, Set<A>> backward = new HashMap<>();

    /** What {@code a} refers to from now on (empty: nothing). */
    void set(A a, Set<B> targets) {
        Set<B> previous = forward.remove(a);
        if (previous != null) {
            for (B b : previous) {
                Set<A> sources = backward.get(b);
                sources.remove(a);
                if (sources.isEmpty()) {
                    backward.remove(b);
                }
            }
        }
        if (!targets.isEmpty()) {
            forward.put(a, new HashSet<>(targets));
            for (B b : targets) {
                backward.computeIfAbsent(b, key -> new HashSet<>()).add(a);
            }
        }
    }

    Set<B> targetsOf(A a) {
        return forward.getOrDefault(a, Set.of());
    }

    Set<A> sourcesOf(B b) {
        return backward.getOrDefault(b, Set.of());
    }

    int size() {
        return forward.size();
    }

}
