#!/usr/bin/env bash
# A Flink standalone session cluster on this machine, without Docker: one JobManager and two TaskManagers,
# each its own JVM started from Flink's entry points with the Maven artifacts (what cluster-it's
# StandaloneClusterIT does in a test). Then the job is submitted over the REST API.
#
#   deploy/local-cluster.sh up                         build if needed, start JM + 2 TMs, wait for them
#   deploy/local-cluster.sh submit KAFKA [SAVEPOINT]   bootstrap a signed model (once), upload the job jar, run it
#                                                      (parallelism $PARALLELISM, default 2; from SAVEPOINT if given)
#   deploy/local-cluster.sh savepoint JOB_ID           stop the job with a savepoint; prints its path
#   deploy/local-cluster.sh status | down
#
# KAFKA is host:port of a broker with the topics (e.g. `docker compose up -d kafka topics` gives localhost:9094).
# Web UI http://localhost:${REST_PORT:-8081}; Prometheus metrics on ports 9250 (JM), 9251, 9252 (TMs).
# State (config, logs, checkpoints, savepoints, model store, keys) lives in var/local-cluster/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/var/local-cluster
conf=$work/conf
rest=http://localhost:${REST_PORT:-8081}
classpath_file=cluster-it/target/flink-cluster.classpath
job_jar=$(compgen -G "flink-job/target/flink-job-*-job.jar" | head -1 || true)

die() { echo "local-cluster: $*" >&2; exit 1; }

build() {
  if [ ! -s "$classpath_file" ] || [ -z "$job_jar" ] || [ ! -s trainer/target/runtime-classpath.txt ]; then
    echo "local-cluster: building (tests skipped) ..."
    mvn -B -q -DskipTests -pl cluster-it,trainer -am package
    job_jar=$(compgen -G "flink-job/target/flink-job-*-job.jar" | head -1)
  fi
}

write_conf() {
  mkdir -p "$conf" "$work/log" "$work/tmp"
  cat > "$conf/config.yaml" <<YAML
jobmanager.rpc.address: localhost
jobmanager.rpc.port: 6123
jobmanager.bind-host: localhost
jobmanager.memory.process.size: 1024m
rest.address: localhost
rest.bind-address: localhost
rest.port: ${REST_PORT:-8081}
taskmanager.host: localhost
taskmanager.bind-host: localhost
taskmanager.numberOfTaskSlots: 1
taskmanager.cpu.cores: 1
taskmanager.memory.framework.heap.size: 64m
taskmanager.memory.task.heap.size: 512m
taskmanager.memory.framework.off-heap.size: 64m
taskmanager.memory.task.off-heap.size: 32m
taskmanager.memory.network.min: 64m
taskmanager.memory.network.max: 64m
taskmanager.memory.managed.size: 256m
taskmanager.memory.jvm-metaspace.size: 256m
taskmanager.memory.jvm-overhead.min: 128m
taskmanager.memory.jvm-overhead.max: 128m
state.backend.type: rocksdb
execution.checkpointing.dir: file://$work/checkpoints
execution.checkpointing.savepoint-dir: file://$work/savepoints
web.upload.dir: $work/uploads
io.tmp.dirs: $work/tmp
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
YAML
  cat > "$conf/log4j.properties" <<'PROPS'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
PROPS
}

# Flink's env.java.opts.all for Java 17 (from its default config.yaml).
java17_opts=(--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
  --add-modules ALL-SYSTEM # includes jdk.incubator.vector where the JDK has it (docs/EXTRACTOR.md)
  -XX:-UseCodeCacheFlushing) # Java 17's sweeper recompiles hot methods it finds cold (docs/DEPLOYMENT.md, JVM options)

