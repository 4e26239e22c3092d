"""The engines at 10 and 50 million lines: `segment --engine memory|duckdb|spark` on one Parquet file, with
the wall time and the peak memory of the whole process tree (Spark's JVM included), next to the DuckDB SQL
a data analyst would write by hand for the same RFM quintiles (the near-limit reference: no cleaning, no
duplicates or returns policy, no exact cents).

    python -m bench.engines --sizes 10m,50m --engines duckdb,spark,memory --json-out bench/.data/engines.json
    python -m bench.engines --sizes 10m --engines duckdb,memory --command recommend

`--command recommend` runs `recommend --product P0` (the best-selling product) instead of `segment`: the
engine cleans the lines and hands them back (with codes into their distinct ids and products), so the
process needs memory for the lines, but not for reading and cleaning the file.

The data: warehouse-style Parquet, written in row groups as it is generated (never whole in memory): 2
million customers at 50m lines (a quarter of that per 12.5m), hex hash ids, heavy-tailed activity
(Zipf-like weights), three years of second-resolution timestamps with growth, weekly and daily rhythm and
a busy November, orders of ~2.5 lines, 2% returns (negative quantity and amount), 1% lines without a
customer, 0.5% repeated lines. Cached in bench/.data/ by size and seed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import DATA_DIR, parse_size, size_label  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
VERSION = 1
START = np.datetime64("2022-01-01T00:00:00", "s")
DAYS = 1096
CHUNK = 2_500_000
LINES_PER_ORDER = 2.5


def customers_for(lines: int) -> int:
    return max(1000, int(lines * 2_000_000 / 50_000_000))


def _hex_ids(n: int) -> pa.Array:
    """16-hex-digit ids, as a hash of the customer number (splitmix64)."""
    x = np.arange(n, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    return pa.array([f"{v:016x}" for v in x.tolist()], type=pa.string())


def _day_weights() -> np.ndarray:
    days = START.astype("datetime64[D]") + np.arange(DAYS)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    w = np.linspace(1.0, 1.8, DAYS) * np.where(weekday >= 5, 0.7, 1.0) * np.where(month == 11, 1.6, 1.0)
    return w / w.sum()


def generate(path: Path, lines: int, seed: int = 0) -> Path:
    """Write `lines` lines to `path` in row groups, in time order."""
    rng = np.random.default_rng(seed)
    n_customers = customers_for(lines)
    ids = _hex_ids(n_customers)
    activity = rng.pareto(1.3, n_customers) + 0.2
    activity /= activity.sum()
    products = max(2000, lines // 2500)
    popularity = 1.0 / (np.arange(products) + 10.0)
    popularity /= popularity.sum()
    price = np.round(rng.lognormal(2.3, 0.8, products), 2) + 0.49
    day_of_line = np.sort(rng.choice(DAYS, size=lines, p=_day_weights()))
    schema = pa.schema([("order_id", pa.string()), ("customer_id", pa.string()), ("timestamp", pa.timestamp("us")),
                        ("product_id", pa.string()), ("quantity", pa.int32()), ("unit_price", pa.float64()),
                        ("amount", pa.float64())])
    tmp = path.with_suffix(".tmp")
    order_base = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for lo in range(0, lines, CHUNK):
            n = min(CHUNK, lines - lo)
            new_order = rng.random(n) < 1 / LINES_PER_ORDER
            new_order[0] = True
            order = order_base + np.cumsum(new_order) - 1
            order_base = int(order[-1]) + 1
            starts = np.flatnonzero(new_order)
            per_order = np.diff(np.append(starts, n))
            customer = np.repeat(rng.choice(n_customers, size=len(starts), p=activity), per_order)
            seconds = np.repeat(rng.normal(14 * 3600, 3.5 * 3600, len(starts)).clip(0, 86399).astype(np.int64)
                                + rng.integers(0, 60, len(starts)), per_order)
            day = np.repeat(day_of_line[lo:lo + n][starts], per_order)
            stamp = START + (day * 86400 + seconds).astype("timedelta64[s]")
            product = rng.choice(products, size=n, p=popularity)
            quantity = np.where(rng.random(n) < 0.85, rng.integers(1, 4, n), rng.integers(4, 25, n)).astype(np.int32)
            returned = np.repeat(rng.random(len(starts)) < 0.02, per_order)
            quantity[returned] *= -1
            amount = np.round(quantity * price[product], 2)
            customer_ids = ids.take(pa.array(customer))
            guest = rng.random(n) < 0.01
            customer_ids = pc.if_else(pa.array(guest), pa.scalar(None, pa.string()), customer_ids)
            table = pa.table({
                "order_id": pc.binary_join_element_wise("O", pa.array(order).cast(pa.string()), ""),
                "customer_id": customer_ids, "timestamp": pa.array(stamp.astype("datetime64[us]")),
                "product_id": pc.binary_join_element_wise("P", pa.array(product).cast(pa.string()), ""),
                "quantity": pa.array(quantity), "unit_price": pa.array(price[product]), "amount": pa.array(amount)},
                schema=schema)
            repeat = np.flatnonzero(rng.random(n) < 0.005)  # export duplicates: a line written twice
            table = pa.concat_tables([table, table.take(pa.array(repeat))]).take(
                pa.array(np.argsort(np.append(np.arange(n), repeat), kind="stable")))
            writer.write_table(table, row_group_size=1_000_000)
    tmp.rename(path)
    return path


def ensure(lines: int, seed: int = 0) -> Path:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"engines-v{VERSION}-s{seed}-{size_label(lines)}.parquet"
    return path if path.exists() else generate(path, lines, seed)


# --- measuring --------------------------------------------------------------------------------

def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (Spark's JVM is a child), from /proc: only the
    tree is read, so polling costs little."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return total


def measure(command: list[str], timeout: float = 1800) -> dict:
    """Wall time, exit status and peak resident memory of the process tree (polled every 0.1 s)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def poll() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    out, err = process.communicate(timeout=timeout)
    seconds = time.perf_counter() - start
    watcher.join()
    return {"seconds": round(seconds, 1), "peak_gb": round(peak[0] / 1e9, 2), "status": process.returncode,
            "stdout": out, "stderr": err[-2000:]}


