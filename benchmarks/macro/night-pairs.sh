#!/usr/bin/env bash
# Alternated pairs of the 100k night between two published builds of the CLI, for an A/B on a shared machine:
#
#   ./riskwatch --help && cp -r artifacts/riskwatch BUILD_A      (at the old commit; BUILD_B at the new one)
#   benchmarks/macro/night-pairs.sh BUILD_A BUILD_B [PAIRS]     (N, DATA as in one-night.sh)
#
#   STORE_B=DIR benchmarks/macro/night-pairs.sh BUILD BUILD [PAIRS]   (B runs on another store of the same district,
#     DIR holding home/ and inbox-night/: a copy made with `VACUUM INTO`, say, for an A/B of a store setting)
#
# Each run resets the night, runs it under /usr/bin/time, and prints a hash of the night's risk_score rows (equal
# hashes: both builds scored every household the same), wall, CPU, peak RSS and the stages.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data=${DATA:-/work/bench-data/macro}; n=${N:-100000}; d=2026-10-31
run() { # build label store
  local home=$3/home
  sqlite3 -cmd ".timeout 60000" "$home/riskwatch.db" ".param set :d \"'$d'\"" ".read $root/benchmarks/macro/reset-night.sql"
  rm -rf "$home/inbox"; mkdir -p "$home/inbox"; cp "$3/inbox-night"/*.csv "$home/inbox/"
  RISKWATCH_HOME="$home" RISKWATCH_DB="sqlite:$home/riskwatch.db" /usr/bin/time -f "%e %U %S %M" -o /tmp/night-pairs.time \
    dotnet "$1/riskwatch.dll" nightly --date $d --json --timings > /tmp/night-pairs.json
  local hash; hash=$(sqlite3 "$home/riskwatch.db" \
    "SELECT household_no, crisis_score, lonely_death_score FROM risk_score WHERE run_date = '$d' ORDER BY 1" | md5sum | cut -c1-8)
  python3 - "$2" "$hash" <<'PY'
import json, sys
d = json.load(open("/tmp/night-pairs.json")); t = open("/tmp/night-pairs.time").read().split()
stages = " ".join(f"{s['stage']}={s['wall_seconds']:.2f}/{s['cpu_seconds']:.2f}" for s in d["stages"])
print(sys.argv[1], sys.argv[2], "wall", t[0], "cpu", round(float(t[1]) + float(t[2]), 2), "rss", int(t[3]) // 1024, stages,
      "load", open("/proc/loadavg").read().split()[0])
PY
}
for _ in $(seq "${3:-2}"); do run "$1" A "$data/$n"; run "$2" B "${STORE_B:-$data/$n}"; done