start_node() { # name main prom-port heap...
  local name=$1 main=$2 port=$3; shift 3
  [ -f "$work/$name.pid" ] && kill -0 "$(cat "$work/$name.pid")" 2>/dev/null && die "$name already runs (down first)"
  nohup java "$@" "${java17_opts[@]}" -Dlog.file="$work/log/$name.log" \
    -Dlog4j.configurationFile="file://$conf/log4j.properties" -cp "$(cat "$classpath_file")" "$main" \
    --configDir "$conf" -Dmetrics.reporter.prom.port="$port" > "$work/log/$name.out" 2>&1 &
  echo $! > "$work/$name.pid"
  echo "local-cluster: $name pid $! (log $work/log/$name.log, metrics :$port)"
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

await() { # description seconds command...
  local what=$1 deadline=$(( $(date +%s) + $2 )); shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && die "timed out waiting for $what (logs in $work/log)"
    sleep 1
  done
}

cluster_ready() {
  curl -fsS "$rest/overview" | python3 -c "import json,sys; o=json.load(sys.stdin); sys.exit(0 if o['taskmanagers']==2 else 1)"
}

case "${1:-}" in
  up)
    build
    write_conf
    start_node jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint 9250 -Xmx512m
    for i in 1 2; do
      start_node "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner $((9250 + i)) \
        -Xmx576m -Xms576m -XX:MaxDirectMemorySize=192m -XX:MaxMetaspaceSize=256m
    done
    await "2 TaskManagers registered" 120 cluster_ready
    echo "local-cluster: up; web UI $rest"
    ;;
  submit)
    kafka=${2:?usage: submit KAFKA [SAVEPOINT]}
    savepoint=${3:-}
    build
    cluster_ready || die "no cluster at $rest (run: $0 up)"
    java -cp "trainer/target/classes:$(cat trainer/target/runtime-classpath.txt)" deploy/compose/ModelBootstrap.java \
      --keys "$work/keys" --store "$work/model-store" --seed 42
    jar_id=$(curl -fsS -X POST -F "jarfile=@$job_jar;type=application/x-java-archive" "$rest/jars/upload" \
      | json_field "['filename']" | xargs basename)
    body=$(python3 - "$kafka" "$work" "${PARALLELISM:-2}" "$savepoint" <<'PY'
import json, sys
kafka, work, parallelism, savepoint = sys.argv[1:5]
body = {"entryClass": "io.fraudstream.job.FraudScoringJob", "parallelism": int(parallelism),
        "programArgsList": ["--kafka.bootstrap-servers", kafka, "--model.store", work + "/model-store",
                            "--model.public-key", work + "/model-store/trust/model-signing.pub",
                            "--model.initial-descriptor", work + "/model-store/champion.json",
                            "--validation.max-event-lead", "3650 d"]}
if savepoint:
    body["savepointPath"] = savepoint
print(json.dumps(body))
PY
)
    job=$(curl -fsS -X POST -H 'Content-Type: application/json' -d "$body" "$rest/jars/$jar_id/run" | json_field "['jobid']")
    echo "local-cluster: job $job submitted (parallelism ${PARALLELISM:-2}${savepoint:+, from $savepoint})"
    ;;
  savepoint)
    job=${2:?usage: savepoint JOB_ID}
    trigger=$(curl -fsS -X POST -H 'Content-Type: application/json' \
      -d "{\"targetDirectory\": \"file://$work/savepoints\", \"drain\": false}" "$rest/jobs/$job/stop" | json_field "['request-id']")
    savepoint_done() { curl -fsS "$rest/jobs/$job/savepoints/$trigger" | grep -q '"COMPLETED"'; }
    await "the savepoint" 300 savepoint_done
    curl -fsS "$rest/jobs/$job/savepoints/$trigger" | python3 -c "import json,sys; o=json.load(sys.stdin)['operation']; \
print(o.get('location') or 'savepoint failed: %s' % o.get('failure-cause')); sys.exit(0 if o.get('location') else 1)"
    ;;
  status)
    for f in "$work"/*.pid; do [ -e "$f" ] || continue; n=$(basename "$f" .pid)
      if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$n: running (pid $(cat "$f"))"; else echo "$n: stopped"; fi; done
    curl -fsS "$rest/jobs/overview" 2>/dev/null | python3 -c "import json,sys; [print(j['jid'], j['name'], j['state']) for j in json.load(sys.stdin)['jobs']]" || true
    ;;
  down)
    for f in "$work"/*.pid; do [ -e "$f" ] || continue
      pid=$(cat "$f"); kill "$pid" 2>/dev/null && echo "local-cluster: stopped $(basename "$f" .pid) ($pid)" || true; rm -f "$f"; done
    ;;
  *)
    sed -n '2,15p' "$0"; exit 2 ;;
esac
