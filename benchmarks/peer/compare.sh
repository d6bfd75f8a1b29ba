#!/usr/bin/env bash
# Scoring vs peers, one command: RiskWatch's trainer (FastTree, and the FastTree + LightGbm blend of --lightgbm), xgboost and scikit-learn's HistGradientBoosting on the same split,
# side by side in benchmarks/RESULTS.md ("Scoring vs peers (issue 4)").
#
#   benchmarks/peer/compare.sh [--home DIR] [--capacity K]
#
# --home DIR reuses a RISKWATCH_HOME whose store already holds a district (e.g. after `./riskwatch demo --no-serve`);
# without it, a fresh README demo district (20,000 households, 12 dongs, 180 days) is generated and ingested in a temp folder.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
home=""; capacity=5
while [ $# -gt 0 ]; do
  case "$1" in
    --home) home="$2"; shift 2 ;;
    --capacity) capacity="$2"; shift 2 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# The peers come from Debian (PyPI is not reachable); the system Python is the one that sees them.
python=/usr/bin/python3
if ! "$python" -c 'import pandas, sklearn, xgboost' 2>/dev/null; then
  echo "compare.sh: installing python3-pandas python3-sklearn python3-xgboost…" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pandas python3-sklearn python3-xgboost >&2
fi

work="$(mktemp -d /tmp/riskwatch-peer-XXXXXX)"
trap 'rm -rf "$work"' EXIT
if [ -z "$home" ]; then
  home="$work/home"
  # The demo's district (lonely-death hazard ×20, see the README) without training or serving: generate + ingest.
  RISKWATCH_HOME="$home" ./riskwatch generate --out "$home/inbox" --households 20000 --dongs 12 --days 180 --lonely-death-multiplier 20 >&2
  RISKWATCH_HOME="$home" ./riskwatch ingest --inbox "$home/inbox" >&2
fi

matrices="$work/matrices"
RISKWATCH_HOME="$home" ./riskwatch export-features --out "$matrices" >&2
dotnet run -c Release --project benchmarks -v quiet -- peer "$matrices" >&2
"$python" benchmarks/peer/peer.py "$matrices" --capacity "$capacity" --results benchmarks/RESULTS.md
