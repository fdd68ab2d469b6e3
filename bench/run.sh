#!/usr/bin/env bash
# Runs the benchmark suite: bench/run.sh [quick|full|churn|auth]   (quick: about 3 min, full: about 6 min on 2 cores)
# The gateway runs in its own JVM, on the Temurin 25 JDK when present (virtual threads), else on the default JDK;
# the embedded Kubernetes API and all load run in a second JVM. The report goes to target/bench/report-<size>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-quick}"
gateway_jdk="${GATEWAY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$gateway_jdk/bin/java" ] || gateway_jdk="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
./mvnw -B -q -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench/classpath.txt -Dmdep.includeScope=test
exec java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" bench/RunBenchmarks.java \
  "$size" "$gateway_jdk"