HAND_SQL = """
import sys, time, duckdb
path = sys.argv[1]
con = duckdb.connect(config={"memory_limit": "2GB", "preserve_insertion_order": False})
rows = con.execute(f'''
WITH c AS (
  SELECT customer_id, max(timestamp) AS last, count(DISTINCT order_id) AS frequency, sum(amount) AS monetary
  FROM read_parquet('{path}') WHERE customer_id IS NOT NULL AND amount <> 0 GROUP BY customer_id),
s AS (SELECT *, ntile(5) OVER (ORDER BY last) AS r, ntile(5) OVER (ORDER BY frequency) AS f,
             ntile(5) OVER (ORDER BY monetary) AS m FROM c)
SELECT r, f, m, count(*) FROM s GROUP BY ALL''').fetchall()
print(len(rows))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10m,50m")
    parser.add_argument("--engines", default="duckdb,spark,memory,sql")
    parser.add_argument("--memory-max", default="10m", help="largest size the memory engine is run on")
    parser.add_argument("--command", choices=("segment", "recommend"), default="segment")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    question = ["recommend", "--product", "P0"] if args.command == "recommend" else ["segment"]
    python = sys.executable
    results = []
    for size in [parse_size(s) for s in args.sizes.split(",")]:
        t0 = time.perf_counter()
        path = ensure(size)
        print(f"{size_label(size)}: {path.name} ready in {time.perf_counter() - t0:.0f} s "
              f"({path.stat().st_size / 1e9:.2f} GB)", flush=True)
        for engine in args.engines.split(","):
            if engine == "memory" and size > parse_size(args.memory_max):
                continue
            if engine == "sql":
                if args.command != "segment":
                    continue
                command = [python, "-c", HAND_SQL, str(path)]
            else:
                command = [python, "-m", "metriqr", question[0], str(path), *question[1:], "--json", "--engine", engine]
            result = measure(command)
            summary = {"size": size_label(size), "command": args.command, "engine": engine, "seconds": result["seconds"],
                       "peak_gb": result["peak_gb"], "status": result["status"]}
            if engine != "sql" and result["status"] == 0:
                record = json.loads(result["stdout"])
                if args.command == "segment":
                    summary |= {"rows": record["rows"], "customers": record["customers"]}
                summary["json_sha256"] = hashlib.sha256(result["stdout"].encode()).hexdigest()[:16]
            elif result["status"] != 0:
                summary["error"] = result["stderr"][-500:]
            print(json.dumps(summary), flush=True)
            results.append(summary)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
