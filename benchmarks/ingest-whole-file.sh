#!/usr/bin/env bash
# Whole-file ingest runs for benchmarks/RESULTS.md ("Ingest (issue 3)"): one usage_electricity file of N rows
# (20,000 households × N/20,000 days) through the real CLI (`riskwatch ingest`) into a fresh SQLite store and a fresh
# PostgreSQL database, with wall time and peak RSS from /usr/bin/time; and, in the same run, `psql \copy` of the same
# file into a bare table as PostgreSQL's own floor; CPU seconds of the client process and of the PostgreSQL cluster for
# each run (SQLite runs in the client: its server column is the cluster idling). Usage: benchmarks/ingest-whole-file.sh [ROWS...] (default 1000000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows_list=("${@:-1000000}")
work="$(mktemp -d /tmp/riskwatch-bench-ingest-XXXXXX)"
trap 'rm -rf "$work"' EXIT

"$root/riskwatch" --help >/dev/null  # builds the CLI in Release when needed
dll="$root/artifacts/riskwatch/riskwatch.dll"
source "$root/tools/postgres-for-tests.sh"
trap 'riskwatch_pg_stop; rm -rf "$work"' EXIT
pg_base="${RISKWATCH_TEST_PG%/*}"
pg_uri() { echo "postgresql://postgres@127.0.0.1:${pg_base##*:}/$1"; }

# CPU seconds the throwaway cluster has used so far: the postmaster and its live children, plus the children it has
# reaped (backends of finished connections). On a loaded machine wall time depends on how the scheduler shares the
# cores between process trees; CPU time is what each side spent, and the lead can compare both.
server_cpu() {
  local pm ticks
  pm=$(head -1 "$RISKWATCH_PG_DIR/data/postmaster.pid")
  ticks=$(awk '{ t += $14 + $15 + $16 + $17 } END { print t }' "/proc/$pm/stat" \
    $(ps -o pid= --ppid "$pm" | sed 's#.*#/proc/&/stat#' | tr -d ' ' | xargs -r ls 2>/dev/null))
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

measure() { # label rows command… → one result line
  local label=$1 rows=$2; shift 2
  local before after
  before=$(server_cpu)
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  sleep 1 # the run's backend exits and is reaped after the client has gone
  after=$(server_cpu)
  read -r seconds kib user system <"$work/time"
  awk -v l="$label" -v r="$rows" -v s="$seconds" -v k="$kib" -v c="$user" -v y="$system" -v b="$before" -v a="$after" \
    'BEGIN { printf "%-34s %10d rows %8.2f s %10.0f rows/s  peak RSS %5.0f MiB  CPU client %6.2f s server %6.2f s\n", l, r, s, r / s, k / 1024, c + y, a - b }'
}

for rows in "${rows_list[@]}"; do
  inbox="$work/inbox-$rows"; mkdir -p "$inbox"
  python3 - "$inbox/usage_electricity_20260720.csv" "$rows" <<'PY'
import sys, random, datetime
path, rows = sys.argv[1], int(sys.argv[2]); households = 20000; rnd = random.Random(1)
start = datetime.date(2026, 1, 1)
with open(path, "w", buffering=1 << 20) as f:
    f.write("household_id,date,kwh,active_hours,quality\n")
    for day in range(rows // households):
        d = (start + datetime.timedelta(days=day)).isoformat()
        f.write("".join(f"H{h:08d},{d},{5 + rnd.random() * 6:.3f},{rnd.randint(4, 17)},measured\n" for h in range(households)))
PY
  file="$inbox/usage_electricity_20260720.csv"
  echo "# $rows rows ($(du -m "$file" | cut -f1) MB)"
  export RISKWATCH_HOME="$work/home-$rows"
  measure "riskwatch ingest → SQLite" "$rows" dotnet "$dll" ingest --inbox "$inbox" --db "sqlite:$work/rw-$rows.db"

  db="rwbench_$rows"
  psql -q "$(pg_uri postgres)" -c "CREATE DATABASE $db" >/dev/null
  measure "riskwatch ingest → PostgreSQL" "$rows" dotnet "$dll" ingest --inbox "$inbox" --db "${pg_base}/$db"
  psql -q "$(pg_uri "$db")" -c "CREATE TABLE bare (household_id text, date text, kwh double precision, active_hours int, quality text)"
  measure "psql \\copy → bare table" "$rows" psql -q "$(pg_uri "$db")" -c "\\copy bare FROM '$file' WITH (FORMAT csv, HEADER true)"
  psql -q "$(pg_uri "$db")" -c "CREATE TABLE bare_pk (household_id text, date text, kwh double precision, active_hours int, quality text, PRIMARY KEY (date, household_id))"
  measure "psql \\copy → table with its key" "$rows" psql -q "$(pg_uri "$db")" -c "\\copy bare_pk FROM '$file' WITH (FORMAT csv, HEADER true)"
done
