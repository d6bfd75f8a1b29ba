#!/usr/bin/env bash
# The diagnosis of the trainer's tree settings (RESULTS.md, "Scoring vs peers — notes (issue 4)", third round), one command:
# FastTree variants fitted on the earlier temporal folds inside exported train matrices, next to xgboost on the same folds.
#
#   benchmarks/peer/variants.sh MATRICES [TARGET] [FOLDS]     (MATRICES from `riskwatch export-features --out DIR`;
#                                                              TARGET crisis, FOLDS e1,e2 — add ",test" only to diagnose)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
matrices="$1"; target="${2:-crisis}"; folds="${3:-e1,e2}"
scores="$(mktemp -d /tmp/riskwatch-variants-XXXXXX)"
trap 'rm -rf "$scores"' EXIT
dotnet run -c Release --project benchmarks -v quiet -- peer-variants "$matrices" "$target" "$scores" "$folds" \
  'as before:' 'smoothing 0.2:smoothing=0.2' 'smoothing 0.5:smoothing=0.5' 'smoothing 0.8:smoothing=0.8' \
  'smoothing 0.95:smoothing=0.95' 'max tree output 1:max_tree_output=1' 'max tree output 0.3:max_tree_output=0.3' \
  'smoothing 0.5 + max tree output 1:smoothing=0.5;max_tree_output=1' \
  'smoothing 0.5, 10 per leaf:smoothing=0.5;min_leaf=10' 'smoothing 0.5, 100 per leaf:smoothing=0.5;min_leaf=100' \
  '10 per leaf:min_leaf=10' '100 per leaf:min_leaf=100' 'feature fraction 0.7:feature_fraction=0.7' \
  'feature fraction per split 0.7:feature_fraction_per_split=0.7' 'bagging 0.7:bagging_fraction=0.7' \
  'smoothing 0.5 + feature fraction 0.7:smoothing=0.5;feature_fraction=0.7' '63 bins:bins=63' \
  'no weights:weight_power=0' 'weights neg/pos:weight_power=1' 'UnbalancedSets, no weights:unbalanced_sets=1' \
  'learning rate 0.1, 200 trees:learning_rate=0.1;trees=200' \
  'best step (Newton split gain, no λ):best_step=1' 'best step, 300 per leaf:best_step=1;min_leaf=300' \
  'gain confidence 0.99:gain_confidence=0.99' 'entropy 0.1:entropy=0.1' 'dropout 0.1:dropout=0.1' \
  'weights ^0.25:weight_power=0.25' 'weights ^0.25 + cap 1:weight_power=0.25;max_tree_output=1' \
  'weights ^0.25 + smoothing 0.5:weight_power=0.25;smoothing=0.5' \
  'weights ^0.25 + smoothing 0.5 + cap 1 (the third default candidate):weight_power=0.25;smoothing=0.5;max_tree_output=1' \
  'weights ^0.25 + smoothing 0.5 + cap 0.5:weight_power=0.25;smoothing=0.5;max_tree_output=0.5' \
  'weights ^0.25 + smoothing 0.5 + cap 2:weight_power=0.25;smoothing=0.5;max_tree_output=2' \
  'no weights + smoothing 0.5 + cap 1:weight_power=0;smoothing=0.5;max_tree_output=1' >&2
/usr/bin/python3 benchmarks/peer/variants.py "$matrices" "$scores" "$target" "$folds"
