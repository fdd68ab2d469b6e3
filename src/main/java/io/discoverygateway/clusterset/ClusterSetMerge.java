package io.discoverygateway.clusterset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.discoverygateway.catalog.Endpoint;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServicePort;
import io.discoverygateway.catalog.ServiceResource;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEndpoint;
import io.discoverygateway.clusterset.ClusterSetService.ClusterEntry;
import io.discoverygateway.clusterset.ClusterSetService.Conflict;
import io.discoverygateway.clusterset.ClusterSetService.Port;
import io.discoverygateway.clusterset.MemberState.Availability;
import io.discoverygateway.clusterset.MemberState.Export;

/**
 * How the exports of one namespace and name across the clusters make one cluster-set
 * service, after the Multi-Cluster Services API (KEP-1645):
 * <ul>
 * <li>only clusters that have listed their data take part; an ExternalName Service is
 * never exported (the API does not support it);</li>
 * <li>the type is {@code Headless} for headless Services, else {@code ClusterSetIP};</li>
 * <li>the ports are the union of the Services' ports; a port name (or, unnamed, a port
 * number and protocol) defined differently by two clusters is a conflict;</li>
 * <li>a conflict is resolved for the oldest export: by its ServiceExport's creation time,
 * an export by annotation after every ServiceExport, then by cluster name; it is
 * reported, never hidden;</li>
 * <li>the endpoints are those of every cluster whose data is current or stale, not of a
 * withdrawn one.</li>
 * </ul>
 * A pure function of its input.
 */
final class ClusterSetMerge {

    static final String CLUSTER_SET_IP = "ClusterSetIP";

    static final String HEADLESS = "Headless";

    private static final Comparator<Participant> OLDEST_EXPORT_FIRST = Comparator
        .comparing((Participant p) -> p.export().exportedAt(), Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(p -> p.member().cluster());

    private ClusterSetMerge() {
    }

    /** The cluster-set service of this name, or empty when no cluster exports it. */
    static Optional<ClusterSetService> merge(ServiceKey key, List<MemberState> members) {
        List<Participant> participants = new ArrayList<>();
        for (MemberState member : members) {
            Export export = member.exported().get(key);
            if (member.availability() != Availability.SYNCING && export != null
                    && !export.snapshot().state().service().isExternalName()) {
                participants.add(new Participant(member, export));
            }
        }
        if (participants.isEmpty()) {
            return Optional.empty();
        }
        participants.sort(OLDEST_EXPORT_FIRST);
        Participant winner = participants.get(0);
        List<Conflict> conflicts = new ArrayList<>();
        String type = type(winner.service());
        List<String> otherTypes = participants.stream()
            .filter(p -> !type(p.service()).equals(type))
            .map(p -> p.member().cluster())
            .toList();
        if (!otherTypes.isEmpty()) {
            conflicts.add(new Conflict("type",
                    "The oldest export is " + (type.equals(HEADLESS) ? "headless" : "not" + " headless")
                            + "; the Services of " + String.join(", ", otherTypes) + " are not alike",
                    otherTypes, winner.member().cluster()));
        }
        Map<String, Port> ports = new LinkedHashMap<>();
        Set<String> portConflicts = new LinkedHashSet<>();
        List<String> conflictingPorts = new ArrayList<>();
        for (Participant participant : participants) {
            for (ServicePort servicePort : participant.service().ports()) {
                Port port = new Port(servicePort.name(), servicePort.port(), servicePort.protocol(),
                        servicePort.appProtocol());
                String portKey = port.name() == null || port.name().isEmpty() ? port.port() + "/" + port.protocol()
                        : port.name();
                Port defined = ports.putIfAbsent(portKey, port);
                if (defined != null && !defined.equals(port)) {
                    portConflicts.add(participant.member().cluster());
                    if (!conflictingPorts.contains(portKey)) {
                        conflictingPorts.add(portKey);
                    }
                }
            }
        }
        if (!portConflicts.isEmpty()) {
            conflicts.add(new Conflict("ports",
                    "Port " + String.join(", ", conflictingPorts)
                            + " is defined differently; the oldest export's definition is served",
                    List.copyOf(portConflicts), winner.member().cluster()));
        }
        List<Participant> shown = new ArrayList<>(participants);
        shown.sort(
                Comparator.comparing((Participant p) -> !p.member().local()).thenComparing(p -> p.member().cluster()));
        List<ClusterEntry> clusters = new ArrayList<>();
        List<ClusterEndpoint> endpoints = new ArrayList<>();
        for (Participant participant : shown) {
            MemberState member = participant.member();
            List<Endpoint> own = participant.export().snapshot().state().endpoints();
            clusters.add(new ClusterEntry(member.cluster(), member.local(), member.availability().name().toLowerCase(),
                    participant.export().exportedAt(), member.staleSince(), member.reason(),
                    participant.export().snapshot().revision(), own.size(),
                    own.stream().filter(Endpoint::ready).count()));
            if (member.availability() != Availability.WITHDRAWN) {
                own.forEach(endpoint -> endpoints.add(new ClusterEndpoint(member.cluster(), endpoint)));
            }
        }
        return Optional.of(new ClusterSetService(key.namespace(), key.name(), type, List.copyOf(ports.values()),
                clusters, conflicts, 0, endpoints));
    }

    private static String type(ServiceResource service) {
        return service.clusterIPs().contains("None") ? HEADLESS : CLUSTER_SET_IP;
    }

    private record Participant(MemberState member, Export export) {

        ServiceResource service() {
            return export.snapshot().state().service();
        }
    }

}
