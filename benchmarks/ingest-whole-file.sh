#!/usr/bin/env bash
# Whole-file ingest runs for benchmarks/RESULTS.md ("Ingest (issue 3)"): one usage_electricity file of N rows
# (20,000 households × N/20,000 days) through the real CLI (`riskwatch ingest`) into a fresh SQLite store and a fresh
# PostgreSQL database, with wall time and peak RSS from /usr/bin/time; and, in the same run, `psql \copy` of the same
# file into a bare table as PostgreSQL's own floor. Usage: benchmarks/ingest-whole-file.sh [ROWS...] (default 1000000)
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

measure() { # label rows command… → one result line
  local label=$1 rows=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r seconds kib <"$work/time"
  awk -v l="$label" -v r="$rows" -v s="$seconds" -v k="$kib" \
    'BEGIN { printf "%-34s %10d rows %8.2f s %10.0f rows/s  peak RSS %5.0f MiB\n", l, r, s, r / s, k / 1024 }'
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
