#!/bin/bash
# Samples the CPU time of every thread of a running `./fraudstream bench` (or any JVM whose command line matches
# PATTERN) every 5 s, from /proc, without touching the JVM: one line "epoch-seconds|thread name|utime+stime ticks"
# per thread and sample, appended to OUT, until the process exits. thread-cpu.py turns it into cores per thread
# group (JIT compilers, scoring, broker, ...) per 10 s. Linux only. docs/BENCHMARKS.md, "The JIT settles".
# Usage: local-runner/scripts/thread-cpu.sh OUT [PATTERN]   (start it before or with the bench)
out=${1:?usage: thread-cpu.sh OUT [PATTERN]}
pattern=${2:-io.fraudstream.cli.Fraudstream bench}
pid=""
while [ -z "$pid" ]; do pid=$(pgrep -f "$pattern" | head -1); [ -z "$pid" ] && sleep 1; done
while kill -0 "$pid" 2>/dev/null; do
  t=$(date +%s)
  for d in /proc/$pid/task/*; do
    read -r st < "$d/stat" 2>/dev/null || continue
    read -r c < "$d/comm" 2>/dev/null
    rest=${st##*) }
    set -- $rest
    echo "$t|$c|$((${12}+${13}))"
  done >> "$out"
  sleep 5
done
