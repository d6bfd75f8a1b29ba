#!/usr/bin/python3
"""Feature parity of the peer pipeline with RiskWatch: the share of (household, feature) values that agree.

    parity.py PEER_FEATURES.csv RISKWATCH_NIGHT.csv [--min-share 0.999]

PEER_FEATURES.csv is `pipeline.py features` (full household keys); RISKWATCH_NIGHT.csv is `riskwatch export-features
--night D` (household keys hashed as FeatureMatrix does: the first 16 hex digits of SHA-256 of the key). Values agree
within 1e-5 (relative or absolute: float32 sums in another order). Prints one line per feature that disagrees anywhere,
then the share; exits 1 when the share is below --min-share or the household sets differ.
"""
import argparse
import hashlib
import sys

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("peer")
    parser.add_argument("riskwatch")
    parser.add_argument("--min-share", type=float, default=0.999)
    args = parser.parse_args()
    peer = pd.read_csv(args.peer, dtype={"household": str, "dong": str})
    ours = pd.read_csv(args.riskwatch, dtype={"household": str, "dong": str})
    peer["household"] = [hashlib.sha256(k.encode()).hexdigest()[:16] for k in peer["household"]]
    features = [c for c in peer.columns if c not in ("household", "dong")]
    if features != [c for c in ours.columns if c not in ("household", "dong", "as_of", "label")]:
        print("parity: the two files have different feature columns", file=sys.stderr)
        return 1
    both = ours.merge(peer, on="household", suffixes=("_rw", "_peer"))
    only_rw, only_peer = len(ours) - len(both), len(peer) - len(both)
    print(f"households: RiskWatch {len(ours):,}, peer {len(peer):,}, in both {len(both):,}")
    agree = 0
    for name in features:
        a, b = both[f"{name}_rw"].to_numpy(float), both[f"{name}_peer"].to_numpy(float)
        ok = np.isclose(a, b, rtol=1e-5, atol=1e-5)
        agree += int(ok.sum())
        if not ok.all():
            i = np.flatnonzero(~ok)[:3]
            print(f"  {name}: {(~ok).sum():,} differ, e.g. RiskWatch {a[i].tolist()} vs peer {b[i].tolist()}")
    values = len(both) * len(features)
    share = agree / values if values else 0.0
    print(f"agreeing values: {agree:,} of {values:,} = {share:.6f} ({len(features)} features)")
    return 0 if share >= args.min_share and only_rw == 0 and only_peer == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
