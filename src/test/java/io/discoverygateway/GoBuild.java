package io.discoverygateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.discoverygateway.process.Commands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tool of the test environment built from Go modules by a script of the repository
 * ({@code src/test/.../build.sh}) into a cache outside it: the script prints what it
 * built (or found cached) on its last line, and exits with 3 when Go is missing. Where Go
 * is missing the tests that need the tool are skipped, loudly; in CI ({@code CI=true})
 * they fail instead.
 */
public final class GoBuild {

    private static final Logger log = LoggerFactory.getLogger(GoBuild.class);

    private GoBuild() {
    }

    /** What a build script made (the last line it printed), or why there is nothing. */
    public record Located(Optional<Path> path, String problem) {
    }

    public static boolean inCi() {
        return "true".equals(System.getenv("CI"));
    }

    /**
     * Runs the build script.
     * @param what what it builds, for the messages ("kube-apiserver,
     * kube-controller-manager, kubectl and etcd")
     * @param suite the tests that are skipped without it ("the real-cluster suite")
     */
    public static Located run(Path script, String what, String suite) {
        Path absolute = script.toAbsolutePath();
        if (!Files.isExecutable(absolute)) {
            return new Located(Optional.empty(), absolute + " is missing");
        }
        // A cold build of the Kubernetes components takes about ten minutes on two cores.
        Commands.Result result = Commands.run(List.of(absolute.toString()), null, Map.of(), List.of(),
                Duration.ofMinutes(30));
        List<String> lines = result.output().lines().toList();
        int exit = result.exitCode();
        if (exit == 0 && !lines.isEmpty()) {
            return new Located(Optional.of(Path.of(lines.get(lines.size() - 1).strip())), "");
        }
        String problem = exit == 3 ? "Go is not installed, so " + what + " cannot be built (" + script + ")"
                : script + " failed (" + exit + "): " + String.join("\n", lines);
        if (!inCi()) {
            log.warn("""

                    ************************************************************************************
                     {} IS SKIPPED: {}
                     CI never skips it.
                    ************************************************************************************""",
                    suite.toUpperCase(java.util.Locale.ROOT), problem);
        }
        return new Located(Optional.empty(), problem);
    }

}
