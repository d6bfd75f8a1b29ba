#!/usr/bin/env bash
# A million households a night (issue 7): RiskWatch's nightly pass against the pandas + xgboost peer on the same files.
#
#   benchmarks/macro/run.sh --households N [--data DIR] [--reuse] [--setup-only] [--no-peer]
#     --reuse: only time, never generate (fails if the district is not set up); without it, missing setup steps run.
#     --ingest-days K: ingest only the last K days of usage history (see below); --setup-only: stop after the history.
#   benchmarks/macro/run.sh --scaling [--data DIR] [--reuse]         # 100k, 300k and 1M, then the table
#
# Layout under DIR (default /work/bench-data/macro; the contract with benchmarks/peer is benchmarks/macro/CONTRACT.md):
#   train-home/          20,000 households generated, ingested and trained: the models every district uses
#   train-features/      `riskwatch export-features` of it (the peer trains xgboost from it)
#   peer-models/         the peer's models
#   N/inbox-night/       the feed files of the timed night D (kept)
#   N/home/              RiskWatch home: history D-179..D-1 ingested, models copied, the night D-1 already run (slabs exist)
#   N/peer/              the peer's store
#   N/results/           /usr/bin/time -v output, stage timings, flagged lists, summary.json
#
# Setup is untimed and resumable: each step leaves a marker (N/.generated, N/.history, N/.warm) and is skipped when the
# marker exists; generated files are deterministic, so an interrupted setup may delete N/ and start again.
# The history is ingested in chunks while the generator writes it (the generator is paused while the backlog is large),
# and each chunk's CSVs are deleted once RiskWatch and the peer have read it: 1M × 180 days is ~21 GB of CSV.
#
# The timed night is repeatable: before each timed run, what a previous timed run of D wrote is removed from both stores
# (benchmarks/macro/reset-night.sql for RiskWatch; the peer's night is re-runnable by contract).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data=/work/bench-data/macro
households=""; scaling=0; reuse=0; setup_only=0; peer=1; ingest_days=180
end_date=2026-10-31        # D, the timed night
days=180
seed=1
backlog_gb=${MACRO_BACKLOG_GB:-6}   # CSV kept on disk at most while ingesting in chunks
while [ $# -gt 0 ]; do
  case "$1" in
    --households) households="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --reuse) reuse=1; shift ;;
    --scaling) scaling=1; shift ;;
    --setup-only) setup_only=1; shift ;;
    --no-peer) peer=0; shift ;;
    --ingest-days) ingest_days="$2"; shift 2 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ "$scaling" = 0 ] && [ -z "$households" ]; then
  echo "usage: run.sh --households N [--data DIR] [--reuse] [--setup-only] [--no-peer] | --scaling [--data DIR] [--reuse]" >&2
  exit 2
fi

