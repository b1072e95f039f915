#!/usr/bin/env bash
# Builds what the compose stack runs, unless it is already there:
#   flink-job/target/flink-job-<version>-job.jar      the shaded job jar (job-submit)
#   simulator/target/*.jar + simulator/target/lib/    simulator and alert printer classpath
#   trainer/target/*.jar + trainer/target/lib/        trainer and model-bootstrap classpath
#   console/target/*.jar + console/target/lib/        the analyst console
# Runs in the compose service "build" (Maven in a container) or on the host: bash deploy/compose/build.sh
# (on Linux the host build keeps target/ owned by you). FORCE=1 rebuilds.
set -euo pipefail
cd "$(dirname "$0")/../.."
built() {
  compgen -G "flink-job/target/flink-job-*-job.jar" >/dev/null \
    && compgen -G "simulator/target/simulator-*.jar" >/dev/null && [ -d simulator/target/lib ] \
    && compgen -G "trainer/target/trainer-*.jar" >/dev/null && [ -d trainer/target/lib ] \
    && compgen -G "console/target/console-*.jar" >/dev/null && [ -d console/target/lib ]
}
if [ -z "${FORCE:-}" ] && built; then
  echo "build: jars and tool classpaths present (FORCE=1 to rebuild)"
  exit 0
fi
# One reactor run: package (tests skipped; `mvn verify` runs them) and copy each module's runtime
# dependencies to target/lib, so the tools run with java -cp 'target/<module>.jar:target/lib/*'.
mvn -B -q -DskipTests -pl flink-job,simulator,trainer,console -am package \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib
built || { echo "build: expected outputs are missing after the build" >&2; exit 1; }
echo "build: done"
