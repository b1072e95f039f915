#!/usr/bin/env python3
"""Turns JMH JSON results (-rf json) of ExtractorBenchmark / DjlBenchmark into the tables of docs/BENCHMARKS.md.

Medians over all measurement iterations (the machine is shared and noisy: means are dominated by outliers),
with the range, and each extractor result as a ratio to the memory-bandwidth reference for the same n.
Usage: python3 benchmarks/report.py jvm.json [djl.json]
"""
import json
import statistics
import sys


def load(paths):
    rows = []
    for path in paths:
        for r in json.load(open(path)):
            raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
            rows.append({
                "bench": r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1],
                "params": r.get("params", {}),
                "median": statistics.median(raw),
                "min": min(raw),
                "max": max(raw),
            })
    return rows


def us(ns):
    return f"{ns / 1000:.2f}"


def main():
    rows = load(sys.argv[1:])
    bw = {int(r["params"]["n"]): r["median"] for r in rows if r["bench"].endswith("bandwidthReference")}
    print("| benchmark | n | k | median µs/event | range µs | ratio to bandwidth ref. |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    order = ["bandwidthReference", "sparse", "dense", "stream", "coldCache", "batch"]
    rows.sort(key=lambda r: (order.index(r["bench"].split(".")[1]) if r["bench"].split(".")[1] in order else 9,
                             r["params"].get("mode", ""), int(r["params"].get("k", 0)), int(r["params"]["n"])))
    for r in rows:
        n = int(r["params"]["n"])
        k = r["params"].get("k", "")
        name = r["bench"]
        if "mode" in r["params"]:
            name += " " + r["params"]["mode"]
        ratio = f"{r['median'] / bw[n]:.1f}x" if n in bw and not name.endswith("bandwidthReference") else ""
        print(f"| {name} | {n} | {k} | {us(r['median'])} | {us(r['min'])}-{us(r['max'])} | {ratio} |")


if __name__ == "__main__":
    main()
