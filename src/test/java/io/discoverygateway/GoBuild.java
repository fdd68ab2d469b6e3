package io.discoverygateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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
        try {
            Path output = Files.createTempFile("go-build", ".log");
            Process process = new ProcessBuilder(List.of(absolute.toString())).redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
            int exit = process.waitFor();
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            Files.deleteIfExists(output);
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
        catch (IOException ex) {
            return new Located(Optional.empty(), "could not run " + absolute + ": " + ex.getMessage());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Located(Optional.empty(), "interrupted");
        }
    }

}
