#!/usr/bin/env bash
# Scale-out runs for benchmarks/RESULTS.md ("Scale-out: workers on one PostgreSQL"): one shadow backfill of the same
# dates and partitions, enqueued by `riskwatch backfill --external-workers` and run by `riskwatch serve --worker`
# processes on one PostgreSQL, with 1 worker process, 1 process running 2 jobs at once, and 2 processes; each run on a
# fresh copy of the ingested district (no shadow, ledger or Hangfire state left from the run before). Prints the backfill's
# wall time, how many partitions each worker process ran, and the load average before and after.
#
# Usage: benchmarks/scale-out.sh [HOUSEHOLDS] [DATES] [DONGS_PER_PARTITION]   (default 10000 4 3)
# The district (generated feeds, keys, trained models) is kept under $RISKWATCH_SCALEOUT_DATA
# (default /work/bench-data/scaleout) and reused by later runs; the PostgreSQL is the throwaway one of the tests
# (tools/postgres-for-tests.sh) unless RISKWATCH_TEST_PG names another.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
households=${1:-10000}
dates=${2:-4}
per_partition=${3:-3}
data="${RISKWATCH_SCALEOUT_DATA:-/work/bench-data/scaleout}/district-$households"
end=2026-11-22
from=$(date -d "$end - $((dates - 1)) days" +%F)

"$root/riskwatch" --help >/dev/null  # builds the CLI in Release when needed
dll="$root/artifacts/riskwatch/riskwatch.dll"
source "$root/tools/postgres-for-tests.sh"
pg_base="${RISKWATCH_TEST_PG%/*}"
sql() { psql -qtAX "$pg_base/$1" -c "$2"; }
workers=()
stop_workers() {
  for pid in "${workers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${workers[@]}"; do wait "$pid" 2>/dev/null || true; done
  workers=()
}
trap 'stop_workers; riskwatch_pg_stop' EXIT

# The district, once: feeds and the home with its keys and models (models trained on the first run, then reused).
mkdir -p "$data"
if [ ! -d "$data/inbox" ]; then
  RISKWATCH_HOME="$data/home" dotnet "$dll" generate --out "$data/inbox" --end "$end" --households "$households" \
    --days 150 --seed 11 --lonely-death-multiplier 300 --db "sqlite:$data/unused.db" >/dev/null
  rm -f "$data/unused.db"
fi
template="rwscale_template_$households"
sql postgres "DROP DATABASE IF EXISTS $template" >/dev/null
sql postgres "CREATE DATABASE $template" >/dev/null
echo "# ingest $households households × 150 days into PostgreSQL…" >&2
RISKWATCH_HOME="$data/home" dotnet "$dll" ingest --inbox "$data/inbox" --db "$pg_base/$template" >/dev/null
if [ ! -d "$data/home/models/crisis" ]; then
  echo "# train (first run only)…" >&2
  RISKWATCH_HOME="$data/home" dotnet "$dll" train --db "$pg_base/$template" --as-of "$end" >/dev/null
fi

home_for() { # a home per process (own logs) with the district's keys and models
  local h="$data/run/$1"; rm -rf "$h"; mkdir -p "$h"
  cp -r "$data/home/keys" "$data/home/models" "$h/"
  echo "$h"
}

run() { # processes jobs-per-process → one result line
  local processes=$1 per_process=$2 db="rwscale_run"
  sql postgres "DROP DATABASE IF EXISTS $db" >/dev/null
  sql postgres "CREATE DATABASE $db TEMPLATE $template" >/dev/null
  mkdir -p "$data/run"
  for i in $(seq 1 "$processes"); do
    RISKWATCH_HOME="$(home_for "worker$i")" dotnet "$dll" serve --worker --worker-count "$per_process" \
      --db "$pg_base/$db" >"$data/run/worker$i.log" 2>&1 &
    workers+=($!)
    # one at a time: the first one installs Hangfire's schema
    local waited=0
    until [ "$(sql "$db" "SELECT COUNT(*) FROM hangfire.server" 2>/dev/null || echo 0)" -ge "$i" ]; do
      sleep 0.5; waited=$((waited + 1))
      [ "$waited" -lt 360 ] || { echo "worker $i did not start:" >&2; cat "$data/run/worker$i.log" >&2; exit 1; }
    done
  done
  local load_before start elapsed
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  start=$(date +%s.%N)
  RISKWATCH_HOME="$(home_for cli)" dotnet "$dll" backfill --db "$pg_base/$db" --external-workers --shadow \
    --from "$from" --to "$end" --dongs-per-partition "$per_partition" --max-in-flight 4 >"$data/run/backfill.out" 2>&1 \
    || { cat "$data/run/backfill.out" >&2; exit 1; }
  elapsed=$(echo "$(date +%s.%N) - $start" | bc)
  local split
  split=$(sql "$db" "SELECT string_agg(n::text, '+' ORDER BY n DESC) FROM (SELECT COUNT(*) n FROM hangfire.state WHERE name = 'Processing' GROUP BY split_part(data::json->>'ServerId', ':', 2)) t")
  printf '%-28s %4d partitions  %7.1f s  partitions per process: %-7s load avg before %s, after %s\n' \
    "$processes process(es) × $per_process job(s)" "$(sql "$db" "SELECT COUNT(*) FROM shadow_run WHERE status = 'done'")" \
    "$elapsed" "$split" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
  stop_workers
  sql postgres "DROP DATABASE $db" >/dev/null
}

echo "# $(date -u '+%F %H:%M') UTC, $households households, $from..$end, $per_partition dongs per partition, shadow backfill"
run 1 1
run 1 2
run 2 1
