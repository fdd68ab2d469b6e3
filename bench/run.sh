#!/usr/bin/env bash
# Runs the benchmark suite: bench/run.sh [quick|full|churn|auth|large|xds|startup|client|realkube|clusterauth|revocation|delta|realgrpc|clusterset]   (quick: about 5 min, full: about 11 min on
# 2 cores; client: the client library's propagation against the stock pattern, about 3 min)
# The gateway runs in its own JVM, on the Temurin 25 JDK when present (virtual threads), else on the default JDK;
# the embedded Kubernetes API and all load run in a second JVM. The report goes to target/bench/report-<size>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-quick}"
if [ "$size" = client ]; then
  # The client library's figures: change written to the API -> consumers' LoadBalancer lists (client/).
  ./mvnw -B -q -DskipTests package
  ./mvnw -B -q -f client/pom.xml -Dgateway.root="$PWD" -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench/classpath.txt -Dmdep.includeScope=test
  cd client
  exec java -Dgateway.root=.. -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
    io.discoverygateway.client.e2e.PropagationBenchmark "${2:-20}" "${3:-10}"
fi
gateway_jdk="${GATEWAY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$gateway_jdk/bin/java" ] || gateway_jdk="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
# startup measures the packaged jar (with its Spring AOT code), as the image runs it.
[ "$size" = startup ] && ./mvnw -B -q -DskipTests package
./mvnw -B -q -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench/classpath.txt -Dmdep.includeScope=test
if [ "$size" = realkube ]; then
  # On a real control plane built from source (src/test/realkube/build.sh): bench/run.sh realkube [services]
  # [endpoints per service] (default 10,000 x 10). Report: target/bench/report-realkube.md.
  exec java -Xmx2g -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
    io.discoverygateway.bench.RealClusterBenchmark "${2:-10000}" "${3:-10}" "$gateway_jdk"
fi
if [ "$size" = clusterauth ]; then
  # Consumer authentication with every namespace watched, on a real control plane: bench/run.sh clusterauth
  # [namespaces] (default 1,000). Report: target/bench/report-clusterauth.md.
  exec java -Xmx1g -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
    io.discoverygateway.bench.ClusterWideAuthBenchmark "${2:-1000}" "$gateway_jdk"
fi
if [ "$size" = revocation ]; then
  # Stream revocation with many consumer identities on a real control plane: bench/run.sh revocation [identities]
  # [recheck seconds] (default 1,000 and 10). Report: target/bench/report-revocation.md.
  exec java -Xmx2g -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
    io.discoverygateway.bench.StreamRevocationBenchmark "${2:-1000}" "${3:-10}" "$gateway_jdk"
fi
if [ "$size" = realgrpc ]; then
  # Pod readiness on a real control plane to grpc-java's calls through xDS (root: pod addresses on loopback):
  # bench/run.sh realgrpc [flips] (default 20). Report: target/bench/report-realgrpc.md.
  exec java -Xmx1g -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
    io.discoverygateway.bench.RealClusterGrpcBenchmark "${2:-20}" "$gateway_jdk"
fi
if [ "$size" = clusterset ]; then
  # Two clusters (embedded APIs): remote change propagation, heap per cluster and per remote endpoint, API requests
  # per cluster: bench/run.sh clusterset [services] [changes] (default 1,000 and 50). Report:
  # target/bench/report-clusterset.md.
  exec java -Xmx2g -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
    io.discoverygateway.bench.ClusterSetBenchmark "${2:-1000}" "${3:-50}" "$gateway_jdk"
fi
if [ "$size" = delta ]; then
  # Wildcard CDS, state of the world against incremental xDS: bench/run.sh delta [services] [changes] (default
  # 10,000 and 50). Report: target/bench/report-delta.md.
  exec java -Xmx2g -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
    io.discoverygateway.xds.DeltaXdsBenchmark "${2:-10000}" "${3:-50}"
fi
# BENCH_GATEWAY_CPUS=1 BENCH_LOAD_CPUS=0 keeps the load generator off the gateway's core (taskset).
exec ${BENCH_LOAD_CPUS:+taskset -c $BENCH_LOAD_CPUS} java -Xmx2g -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/bench/classpath.txt)" bench/RunBenchmarks.java \
  "$size" "$gateway_jdk"
