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
import io.discoverygateway.access.NamespaceScope;

/**
 * Every published resource of every type at one moment, immutable. A resource keeps its
 * version (the catalog revision at which its content last changed) until its content
 * changes, so a change to one service changes only that service's resources.
 */
final class XdsSnapshot {

    /** One resource as published; {@code namespace} decides who may see it. */
    record Published(String name, Message resource, long version, String namespace) {
    }

    /**
     * What one request gets: the resources, sorted by name, and the version that stands
     * for exactly them.
     */
    record Answer(List<Message> resources, String version) {
    }

    private final String epoch;

    private final Map<XdsType, SortedMap<String, Published>> byType;

    /** Counts the snapshots published since start. */
    private final long publication;

    /**
     * @param epoch the catalog's epoch: resource versions are its revisions, which
     * another process (a restarted gateway, another replica) numbers from 1 again for
     * other content
     */
    XdsSnapshot(String epoch, Map<XdsType, SortedMap<String, Published>> byType) {
        this(epoch, byType, 0);
    }

    private XdsSnapshot(String epoch, Map<XdsType, SortedMap<String, Published>> byType, long publication) {
        this.epoch = epoch;
        this.byType = byType;
        this.publication = publication;
    }

    static XdsSnapshot empty(String epoch) {
        return new XdsSnapshot(epoch, new EnumMap<>(XdsType.class));
    }

    XdsSnapshot with(Map<XdsType, SortedMap<String, Published>> resources) {
        return new XdsSnapshot(epoch, resources, publication + 1);
    }

    /**
     * The resources of one type, sorted by name (so that a wildcard answer needs no
     * sorting).
     */
    SortedMap<String, Published> of(XdsType type) {
        return byType.getOrDefault(type, Collections.emptySortedMap());
    }

    int size(XdsType type) {
        return of(type).size();
    }

    /**
     * One resource as a client sees it: its name (a short name for a short Listener), the
     * message, and its version (the epoch and the catalog revision of its last change; a
     * short name's also names the namespace that offers it, so that the same name from
     * another namespace is another version).
     */
    record Visible(String name, Message resource, String version) {
    }

    /**
     * The resources of one type a request asks for: the named ones (those that exist), or
     * all of them for a wildcard request (no names, or {@code *}), only from the
     * namespaces in scope, sorted by name. A short Listener name is visible when exactly
     * one namespace in scope offers it (see {@link XdsNames}).
     */
    List<Visible> visible(XdsType type, Set<String> names, NamespaceScope scope) {
        SortedMap<String, Published> resources = of(type);
        List<Visible> visible = new ArrayList<>();
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
                    visible.add(visible(published.name(), published));
                    continue;
                }
                // A short name's keys are adjacent: count its offers in scope, publish it
                // when there is one.
                String name = XdsNames.resourceName(published.name());
                if (!name.equals(shortName)) {
                    addUnique(visible, shortName, offer, offers);
                    shortName = name;
                    offers = 0;
                }
                offer = published;
                offers++;
                shortNames = true;
            }
            addUnique(visible, shortName, offer, offers);
            if (shortNames) {
                // Short names sort among the others by name.
                visible.sort(Comparator.comparing(Visible::name));
            }
        }
        else {
            for (String name : new TreeSet<>(names)) {
                Published published = XdsNames.isShortKey(name) ? null : resources.get(name);
                if (published != null) {
                    if (scope.includes(published.namespace())) {
                        visible.add(visible(name, published));
                    }
                    continue;
                }
                Published offer = null;
                int offers = 0;
                for (Published candidate : resources.subMap(XdsNames.shortKeysFrom(name), XdsNames.shortKeysTo(name))
                    .values()) {
                    if (scope.includes(candidate.namespace())) {
                        offer = candidate;
                        offers++;
                    }
                }
                addUnique(visible, name, offer, offers);
            }
        }
        return visible;
    }

    /**
     * The state-of-the-world answer: the visible resources, and one version that stands
     * for exactly them.
     */
    Answer answer(XdsType type, Set<String> names, NamespaceScope scope) {
        List<Visible> visible = visible(type, names, scope);
        List<Message> messages = new ArrayList<>(visible.size());
        long hash = 0xcbf29ce484222325L;
        for (Visible resource : visible) {
            messages.add(resource.resource());
            hash = fnv(fnv(hash, resource.name()), resource.version());
        }
        // The names and versions sent (never the content, which only changes with a
        // version): a request holding
        // this version has exactly these resources, so nothing is resent until one of
        // them changes. A client that
        // comes from another process holds another epoch and gets everything once.
        return new Answer(messages, epoch + '-' + Long.toHexString(mix(hash, messages.size())));
    }

    private Visible visible(String name, Published published) {
        String version = epoch + '-' + Long.toHexString(published.version());
        return new Visible(name, published.resource(),
                XdsNames.isShortKey(published.name()) ? version + '@' + published.namespace() : version);
    }

    /**
     * Adds a short name's only offer in scope; none, or two or more, make nothing
     * visible.
     */
    private void addUnique(List<Visible> visible, String name, Published offer, int offers) {
        if (offers == 1) {
            visible.add(visible(name, offer));
        }
    }

    /**
     * A version for a delta response as a whole (clients only echo it): the epoch and the
     * publication.
     */
    String version(XdsType type) {
        return epoch + "-p" + Long.toHexString(publication);
    }

    static boolean isWildcard(Set<String> names) {
        return names.isEmpty() || names.contains("*");
    }

    /**
     * 64-bit FNV-1a over the characters, so that two names never collide the way
     * String.hashCode lets them.
     */
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
