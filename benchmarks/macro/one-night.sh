#!/usr/bin/env bash
# One timed RiskWatch night of a macro district already set up by run.sh, with extra environment (GC knobs and the like),
# and its peak RSS polled once a second — for trying a change or a runtime setting without the peer:
#
#   N=1000000 benchmarks/macro/one-night.sh LABEL [VAR=VALUE ...]     (N defaults to 100000; DATA to /work/bench-data/macro)
#   BUILD=DIR benchmarks/macro/one-night.sh LABEL                      (a published build instead of the tree's own)
#
# Prints one line: label, wall, CPU (user + sys), peak RSS (MiB), each stage's wall/CPU, the load average after.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
label=$1; shift
data=${DATA:-/work/bench-data/macro}; n=${N:-100000}; home=$data/$n/home; d=2026-10-31
[ -n "${BUILD:-}" ] || "$root/riskwatch" --help >/dev/null   # builds the CLI in Release when its sources changed
sqlite3 -cmd ".timeout 60000" "$home/riskwatch.db" ".param set :d \"'$d'\"" ".read $root/benchmarks/macro/reset-night.sql"
rm -rf "$home/inbox"; mkdir -p "$home/inbox"; cp "$data/$n/inbox-night"/*.csv "$home/inbox/"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
env "$@" RISKWATCH_HOME="$home" RISKWATCH_DB="sqlite:$home/riskwatch.db" /usr/bin/time -f "%e %U %S %M" -o "$out/time" \
  dotnet "${BUILD:-$root/artifacts/riskwatch}/riskwatch.dll" nightly --date $d --json --timings > "$out/night.json"
python3 - "$label" "$out" <<'PY'
import json, sys
label, out = sys.argv[1], sys.argv[2]
d = json.load(open(f"{out}/night.json")); t = open(f"{out}/time").read().split()
stages = " ".join(f"{s['stage']}={s['wall_seconds']:.2f}/{s['cpu_seconds']:.2f}" for s in d["stages"])
print(label, "wall", t[0], "cpu", round(float(t[1]) + float(t[2]), 2), "rss", int(t[3]) // 1024, stages,
      "load", open("/proc/loadavg").read().split()[0])
PY
