#!/usr/bin/env python3
"""The macro benchmark's figures: one district's summary.json from its results folder, or the scaling table (Markdown)."""
import argparse
import json
import os
import sys


def read_time(path):
    """Wall, CPU (user + system) seconds and peak RSS (MiB) from a `/usr/bin/time -v` report."""
    if not os.path.exists(path):
        return None
    fields = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.strip().rpartition(": ")
            fields[key] = value
    wall = 0.0
    for part in fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"):
        wall = wall * 60 + float(part)
    cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mib": round(int(fields["Maximum resident set size (kbytes)"]) / 1024)}


def summary(households, results, peer_json):
    night = json.load(open(os.path.join(results, "riskwatch-night.json"), encoding="utf-8"))
    riskwatch = read_time(os.path.join(results, "riskwatch.time"))
    riskwatch["stages"] = night.get("stages", [])
    riskwatch["households_scored"] = night["households_scored"]
    riskwatch["flagged"] = night["flagged"]
    out = {"households": households, "load_average_after": open("/proc/loadavg").read().split()[:3], "riskwatch": riskwatch}
    peer = read_time(os.path.join(results, "peer.time"))
    if peer is not None and peer_json not in (None, "", "null"):
        peer["stages"] = json.loads(peer_json)
        out["peer"] = peer
        out["ratio_wall"] = round(riskwatch["wall_s"] / peer["wall_s"], 3)
    return out


def table(folders):
    stages = ["ingest", "open", "history", "features", "flatline", "score", "collect", "flag", "push"]
    rows = []
    for folder in folders:
        path = os.path.join(folder, "summary.json")
        if os.path.exists(path):
            rows.append(json.load(open(path, encoding="utf-8")))
    print("| households | " + " | ".join(f"{s} s (CPU)" for s in stages) + " | wall s | CPU s | peak RSS MiB | µs/household | peer wall s | ratio |")
    print("|---:|" + "---:|" * (len(stages) + 6))
    for r in rows:
        rw = r["riskwatch"]
        by = {s["stage"]: s for s in rw["stages"]}
        cells = [f"{by[s]['wall_seconds']:.2f} ({by[s]['cpu_seconds']:.2f})" if s in by else "–" for s in stages]
        peer = r.get("peer")
        peer_cells = f" | {peer['wall_s']:.1f} | {r['ratio_wall']:.2f} |" if peer else " | – | – |"
        print(f"| {r['households']:,} | " + " | ".join(cells)
              + f" | {rw['wall_s']:.1f} | {rw['cpu_s']:.1f} | {rw['peak_rss_mib']} | {rw['wall_s'] / r['households'] * 1e6:.1f}"
              + peer_cells)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int)
    parser.add_argument("--results")
    parser.add_argument("--peer-json")
    parser.add_argument("--table", nargs="+")
    args = parser.parse_args()
    if args.table:
        table(args.table)
    else:
        json.dump(summary(args.households, args.results, args.peer_json), sys.stdout, indent=2)
        print()


if __name__ == "__main__":
    main()
