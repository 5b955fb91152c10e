"""Turn one benchmark run into a JSON line, or the lines into a table.

usage:
  record.py TOOL DATA CLUSTERS.csv TRUTH.csv TIME_FILE [EXTRA_JSON]
  record.py --table RESULTS.jsonl

TIME_FILE is GNU time's -v report. For Splink, EXTRA_JSON carries the
threshold and the script's own timings; its wall time is the process's
less the clusterings at the other thresholds (so one threshold's cost).
"""
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import pandas as pd  # noqa: E402
from evaluate import evaluate  # noqa: E402


def gnu_time(path: str) -> dict:
    text = Path(path).read_text()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    parts = [float(p) for p in m.group(1).split(":")] if m else [0.0]
    wall = 0.0
    for p in parts:
        wall = wall * 60 + p
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    user = re.search(r"User time \(seconds\): ([\d.]+)", text)
    sys_ = re.search(r"System time \(seconds\): ([\d.]+)", text)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(float(user.group(1)) + float(sys_.group(1)), 2) if user and sys_ else None,
        "peak_rss_mib": round(int(rss.group(1)) / 1024, 1) if rss else None,
    }


def one(tool, data, clusters, truth, time_file, extra=None):
    c = pd.read_csv(clusters, dtype=str, usecols=["id", "cluster_id"])
    c.columns = ["rid", "cluster"]
    t = pd.read_csv(truth, dtype=str, usecols=["id", "person_id"])
    t.columns = ["rid", "person"]
    row = {"tool": tool, "data": data, **evaluate(c, t), **gnu_time(time_file)}
    if extra:
        e = json.loads(extra)
        row["threshold"] = e.get("threshold")
        sp = e.get("splink", {})
        cl = sp.get("cluster_s", {})
        if cl:
            others = sum(v for k, v in cl.items() if float(k) != row["threshold"])
            row["wall_s"] = round(row["wall_s"] - others, 2)
    else:
        row["threshold"] = 0.9
    print(json.dumps(row))


def table(path):
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    print("| data | tool | threshold | precision | recall | F1 | wall s | CPU s | peak MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['data']} | {r['tool']} | {r['threshold']} | {r['precision']:.4f} | {r['recall']:.4f} | "
            f"{r['f1']:.4f} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mib']} |"
        )


if __name__ == "__main__":
    if sys.argv[1] == "--table":
        table(sys.argv[2])
    else:
        one(*sys.argv[1:])
