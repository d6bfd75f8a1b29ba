#!/usr/bin/env python3
"""Scores of `dotnet run --project benchmarks -- peer-variants` (and xgboost with peer.py's settings on the same folds),
measured with peer.py's own metrics: one Markdown row per variant, ROC-AUC / PR-AUC / precision@capacity per fold and
their mean over the earlier folds.

    variants.py MATRICES SCORES TARGET FOLDS [--capacity K]      (FOLDS: comma list of e1, e2, test)
    variants.py MATRICES - TARGET test --row-orders 3            (xgboost on the test split, train rows in file order and
                                                                 in 3 shuffled orders: how much row order alone moves it)
"""
import argparse
import glob
import os
import sys

import numpy as np
import pandas as pd
import xgboost

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import LEAD, metrics, weights  # noqa: E402  (the one metric code of the comparison)


def fold(train, test, name):
    """The same folds as PeerVariants.Fold: eK tests on the K-th window (as many dates as the test split) from the end."""
    if name == "test":
        return train, test
    window = test["as_of"].nunique()
    dates = sorted(train["as_of"].unique())
    first = len(dates) - int(name[1:]) * window
    start, end = dates[first], dates[first + window - 1]
    return train[train.as_of < start], train[(train.as_of >= start) & (train.as_of <= end)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("matrices")
    parser.add_argument("scores")
    parser.add_argument("target")
    parser.add_argument("folds")
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument("--row-orders", type=int, default=0)
    args = parser.parse_args()
    train = pd.read_csv(os.path.join(args.matrices, f"{args.target}_train.csv"), dtype={"household": str, "dong": str})
    test = pd.read_csv(os.path.join(args.matrices, f"{args.target}_test.csv"), dtype={"household": str, "dong": str})
    features = [c for c in train.columns if c not in LEAD]
    if args.row_orders:
        for seed in [None] + list(range(1, args.row_orders + 1)):
            rows = train if seed is None else train.sample(frac=1.0, random_state=seed)
            y = rows["label"].to_numpy()
            model = xgboost.XGBClassifier(n_estimators=100, max_leaves=31, max_depth=0, grow_policy="lossguide", learning_rate=0.2,
                                          tree_method="hist", n_jobs=os.cpu_count() or 1, random_state=1)
            model.fit(rows[features].to_numpy(np.float32), y, sample_weight=weights(y))
            m = metrics(test, model.predict_proba(test[features].to_numpy(np.float32))[:, 1], args.capacity)
            print(f"xgboost, train rows in {'file order' if seed is None else f'shuffled order {seed}'}: "
                  f"{m['roc']:.3f} / {m['pr']:.3f} / {m['p_at_cap']:.3f}", flush=True)
        return
    folds = args.folds.split(",")
    table = {}
    for name in folds:
        tr, te = fold(train, test, name)
        key = (te["household"] + "|" + te["as_of"]).to_numpy()
        model = xgboost.XGBClassifier(n_estimators=100, max_leaves=31, max_depth=0, grow_policy="lossguide", learning_rate=0.2,
                                      tree_method="hist", n_jobs=os.cpu_count() or 1, random_state=1)
        y = tr["label"].to_numpy()
        model.fit(tr[features].to_numpy(np.float32), y, sample_weight=weights(y))
        table.setdefault("xgboost (peer.py's settings)", {})[name] = metrics(
            te, model.predict_proba(te[features].to_numpy(np.float32))[:, 1], args.capacity)
        for path in sorted(glob.glob(os.path.join(args.scores, f"{args.target}.{name}.*.csv"))):
            variant = os.path.basename(path)[len(f"{args.target}.{name}."):-len(".csv")]
            scored = pd.read_csv(path, dtype={"household": str, "dong": str})
            by_key = pd.Series(scored["score"].to_numpy(), index=(scored["household"] + "|" + scored["as_of"]).to_numpy())
            table.setdefault(variant, {})[name] = metrics(te, by_key.reindex(key).to_numpy(), args.capacity)

    def cell(m):
        return f"{m['roc']:.3f} / {m['pr']:.3f} / {m['p_at_cap']:.3f}"

    earlier = [f for f in folds if f != "test"]
    print(f"| variant ({args.target}; ROC-AUC / PR-AUC / precision@capacity) | " + " | ".join(folds) + " | mean of earlier folds |")
    print("|---|" + "---|" * (len(folds) + 1))
    for variant, by_fold in table.items():
        means = {k: float(np.mean([by_fold[f][k] for f in earlier])) for k in ("roc", "pr", "p_at_cap")} if earlier else None
        print(f"| {variant} | " + " | ".join(cell(by_fold[f]) if f in by_fold else "-" for f in folds) + " | "
              + (cell(means) if means else "-") + " |")


if __name__ == "__main__":
    main()
