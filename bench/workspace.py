"""The workspace store: DuckDB (chosen) against SQLite, on the same cleaned history.

    python -m bench.workspace [--lines 1000000]

Times what a user waits for: adding an upload (one transaction: replace the days it covers,
insert its lines), reading the whole history back for the analysis, re-sending a month, and the
file's size. SQLite runs the same operations through the standard library (`sqlite3`), with an
index on the date so the replacement is not a full scan.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def history(lines: int, seed: int = 7) -> pd.DataFrame:
    """A cleaned history shaped like a real export: hash-like ids, timestamps, repeated names."""
    rng = np.random.default_rng(seed)
    customers = np.array([f"{h:016x}" for h in rng.integers(0, 2**63, max(lines // 20, 1))], dtype=object)
    products = np.array([f"SKU{i:05d}" for i in range(4000)], dtype=object)
    names = np.array([f"Categoria {i % 40}" for i in range(4000)], dtype=object)
    product = rng.integers(0, len(products), lines)
    return pd.DataFrame({
        "customer": pd.Categorical(customers[rng.integers(0, len(customers), lines)]),
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 * 86400, lines), unit="s"),
        "amount": rng.integers(100, 100_000, lines) / 100, "is_return": rng.random(lines) < 0.01,
        "quantity": rng.integers(1, 5, lines).astype(float),
        "order": pd.Categorical([f"P{i:09d}" for i in rng.integers(0, lines // 3, lines)]),
        "product": pd.Categorical(products[product]), "product_name": pd.Categorical(names[product]),
    })


def timed(label: str, action, results: dict[str, float]) -> object:
    start = time.perf_counter()
    value = action()
    results[label] = time.perf_counter() - start
    return value


def duckdb_case(frame: pd.DataFrame, month: pd.DataFrame, folder: Path) -> dict[str, float]:
    from metriqr import workspace as store

    os.environ[store.DATA_DIR_ENV] = str(folder)
    results: dict[str, float] = {}
    workspace = store.create_workspace(folder / "ws")
    timed("ingest", lambda: store.ingest(workspace, frame, name="all", rows={}), results)
    timed("load", lambda: store.load_transactions(workspace), results)
    timed("re-send a month", lambda: store.ingest(workspace, month, name="month", rows={}), results)
    results["MB on disk"] = sum(p.stat().st_size for p in (folder / "ws").iterdir()) / 1e6
    return results


def sqlite_case(frame: pd.DataFrame, month: pd.DataFrame, folder: Path) -> dict[str, float]:
    results: dict[str, float] = {}
    path = folder / "ws.sqlite"
    plain = frame.astype({c: object for c in ("customer", "order", "product", "product_name")})
    plain_month = month.astype({c: object for c in ("customer", "order", "product", "product_name")})

    def add(rows: pd.DataFrame) -> None:
        with sqlite3.connect(path) as con:  # one transaction
            con.execute("CREATE TABLE IF NOT EXISTS lines (customer TEXT, date TEXT, amount REAL, is_return INTEGER, "
                        "quantity REAL, \"order\" TEXT, product TEXT, product_name TEXT)")
            con.execute("CREATE INDEX IF NOT EXISTS by_date ON lines (date)")
            first, last = rows["date"].min().normalize(), rows["date"].max().normalize() + pd.Timedelta(days=1)
            con.execute("DELETE FROM lines WHERE date >= ? AND date < ?", (str(first), str(last)))
            rows.assign(date=rows["date"].astype(str)).to_sql("lines", con, if_exists="append", index=False)

    def load() -> pd.DataFrame:
        with sqlite3.connect(path) as con:
            out = pd.read_sql("SELECT * FROM lines", con)
        out["date"] = pd.to_datetime(out["date"])
        return out

    timed("ingest", lambda: add(plain), results)
    timed("load", load, results)
    timed("re-send a month", lambda: add(plain_month), results)
    results["MB on disk"] = path.stat().st_size / 1e6
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    frame = history(args.lines)
    month = frame[(frame["date"] >= "2025-06-01") & (frame["date"] < "2025-07-01")]
    with tempfile.TemporaryDirectory() as tmp:
        duck = duckdb_case(frame, month, Path(tmp) / "duckdb")
        lite = sqlite_case(frame, month, Path(tmp))
    print(f"{args.lines:,} lines      DuckDB    SQLite")
    for key in duck:
        print(f"{key:<16} {duck[key]:8.2f}  {lite[key]:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
