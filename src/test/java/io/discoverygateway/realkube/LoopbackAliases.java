package io.discoverygateway.realkube;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.discoverygateway.process.Commands;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pod addresses made reachable on this machine: each added to the loopback interface
 * ({@code ip addr add
 * 10.244.1.2/32 dev lo}, which needs root), so that real servers can listen where the
 * simulated kubelet says a pod runs, and clients that follow the EndpointSlices (gRPC
 * over xDS) reach them. Kubernetes refuses loopback addresses in EndpointSlices, so
 * 127.0.0.x cannot stand in for them. Removed again on close.
 */
public final class LoopbackAliases implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoopbackAliases.class);

    private final List<String> added = new ArrayList<>();

    private LoopbackAliases() {
    }

    /**
     * The addresses on the loopback interface, or empty (with the reason logged) where
     * this machine refuses.
     */
    public static Optional<LoopbackAliases> add(List<String> addresses) {
        LoopbackAliases aliases = new LoopbackAliases();
        for (String address : addresses) {
            String refusal = ip("addr", "add", address + "/32", "dev", "lo");
            if (refusal != null) {
                log.warn("Cannot put pod address {} on the loopback interface ({}): the tests that call pods are"
                        + " skipped", address, refusal);
                aliases.close();
                return Optional.empty();
            }
            aliases.added.add(address);
        }
        return Optional.of(aliases);
    }

    @Override
    public void close() {
        for (String address : added) {
            ip("addr", "del", address + "/32", "dev", "lo");
        }
        added.clear();
    }

    /** Runs ip; null when it succeeded, else what it said. */
    private static String ip(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        Commands.Result result = Commands.run(command);
        return result.succeeded() ? null : result.output().strip();
    }

}
