#!/usr/bin/env bash
# Runs a fraudstream tool in the compose stack: java-tool.sh <module> <main class | single-file .java> [args]
# with the classpath deploy/compose/build.sh prepared (<module>/target/<module>-*.jar and <module>/target/lib/*).
set -euo pipefail
module=$1 main=$2
shift 2
jar=$(compgen -G "$module/target/$module-*.jar" | grep -v -- '-sources\|-tests' | head -1 || true)
if [ -z "$jar" ] || [ ! -d "$module/target/lib" ]; then
  echo "java-tool: $module is not built (run deploy/compose/build.sh, or let the compose service 'build' run)" >&2
  exit 1
fi
# -Dai.djl.offline=true: the trainer's DJL must never download natives (they come from the pytorch-native jar).
exec java -Xmx${JAVA_XMX:-1g} -Dai.djl.offline=true --add-modules ALL-SYSTEM -cp "$jar:$module/target/lib/*" "$main" "$@"
