"""The `segment` command's work written as a plain pandas script, for the whole-process comparison.

`python bench/plain_segment.py FILE.parquet|FILE.csv` does what a careful analyst's script would on the
generated export, the way tutorials write it, and what `python -m metriqr segment FILE --json` does on it:
read the file, drop lines without a customer, value each line (quantity × unit price, returns negative),
one row per customer (last purchase, orders, net spend), quintile scores by rank, a segment per score
cell, and one JSON object with the count per segment. It knows the columns in advance (MetriQR detects
them), reads dates as the file types them, does not look for duplicate lines (MetriQR drops them), and keeps
no account of the rows it drops: a lower bound for the same result.
"""
from __future__ import annotations

import json
import sys

import pandas as pd

# The RFM grid of metriqr.segments, by (R, mean of F and M rounded half up): enough for the same work.
GRID = {5: "champions", 4: "loyal", 3: "need_attention", 2: "at_risk", 1: "inactive"}


def main(path: str) -> int:
    frame = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
    frame = frame[frame["CustomerID"].notna()]
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    frame["amount"] = frame["Quantity"] * frame["UnitPrice"]
    is_return = frame["InvoiceNo"].astype(str).str.startswith("C")
    as_of = frame["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    purchases = frame[~is_return]
    rfm = purchases.groupby("CustomerID").agg(last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"))
    rfm["monetary"] = frame.groupby("CustomerID")["amount"].sum()
    rfm["recency"] = (as_of - rfm["last"]).dt.days
    r = pd.qcut(rfm["recency"].rank(method="first"), 5, labels=[5, 4, 3, 2, 1]).astype(int)
    f = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    m = pd.qcut(rfm["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    fm = ((f + m) / 2 + 0.5).astype(int)
    rfm["segment"] = (r.where(fm >= 3, 1)).map(GRID)
    counts = rfm["segment"].value_counts()
    print(json.dumps({"as_of": as_of.strftime("%Y-%m-%d"), "customers": int(len(rfm)),
                      "segments": {key: int(n) for key, n in counts.items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
