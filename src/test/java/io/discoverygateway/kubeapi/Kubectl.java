package io.discoverygateway.kubeapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /**
     * What kubectl printed (standard output and error) and how it exited (-1 when it
     * could not run).
     */
    public record Result(int exitCode, String output) {
    }

    /** Whether kubectl is installed here. */
    public static boolean installed() {
        return run(List.of(executable(), "version", "--client"), null).exitCode() == 0;
    }

    /**
     * Runs a command; with {@code home}, in a private home: kubectl caches discovery
     * documents there, and must not see a real kubeconfig.
     */
    public static Result run(List<String> command, Path home) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (home != null) {
                builder.environment().put("HOME", home.toString());
                builder.environment().remove("KUBECONFIG");
            }
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, output);
            }
            return new Result(process.exitValue(), output);
        }
        catch (IOException ex) {
            return new Result(-1, ex.getMessage());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Result(-1, ex.getMessage());
        }
    }

}
