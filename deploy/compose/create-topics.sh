#!/usr/bin/env bash
# Compose one-shot "topics": waits for the broker (with a deadline), then creates every topic in $TOPICS
# ("name:partitions ...", replication factor 1) if missing; topics in $COMPACTED_TOPICS are compacted.
set -euo pipefail
bin=/opt/kafka/bin
deadline=$(( $(date +%s) + ${WAIT_SECONDS:-180} ))
until "$bin/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --list >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "topics: broker $BOOTSTRAP_SERVERS not reachable after ${WAIT_SECONDS:-180} s" >&2
    exit 1
  fi
  sleep 2
done
for spec in $TOPICS; do
  name=${spec%%:*}
  partitions=${spec##*:}
  config=()
  for c in ${COMPACTED_TOPICS:-}; do
    [ "$c" = "$name" ] && config=(--config cleanup.policy=compact)
  done
  "$bin/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor 1 "${config[@]}"
done
"$bin/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --describe | grep -E '^Topic:' || true
echo "topics: ready"
