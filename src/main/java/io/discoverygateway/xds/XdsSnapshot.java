package io.discoverygateway.xds;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.discoverygateway.access.NamespaceScope;

/**
 * Every published resource of every type at one moment, immutable. A resource keeps its version (the catalog
 * revision at which its content last changed) until its content changes, so a change to one service changes only
 * that service's resources.
 */
final class XdsSnapshot {


    /** One resource as published; {@code namespace} decides who may see it. */
    record Published(String name, Message resource, long version, String namespace) {
    }

    /** What one request gets: the resources, sorted by name, and the version that stands for exactly them. */
    record Answer(List<Message> resources, String version) {
    }

    private final String epoch;
    private final Map<XdsType, SortedMap<String, Published>> byType;

    /**
     * @param epoch the catalog's epoch: resource versions are its revisions, which another process (a restarted
     *     gateway, another replica) numbers from 1 again for other content
     */
    XdsSnapshot(String epoch, Map<XdsType, SortedMap<String, Published>> byType) {
        this.epoch = epoch;
        this.byType = byType;
    }

    static XdsSnapshot empty(String epoch) {
        return new XdsSnapshot(epoch, new EnumMap<>(XdsType.class));
    }

    XdsSnapshot with(Map<XdsType, SortedMap<String, Published>> resources) {
        return new XdsSnapshot(epoch, resources);
    }

    /** The resources of one type, sorted by name (so that a wildcard answer needs no sorting). */
    SortedMap<String, Published> of(XdsType type) {
        return byType.getOrDefault(type, Collections.emptySortedMap());
    }

    int size(XdsType type) {
        return of(type).size();
    }

    /**
     * The resources of one type a request asks for: the named ones (those that exist), or all of them for a
     * wildcard request (no names, or {@code *}), only from the namespaces in scope. A short Listener name is
     * answered when exactly one namespace in scope offers it (see {@link XdsNames}).
     */
    Answer answer(XdsType type, Set<String> names, NamespaceScope scope) {
        SortedMap<String, Published> resources = of(type);
        List<Message> messages = new ArrayList<>();
        long hash = 0xcbf29ce484222325L;
        if (isWildcard(names)) {
            String shortName = null;
            Published offer = null;
            int offers = 0;
            boolean shortNames = false;
            for (Published published : resources.values()) {
                if (!scope.includes(published.namespace())) {
                    continue;
                }
                if (!XdsNames.isShortKey(published.name())) {
                    messages.add(published.resource());
                    hash = mix(fnv(hash, published.name()), published.version());
                    continue;
                }
                // A short name's keys are adjacent: count its offers in scope, publish it when there is one.
                String name = XdsNames.resourceName(published.name());
                if (!name.equals(shortName)) {
                    hash = addUnique(messages, hash, offer, offers);
                    shortName = name;
                    offers = 0;
                }
                offer = published;
                offers++;
                shortNames = true;
            }
            hash = addUnique(messages, hash, offer, offers);
            if (shortNames) {
                // Short names sort among the others by name; keep the answer sorted as the canonical order.
                messages.sort(Comparator.comparing(XdsSnapshot::resourceName));
            }
        }
        else {
            for (String name : new TreeSet<>(names)) {
                Published published = XdsNames.isShortKey(name) ? null : resources.get(name);
                if (published != null) {
                    if (scope.includes(published.namespace())) {
                        messages.add(published.resource());
                        hash = mix(fnv(hash, name), published.version());
                    }
                    continue;
                }
                Published offer = null;
                int offers = 0;
                for (Published candidate : resources
                        .subMap(XdsNames.shortKeysFrom(name), XdsNames.shortKeysTo(name)).values()) {
                    if (scope.includes(candidate.namespace())) {
                        offer = candidate;
                        offers++;
                    }
                }
                hash = addUnique(messages, hash, offer, offers);
            }
        }
        // The names and versions sent (never the content, which only changes with a version): a request holding
        // this version has exactly these resources, so nothing is resent until one of them changes. A client that
        // comes from another process holds another epoch and gets everything once.
        return new Answer(messages, epoch + '-' + Long.toHexString(mix(hash, messages.size())));
    }

    /** Adds a short name's only offer in scope; none, or two or more, publish nothing. */
    private static long addUnique(List<Message> messages, long hash, Published offer, int offers) {
        if (offers != 1) {
            return hash;
        }
        messages.add(offer.resource());
        // The key names the namespace too: the same short name from another namespace is another version.
        return mix(fnv(hash, offer.name()), offer.version());
    }

    private static String resourceName(Message resource) {
        return resource instanceof Listener listener ? listener.getName() : "";
    }

    static boolean isWildcard(Set<String> names) {
        return names.isEmpty() || names.contains("*");
    }

    /** 64-bit FNV-1a over the characters, so that two names never collide the way String.hashCode lets them. */
    private static long fnv(long hash, String text) {
        long h = hash;
        for (int i = 0; i < text.length(); i++) {
            h = (h ^ text.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    private static long mix(long hash, long value) {
        long h = (hash ^ value) * 0x100000001b3L;
        return h ^ (h >>> 29);
    }
}
