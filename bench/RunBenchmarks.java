/**
 * Entry point of the benchmark suite, run by bench/run.sh with Java's single-file source launcher on the test
 * classpath. The suite itself is io.discoverygateway.bench.BenchmarkSuite in src/test.
 */
public final class RunBenchmarks {

    private RunBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        io.discoverygateway.bench.BenchmarkSuite.execute(args);
    }
}
