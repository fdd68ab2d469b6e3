package io.discoverygateway.kubeapi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.discoverygateway.process.Commands;
import io.discoverygateway.realkube.RealKubeBinaries;

/**
 * Runs kubectl, as README's steps do: the one built from the pinned Kubernetes release
 * with the real-cluster components ({@link RealKubeBinaries}), else an installed one. In
 * CI the built one is always there, so the tests that need kubectl never skip.
 */
public final class Kubectl {

    private Kubectl() {
    }

    /**
     * The kubectl to run: the built one when the real Kubernetes binaries can be had,
     * else kubectl on the PATH.
     */
    public static String executable() {
        return RealKubeBinaries.folder().map(folder -> folder.resolve("kubectl").toString()).orElse("kubectl");
    }

    /** Whether kubectl is installed here. */
    public static boolean installed() {
        return run(List.of(executable(), "version", "--client"), null).exitCode() == 0;
    }

    /**
     * Runs a kubectl command; with {@code home}, in a private home: kubectl caches
     * discovery documents there, and must not see a real kubeconfig.
     */
    public static Commands.Result run(List<String> command, Path home) {
        return home == null ? Commands.run(command) : Commands.run(command, null, Map.of("HOME", home.toString()),
                List.of("KUBECONFIG"), Duration.ofSeconds(60));
    }

}
