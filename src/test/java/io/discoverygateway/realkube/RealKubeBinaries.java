package io.discoverygateway.realkube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Kubernetes binaries (kube-apiserver, kube-controller-manager, kubectl, etcd), built from their Go modules
 * by {@code src/test/realkube/build.sh} into a cache outside the repository. Asked once per test JVM: the script
 * answers at once when the binaries of the pinned versions are there, and builds them otherwise (minutes, once).
 *
 * <p>Where Go is missing the real-cluster tests are skipped, loudly; in CI ({@code CI=true}) they fail instead.
 */
public final class RealKubeBinaries {

    private static final Logger log = LoggerFactory.getLogger(RealKubeBinaries.class);
    static final Path BUILD_SCRIPT = Path.of("src/test/realkube/build.sh");
    private static volatile Located located;

    private RealKubeBinaries() {
    }

    /** The folder of the binaries, or why there is none. */
    public record Located(Optional<Path> folder, String problem) {
    }

    public static Located locate() {
        Located result = located;
        if (result == null) {
            synchronized (RealKubeBinaries.class) {
                result = located;
                if (result == null) {
                    result = build();
                    located = result;
                }
            }
        }
        return result;
    }

    /** The folder of the binaries; throws (CI) or reports why not (elsewhere) when there is none. */
    public static Optional<Path> folder() {
        Located result = locate();
        if (result.folder().isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("The real-cluster suite must run in CI, but: " + result.problem());
        }
        return result.folder();
    }

    public static boolean inCi() {
        return "true".equals(System.getenv("CI"));
    }

    public static Path binary(String name) {
        return folder().orElseThrow(() -> new IllegalStateException(locate().problem())).resolve(name);
    }

    private static Located build() {
        Path script = BUILD_SCRIPT.toAbsolutePath();
        if (!Files.isExecutable(script)) {
            return new Located(Optional.empty(), script + " is missing");
        }
        try {
            Path output = Files.createTempFile("realkube-build", ".log");
            Process process = new ProcessBuilder(List.of(script.toString())).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            int exit = process.waitFor();
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            Files.deleteIfExists(output);
            if (exit == 0 && !lines.isEmpty()) {
                Path folder = Path.of(lines.get(lines.size() - 1).strip());
                log.info("Real Kubernetes binaries: {}", folder);
                return new Located(Optional.of(folder), "");
            }
            String problem = exit == 3 ? "Go is not installed, so kube-apiserver, kube-controller-manager, kubectl and"
                    + " etcd cannot be built (src/test/realkube/build.sh)"
                    : "src/test/realkube/build.sh failed (" + exit + "): " + String.join("\n", lines);
            if (!inCi()) {
                log.warn("""

                        ************************************************************************************
                         THE REAL-CLUSTER SUITE IS SKIPPED: {}
                         Only the embedded Kubernetes API was tested. CI never skips it.
                        ************************************************************************************""",
                        problem);
            }
            return new Located(Optional.empty(), problem);
        }
        catch (IOException ex) {
            return new Located(Optional.empty(), "could not run " + script + ": " + ex.getMessage());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Located(Optional.empty(), "interrupted");
        }
    }
}
