#!/usr/bin/env bash
# Feature parity, one command: RiskWatch's features of a night (`riskwatch export-features --night D`) against the peer
# pipeline's (`pipeline.py prepare` + `pipeline.py features`) for every household, on the same feed files.
#
#   benchmarks/peer/parity.sh [--home DIR --inbox DIR] [--date D]
#
# Without --home, a small district (5,000 households, 180 days) is generated and ingested in a temp folder. With --home,
# DIR is a RISKWATCH_HOME whose store holds the feed files of --inbox. The peer uses the home's pseudonym key (so the
# household keys match) and its own store in a temp folder. D defaults to the last day of the inbox.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
home=""; inbox=""; date=""
while [ $# -gt 0 ]; do
  case "$1" in
    --home) home="$2"; shift 2 ;;
    --inbox) inbox="$2"; shift 2 ;;
    --date) date="$2"; shift 2 ;;
    *) echo "parity.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d /tmp/riskwatch-parity-XXXXXX)"
trap 'rm -rf "$work"' EXIT
if [ -z "$home" ]; then
  home="$work/home"; inbox="$work/inbox"
  RISKWATCH_HOME="$home" ./riskwatch generate --out "$inbox" --households 5000 --days 180 --end 2026-11-23 >&2
  RISKWATCH_HOME="$home" ./riskwatch ingest --inbox "$inbox" >&2
elif [ -z "$inbox" ]; then
  echo "parity.sh: --home needs --inbox (the feed files its store holds)" >&2; exit 2
fi
if [ -z "$date" ]; then
  last="$(ls "$inbox" | sed -nE 's/^usage_electricity_([0-9]{8}).*/\1/p' | sort | tail -1)"
  date="${last:0:4}-${last:4:2}-${last:6:2}"
fi
RISKWATCH_HOME="$home" ./riskwatch export-features --night "$date" --out "$work/rw" >&2
/usr/bin/python3 benchmarks/peer/pipeline.py prepare --inbox "$inbox" --store "$work/peer" --key-file "$home/keys/pseudonym.key" >&2
/usr/bin/python3 benchmarks/peer/pipeline.py features --store "$work/peer" --as-of "$date" --out "$work/peer.csv" >&2
echo "feature parity as of $date:"
/usr/bin/python3 benchmarks/peer/parity.py "$work/peer.csv" "$work/rw/night_$date.csv"
