package io.discoverygateway.realkube;

import java.nio.file.Path;
import java.util.Optional;

import io.discoverygateway.GoBuild;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Kubernetes binaries (kube-apiserver, kube-controller-manager, kubectl, etcd),
 * built from their Go modules by {@code src/test/realkube/build.sh} into a cache outside
 * the repository. Asked once per test JVM: the script answers at once when the binaries
 * of the pinned versions are there, and builds them otherwise (minutes, once).
 *
 * <p>
 * Where Go is missing the real-cluster tests are skipped, loudly; in CI ({@code CI=true})
 * they fail instead.
 */
public final class RealKubeBinaries {

    private static final Logger log = LoggerFactory.getLogger(RealKubeBinaries.class);

    /**
     * The build script, from the gateway's folder (gateway.root when the client library's
     * tests use it).
     */
    static final Path BUILD_SCRIPT = Path.of(System.getProperty("gateway.root", "."))
        .resolve("src/test/realkube/build.sh");

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

    /**
     * The folder of the binaries; throws (CI) or reports why not (elsewhere) when there
     * is none.
     */
    public static Optional<Path> folder() {
        Located result = locate();
        if (result.folder().isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("The real-cluster suite must run in CI, but: " + result.problem());
        }
        return result.folder();
    }

    public static boolean inCi() {
        return GoBuild.inCi();
    }

    public static Path binary(String name) {
        return folder().orElseThrow(() -> new IllegalStateException(locate().problem())).resolve(name);
    }

    private static Located build() {
        GoBuild.Located built = GoBuild.run(BUILD_SCRIPT, "kube-apiserver, kube-controller-manager, kubectl and etcd",
                "the real-cluster suite (only the embedded Kubernetes API was tested)");
        built.path().ifPresent(folder -> log.info("Real Kubernetes binaries: {}", folder));
        return new Located(built.path(), built.problem());
    }

}