"$root/riskwatch" --help >/dev/null   # builds the CLI in Release when its sources changed
# Setup (generate, ingest) runs from a copy of the build: a long setup must not see its binaries rebuilt under it.
setup_bin="$data/.setup-bin"
if [ ! -f "$setup_bin/riskwatch.dll" ]; then mkdir -p "$data"; rm -rf "$setup_bin"; cp -r "$root/artifacts/riskwatch" "$setup_bin"; fi
riskwatch() { dotnet "$setup_bin/riskwatch.dll" "$@"; }
pipeline="${PEER_PIPELINE:-$root/benchmarks/peer/pipeline.py}"
python=/usr/bin/python3
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
night_before=$(date -d "$end_date -1 day" +%F)
# --ingest-days K: usage files dated before D-K are deleted unread (the nightly reads 120 days; registry and events are
# always ingested whole). Only to set up a big district in less time; RESULTS says when it was used.
oldest_usage=$(date -d "$end_date -$ingest_days day" +%Y%m%d)
d_compact=${end_date//-/}

peer_ready() { [ "$peer" = 1 ] && [ -f "$pipeline" ]; }

# A fresh machine: the peer's Debian packages and the sqlite3 shell (reset-night.sql) are installed when missing.
if ! command -v sqlite3 >/dev/null || { [ "$peer" = 1 ] && ! "$python" -c 'import pandas, xgboost, scipy' 2>/dev/null; }; then
  log "installing python3-pandas python3-xgboost python3-scipy sqlite3…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pandas python3-xgboost python3-scipy sqlite3 >/dev/null) >&2
fi

setup_train() {
  local home="$data/train-home"
  [ -f "$home/.trained" ] && return 0
  log "training home: 20,000 households"
  mkdir -p "$home"
  export RISKWATCH_HOME="$home" RISKWATCH_DB="sqlite:$home/riskwatch.db"
  [ -f "$home/.ingested" ] || {
    riskwatch generate --households 20000 --days "$days" --end "$end_date" --seed "$seed" --out "$home/gen" >&2
    riskwatch ingest --inbox "$home/gen" --json > "$home/ingest.json"
    rm -rf "$home/gen"; touch "$home/.ingested"; }
  riskwatch train --as-of "$end_date" >&2
  rm -rf "$data/train-features"
  riskwatch export-features --as-of "$end_date" --out "$data/train-features" >&2
  touch "$home/.trained"
  unset RISKWATCH_HOME RISKWATCH_DB
}

setup_peer_models() {
  peer_ready || return 0
  [ -f "$data/peer-models/.trained" ] && return 0
  log "peer: training xgboost from train-features"
  "$python" "$pipeline" train --features "$data/train-features" --out "$data/peer-models" >&2
  touch "$data/peer-models/.trained"
}

# Moves every finished file (not open by the generator) out of gen/: the night's files to inbox-night, the rest to chunk/.
collect_finished() { # dir gen_pid
  local dir=$1 pid=$2 open f
  open="$( (ls -l "/proc/$pid/fd" 2>/dev/null || true) | awk '{print $NF}')"
  for f in "$dir/gen"/*.csv; do
    [ -e "$f" ] || continue
    if [ -n "$open" ] && grep -qxF "$f" <<<"$open"; then continue; fi
    case "$(basename "$f")" in
      *_"$d_compact".csv|*_"$d_compact".v*.csv) mv "$f" "$dir/inbox-night/" ;;
      usage_*) local day; day=$(basename "$f" | grep -o '[0-9]\{8\}')
        if [ "$day" -lt "$oldest_usage" ]; then rm -f "$f"; else mv "$f" "$dir/chunk/"; fi ;;
      *) mv "$f" "$dir/chunk/" ;;
    esac
  done
}

ingest_chunk() { # dir
  local dir=$1 home="$1/home"
  compgen -G "$dir/chunk/*.csv" >/dev/null || return 0
  log "$(basename "$dir"): ingesting $(ls "$dir/chunk" | wc -l) files ($(du -sh "$dir/chunk" | cut -f1))"
  RISKWATCH_HOME="$home" RISKWATCH_DB="sqlite:$home/riskwatch.db" riskwatch ingest --inbox "$dir/chunk" --json >> "$dir/results/history-ingest.jsonl"
  if peer_ready; then
    "$python" "$pipeline" prepare --inbox "$dir/chunk" --store "$dir/peer" --append >&2
    rm -f "$dir/chunk"/*.csv
  else
    # The peer's prepare is not ready yet: keep the chunk for it (setup resumes with these later).
    mkdir -p "$dir/peer-pending"; mv "$dir/chunk"/*.csv "$dir/peer-pending/"
  fi
}

setup_district() { # N
  local n=$1 dir="$data/$1" home="$data/$1/home"
  mkdir -p "$dir/inbox-night" "$dir/chunk" "$dir/results" "$home"
  if [ ! -f "$dir/.history" ]; then
    # Dongs grow with the district up to the generator's 49 (≈20,000 households a dong at 1M), at least the demo's 12.
    local dongs=$(( n * 49 / 1000000 )); [ "$dongs" -lt 12 ] && dongs=12; [ "$dongs" -gt 49 ] && dongs=49
    log "$n households in $dongs dongs: generating and ingesting the history in chunks"
    rm -rf "$dir/gen"; mkdir -p "$dir/gen"
    # dotnet directly, so that $! is the generator's own pid (its open files tell which CSVs are finished).
    dotnet "$setup_bin/riskwatch.dll" generate --households "$n" --dongs "$dongs" --days "$days" \
      --end "$end_date" --seed "$seed" --out "$dir/gen" >&2 &
    local gen=$! paused=0
    while kill -0 "$gen" 2>/dev/null; do
      sleep 5
      collect_finished "$dir" "$gen"
      local backlog; backlog=$(du -sm "$dir/gen" "$dir/chunk" | awk '{s+=$1} END {print s}')
      if [ "$backlog" -gt $(( backlog_gb * 1024 )) ] && [ "$paused" = 0 ]; then kill -STOP "$gen"; paused=1; fi
      if [ "$(du -sm "$dir/chunk" | cut -f1)" -gt 1500 ] || [ "$paused" = 1 ]; then
        ingest_chunk "$dir"
        if [ "$paused" = 1 ]; then kill -CONT "$gen"; paused=0; fi
      fi
    done
    wait "$gen"
    collect_finished "$dir" 0
    ingest_chunk "$dir"
    rmdir "$dir/gen"
    touch "$dir/.history"
  fi
  [ "$setup_only" = 1 ] && return 0
  if compgen -G "$dir/peer-pending/*.csv" >/dev/null && peer_ready; then
    log "$n: the peer reads the history kept for it"
    "$python" "$pipeline" prepare --inbox "$dir/peer-pending" --store "$dir/peer" --append >&2
    rm -rf "$dir/peer-pending"
  fi
  if [ ! -f "$dir/.warm" ]; then
    rm -rf "$home/models" "$home/inbox"; cp -r "$data/train-home/models" "$home/models"
    log "$n: the untimed night $night_before (builds the usage slabs of the window)"
    RISKWATCH_HOME="$home" RISKWATCH_DB="sqlite:$home/riskwatch.db" riskwatch nightly --date "$night_before" --json --timings \
      > "$dir/results/warm-night.json"
    touch "$dir/.warm"
  fi
}

time_night() { # N → results/summary.json
  local n=$1 dir="$data/$1" home="$data/$1/home" res="$data/$1/results"
  log "$n: resetting night $end_date"
  dotnet "$root/artifacts/riskwatch/riskwatch.dll" --help >/dev/null
  sqlite3 -cmd ".timeout 60000" "$home/riskwatch.db" ".param set :d \"'$end_date'\"" ".read $root/benchmarks/macro/reset-night.sql"
  rm -rf "$home/inbox"; mkdir -p "$home/inbox"; cp "$dir/inbox-night"/*.csv "$home/inbox/"
  sync
  log "$n: timing riskwatch nightly --date $end_date (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  RISKWATCH_HOME="$home" RISKWATCH_DB="sqlite:$home/riskwatch.db" /usr/bin/time -v -o "$res/riskwatch.time" \
    dotnet "$root/artifacts/riskwatch/riskwatch.dll" nightly --date "$end_date" --json --timings > "$res/riskwatch-night.json"
  local peer_json=null
  if [ "$peer" = 1 ] && [ -d "$dir/peer" ]; then
    log "$n: timing the peer's night"
    /usr/bin/time -v -o "$res/peer.time" "$python" "$pipeline" night --inbox "$dir/inbox-night" --store "$dir/peer" \
      --models "$data/peer-models" --as-of "$end_date" --out "$res/peer-flagged.csv" > "$res/peer-night.out"
    peer_json="$(tail -n 1 "$res/peer-night.out")"
  fi
  "$python" "$root/benchmarks/macro/summarize.py" --households "$n" --results "$res" --peer-json "$peer_json" \
    > "$res/summary.json"
  cat "$res/summary.json"
}

if [ "$setup_only" = 0 ]; then setup_train; setup_peer_models; fi
if [ "$scaling" = 1 ]; then sizes=(100000 300000 1000000); else sizes=("$households"); fi
for n in "${sizes[@]}"; do
  if [ "$reuse" = 1 ] && [ ! -f "$data/$n/.warm" ]; then
    echo "run.sh: --reuse but $data/$n is not set up yet (run without --reuse once)" >&2; exit 2
  fi
  setup_district "$n"
  [ "$setup_only" = 1 ] || time_night "$n"
done
if [ "$scaling" = 1 ] && [ "$setup_only" = 0 ]; then
  "$python" "$root/benchmarks/macro/summarize.py" --table "$data/100000/results" "$data/300000/results" "$data/1000000/results"
fi
