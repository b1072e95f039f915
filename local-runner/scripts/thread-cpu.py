#!/usr/bin/env python3
"""Cores per thread group per ~10 s from thread-cpu.sh samples, from the start of the bench's paced job (the last
time its scoring threads appear): JIT (C1 + C2 compiler threads), scoring ("score card tran..."), Kafka broker
(data-plane), producer threads, and the whole process. Usage: thread-cpu.py SAMPLES...  (docs/BENCHMARKS.md)"""
import collections
import sys

CLOCK_TICKS = 100  # USER_HZ on Linux


def groups(name):
    if 'CompilerThre' in name:
        return 'jit'
    if name.startswith('score card'):
        return 'scoring'
    if name.startswith('data-plane-kaf'):
        return 'broker'
    if name.startswith('kafka-producer'):
        return 'producers'
    return 'other'


for path in sys.argv[1:]:
    samples = collections.defaultdict(collections.Counter)
    for line in open(path):
        parts = line.rstrip('\n').split('|')
        if len(parts) == 3:
            samples[int(parts[0])][parts[1]] += int(parts[2])
    times = sorted(samples)
    start, before = times[0], False
    for t in times:  # the paced job: the last start of the scoring threads
        has = any(n.startswith('score card') for n in samples[t])
        if has and not before:
            start = t
        before = has
    picked = [t for t in times if t >= start]
    print(path)
    print('  s from paced job start: jit / scoring / broker / producers / process (cores)')
    for a, b in zip(picked[::2], picked[2::2]):
        cores = collections.Counter()
        for name, ticks in samples[b].items():
            d = ticks - samples[a].get(name, 0)
            if d > 0:  # threads that ended between the samples drop out
                cores[groups(name)] += d
                cores['process'] += d
        secs = (b - a) * CLOCK_TICKS
        print('  %4d: %s' % (a - start, ' / '.join('%.2f' % (cores[g] / secs)
                                                     for g in ('jit', 'scoring', 'broker', 'producers', 'process'))))
