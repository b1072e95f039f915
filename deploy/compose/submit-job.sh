#!/usr/bin/env bash
# Compose one-shot "job-submit": waits for the Flink session cluster (JobManager REST with a free slot), then
# submits the shaded job jar with the arguments this script is given (flink run -d), unless a job named
# $JOB_NAME is already running. $FROM_SAVEPOINT, when set, restores the job from that savepoint.
set -euo pipefail
flink=/opt/flink/bin/flink
# The CLI finds the JobManager's REST endpoint through its configuration: a minimal one of our own.
export FLINK_CONF_DIR=/tmp/flink-cli-conf
mkdir -p "$FLINK_CONF_DIR"
printf 'rest.address: %s\nrest.port: %s\n' "${FLINK_REST%%:*}" "${FLINK_REST##*:}" > "$FLINK_CONF_DIR/config.yaml"
cp /opt/flink/conf/log4j-cli.properties "$FLINK_CONF_DIR/" 2>/dev/null || true
http_get() {
  if command -v curl >/dev/null; then curl -fsS "$1"; else wget -qO- "$1"; fi
}
deadline=$(( $(date +%s) + ${WAIT_SECONDS:-300} ))
until http_get "http://$FLINK_REST/overview" 2>/dev/null | grep -q '"slots-available":[1-9]'; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "job-submit: no Flink cluster with a free slot at $FLINK_REST after ${WAIT_SECONDS:-300} s" >&2
    exit 1
  fi
  sleep 2
done
if [ ! -f "$JOB_JAR" ]; then
  echo "job-submit: $JOB_JAR is missing: build it (deploy/compose/build.sh or mvn -DskipTests package)" >&2
  exit 1
fi
if "$flink" list -r 2>/dev/null | grep -q " : $JOB_NAME (RUNNING)"; then
  echo "job-submit: $JOB_NAME already runs; nothing to do (stop it with a savepoint to upgrade, docs/DEPLOYMENT.md)"
  exit 0
fi
restore=()
if [ -n "${FROM_SAVEPOINT:-}" ]; then
  restore=(--fromSavepoint "$FROM_SAVEPOINT")
fi
exec "$flink" run -d -p "$PARALLELISM" "${restore[@]}" -c "$JOB_MAIN_CLASS" "$JOB_JAR" "$@"
