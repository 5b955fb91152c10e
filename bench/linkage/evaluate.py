"""Pairwise precision, recall and F1 of a clustering against the truth.

usage: evaluate.py CLUSTERS.csv TRUTH.csv [--truth-id ID] [--truth-column COL]
                   [--cluster-id-column id] [--cluster-column cluster_id]

CLUSTERS.csv has one row per record (record id, cluster id); TRUTH.csv maps
record id to the true person. A pair is predicted when both records share a
cluster, and true when they share a person. Prints one JSON line.
"""
import argparse
import json
import sys

import pandas as pd


def pairs_within(sizes):
    return int((sizes * (sizes - 1) // 2).sum())


def evaluate(clusters: pd.DataFrame, truth: pd.DataFrame) -> dict:
    df = clusters.merge(truth, on="rid", how="inner")
    if len(df) != len(truth):
        print(f"warning: {len(truth) - len(df)} truth records not in clusters", file=sys.stderr)
    predicted = pairs_within(df.groupby("cluster").size())
    actual = pairs_within(df.groupby("person").size())
    tp = pairs_within(df.groupby(["cluster", "person"]).size())
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"records": len(df), "true_pairs": actual, "predicted_pairs": predicted,
            "true_positives": tp, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clusters")
    ap.add_argument("truth")
    ap.add_argument("--truth-id", default="id")
    ap.add_argument("--truth-column", default="person_id")
    ap.add_argument("--cluster-id-column", default="id")
    ap.add_argument("--cluster-column", default="cluster_id")
    a = ap.parse_args()
    c = pd.read_csv(a.clusters, dtype=str, usecols=[a.cluster_id_column, a.cluster_column])
    c.columns = ["rid", "cluster"]
    t = pd.read_csv(a.truth, dtype=str, usecols=[a.truth_id, a.truth_column])
    t.columns = ["rid", "person"]
    print(json.dumps(evaluate(c, t)))


if __name__ == "__main__":
    main()
