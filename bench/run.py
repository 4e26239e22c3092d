"""Time every MetriQR stage in fresh processes, side by side with the libraries people would otherwise use.

    python -m bench                       # 100k and 1m lines, 3 runs each, plus the workbooks
    python -m bench --sizes 100k,1m,10m   # 10m is opt-in
    python bench/run.py --help

Each measurement is one child process: it imports what it needs and loads its input (not timed),
then times the stage alone and reports the time, its parts and the memory the stage needed. The
parent records the child's peak resident memory (wait4 rusage) and prints medians over the runs.
`segment` command rows time the whole `python -m metriqr segment FILE --json` subprocess (wall).
Anchors (lifetimes, pymc-marketing, a plain-pandas recipe, mlxtend) get the same cleaned
transactions as ours and do the same work; each is printed as a ratio to ours (theirs / ours).
See bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # `python bench/run.py`: make `bench` and `metriqr` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import (DATA_DIR, EXCEL_MAX_ROWS, describe, ensure_inputs, parse_size,  # noqa: E402
                            size_label)

REPO = Path(__file__).resolve().parents[1]
RUN_PY = Path(__file__).resolve()
BENCH_PYTHON = REPO / ".venv-bench" / "bin" / "python"
ONLINE_RETAIL_XLSX = REPO.parent / "shared" / "data" / "online_retail.xlsx"
LOCAL_MAX_BYTES = 16 * 1024**3  # what `python -m metriqr` allows for local files
MB = 1_000_000
GB = 1_000_000_000
MIN_TOGETHER = 3  # our also-bought evidence threshold (metriqr.recommend.MIN_TOGETHER)
DENSE_ONEHOT_LIMIT = 4 * GB  # mlxtend one-hot: the tutorials' dense DataFrame up to this size, sparse above


# --- the stages (run inside the child process; also imported by the tests) --------------------

class Clock:
    """Marks the parts of a timed stage; `stop()` ends the timed region (what follows is not timed)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.parts: dict[str, float] = {}
        self.end: float | None = None
        self.peak: int | None = None

    def __call__(self, part: str) -> None:
        now = time.perf_counter()
        self.parts[part] = now - self.last
        self.last = now

    def stop(self) -> None:
        if self.end is None:
            self.end = time.perf_counter()
            self.peak = _peak_rss()


def _read(path: str, clock: Clock) -> dict:
    from metriqr.reading import read_table

    raw = read_table(path, max_bytes=LOCAL_MAX_BYTES)
    clock.stop()
    return {"rows": int(len(raw.frame)), "columns": list(map(str, raw.frame.columns)), "format": raw.file_format}


def _clean(raw, clock: Clock) -> dict:
    from metriqr.pipeline import clean_raw

    dataset = clean_raw(raw)
    clock.stop()
    tx = dataset.cleaned.transactions
    return {"rows_used": int(len(tx)), "columns": list(tx.columns), "mapping": dataset.mapping,
            "excluded": dataset.cleaned.report.excluded}


def _segment(tx, clock: Clock) -> dict:
    from metriqr.segmentation import segment_customers

    segmentation = segment_customers(tx)
    clock.stop()
    customers = segmentation.customers
    return {"customers": int(len(customers)), "segments": int(customers["segment"].nunique()),
            "one_order_share": float((customers["frequency"] == 1).mean())}


def _migration(tx, clock: Clock) -> dict:
    from metriqr.migration import build_history, migration_chain, snapshot_dates

    history = build_history(tx)
    clock("build_history")
    dates = snapshot_dates(history, cadence="monthly", periods=12)
    chain = migration_chain(history, dates)
    clock("migration_chain")
    clock.stop()
    return {"snapshots": len(dates), "transitions": len(chain),
            "customers_last": int(len(chain[-1].transitions))}


def _also_bought(tx, clock: Clock) -> dict:
    from metriqr.recommend import also_bought_all, build_purchases

    purchases = build_purchases(tx)
    clock("build_purchases")
    lists = also_bought_all(purchases, min_together=MIN_TOGETHER)
    clock("also_bought_all")
    clock.stop()
    together = purchases.together_order.tocoo()
    pairs = int(((together.data >= MIN_TOGETHER) & (together.row < together.col)).sum())
    return {"products": int(len(purchases.products)), "baskets": int(purchases.n_baskets),
            "products_with_list": int(lists["for_product"].nunique()), "list_rows": int(len(lists)),
            "pairs_min_together": pairs}


def _recommend(tx, clock: Clock) -> dict:
    from metriqr.recommend import build_purchases, recommend_for_customers

    purchases = build_purchases(tx)
    clock("build_purchases")
    purchases.model  # noqa: B018 — the per-customer model, fitted on first use
    clock("model (EASE)")
    recs = recommend_for_customers(purchases)
    clock("recommend_for_customers")
    clock.stop()
    return {"customers": int(len(purchases.customers)), "customers_with_recs": int(recs["customer"].nunique()),
            "rows": int(len(recs)), "from_history": float((recs["source"] == "history").mean())}


def _predict(tx, clock: Clock) -> dict:
    """Issue 16: BG/NBD + Gamma-Gamma fitted on the ledger, predictions per customer and per segment.
    The target is the part after the ledger ("fit + predict")."""
    import pandas as pd

    from metriqr.aggregates import build_ledger
    from metriqr.predict import predict, segment_values
    from metriqr.segmentation import segment_ledger

    ledger = build_ledger(tx)
    clock("build_ledger")
    prediction = predict(ledger)
    clock("fit + predict")
    segments = segment_ledger(ledger).customers["segment"]
    clock("segment")
    values = segment_values(prediction, segments.astype(str))
    clock("per segment")
    clock.stop()
    bg, gg = prediction.bgnbd, prediction.gamma_gamma
    return {"customers": int(len(prediction.customers)),
            "repeat_customers": int((prediction.customers["frequency"] > 0).sum()),
            "bgnbd": [bg.r, bg.alpha, bg.a, bg.b], "gamma_gamma": [gg.p, gg.q, gg.gamma],
            "predicted_revenue": float(values["predicted_revenue"].sum()), "pandas": pd.__version__}


def _lifetimes(tx, clock: Clock) -> dict:
    from lifetimes.utils import summary_data_from_transaction_data

    summary = summary_data_from_transaction_data(tx, "customer", "date", monetary_value_col="amount",
                                                 observation_period_end=tx["date"].max())
    clock.stop()
    return {"customers": int(len(summary))}


def _pymc_marketing(tx, clock: Clock) -> dict:
    from pymc_marketing.clv.utils import rfm_segments

    segments = rfm_segments(tx, "customer", "date", "amount")
    clock.stop()
    return {"customers": int(len(segments)), "segments": int(segments["segment"].nunique())}


def _pandas_rfm(tx, clock: Clock) -> dict:
    """The RFM recipe of the tutorials: one groupby, then quintile scores with qcut."""
    import pandas as pd

    snapshot = tx["date"].max().normalize() + pd.Timedelta(days=1)
    occasion = "order" if "order" in tx else "date"
    rfm = tx.groupby("customer").agg(last=("date", "max"), frequency=(occasion, "nunique"),
                                     monetary=("amount", "sum"))
    rfm["recency"] = (snapshot - rfm["last"]).dt.days
    rfm["R"] = pd.qcut(rfm["recency"].rank(method="first"), 5, labels=[5, 4, 3, 2, 1])
    rfm["F"] = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    rfm["M"] = pd.qcut(rfm["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    rfm["RFM"] = rfm["R"].astype(str) + rfm["F"].astype(str) + rfm["M"].astype(str)
    clock.stop()
    return {"customers": int(len(rfm)), "cells": int(rfm["RFM"].nunique())}


def _mlxtend(tx, clock: Clock) -> dict:
    """mlxtend's market-basket recipe restricted to pairs, at our evidence: 3 orders in common."""
    import pandas as pd
    from mlxtend.frequent_patterns import association_rules, fpgrowth
    from mlxtend.preprocessing import TransactionEncoder

    purchases = tx.loc[~tx["is_return"].to_numpy(dtype=bool)]
    baskets = purchases.groupby(["customer", "order"])["product"].apply(list).tolist()
    n_products = purchases["product"].nunique()
    sparse = len(baskets) * n_products > DENSE_ONEHOT_LIMIT
    encoder = TransactionEncoder()
    onehot = encoder.fit(baskets).transform(baskets, sparse=sparse)
    frame = pd.DataFrame.sparse.from_spmatrix(onehot, columns=encoder.columns_) if sparse else \
        pd.DataFrame(onehot, columns=encoder.columns_)
    clock("one_hot")
    # mlxtend turns the share back into a count with ceil(min_support * n): 3 / n * n can round up to 4,
    # so ask for 2.5 orders' worth, which means exactly "at least 3 orders".
    frequent = fpgrowth(frame, min_support=(MIN_TOGETHER - 0.5) / len(baskets), use_colnames=True, max_len=2)
    clock("fpgrowth")
    rules = association_rules(frequent, num_itemsets=len(baskets), metric="confidence", min_threshold=0.0)
    clock("association_rules")
    clock.stop()
    return {"baskets": len(baskets), "sparse": bool(sparse), "itemsets": int(len(frequent)),
            "pairs_min_together": int((frequent["itemsets"].map(len) == 2).sum()), "rules": int(len(rules))}


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    group: str        # "ours", "cli" (a whole process), "anchor", "workbook", "startup" (a whole process, once)
    source: str       # what the child loads first: csv | parquet | xlsx | online_retail | raw | tx
    run: Callable[[Any, Clock], dict] | None = None
    module: str | None = None     # anchors: the library that must import
    versus: str | None = None     # anchors: our stage they are compared with
    what: str = ""
    command: tuple[str, ...] = ()  # "cli" and "startup": the process's arguments after python; {input} is the file


STAGES: dict[str, Stage] = {s.key: s for s in (
    Stage("read_csv", "read CSV", "ours", "csv", _read, what="metriqr.reading.read_table"),
    Stage("read_parquet", "read Parquet", "ours", "parquet", _read, what="metriqr.reading.read_table"),
    Stage("clean", "clean (CSV text)", "ours", "raw", _clean, what="metriqr.pipeline.clean_raw"),
    Stage("segment", "segment", "ours", "tx", _segment, what="metriqr.segmentation.segment_customers"),
    Stage("migration", "migration 12 monthly", "ours", "tx", _migration,
          what="build_history + snapshot_dates(monthly, 12) + migration_chain"),
    Stage("also_bought", "also-bought, all products", "ours", "tx", _also_bought,
          what="build_purchases + also_bought_all"),
    Stage("recommend", "recommend, all customers", "ours", "tx", _recommend,
          what="build_purchases + model + recommend_for_customers"),
    Stage("predict", "predict (BG/NBD + Gamma-Gamma)", "ours", "tx", _predict,
          what="build_ledger + predict + segment_ledger + segment_values"),
    Stage("cli_segment_csv", "`segment` command, CSV", "cli", "csv", what="python -m metriqr segment FILE --json",
          command=("-m", "metriqr", "segment", "{input}", "--json")),
    Stage("cli_segment_parquet", "`segment` command, Parquet", "cli", "parquet",
          what="python -m metriqr segment FILE --json", command=("-m", "metriqr", "segment", "{input}", "--json")),
    Stage("plain_segment_parquet", "plain pandas script, Parquet (whole process)", "cli", "parquet",
          what="python bench/plain_segment.py FILE", command=(str(REPO / "bench" / "plain_segment.py"), "{input}")),
    Stage("cli_help", "`python -m metriqr --help`", "startup", "none", what="python -m metriqr --help",
          command=("-m", "metriqr", "--help")),
    Stage("read_xlsx", f"read XLSX ({EXCEL_MAX_ROWS:,} rows)", "workbook", "xlsx", _read,
          what="metriqr.reading.read_table"),
    Stage("read_online_retail", "read online_retail.xlsx", "workbook", "online_retail", _read,
          what="metriqr.reading.read_table"),
    Stage("lifetimes", "lifetimes summary_data_from_transaction_data", "anchor", "tx", _lifetimes,
          module="lifetimes", versus="segment"),
    Stage("pymc_marketing", "pymc-marketing rfm_segments", "anchor", "tx", _pymc_marketing,
          module="pymc_marketing", versus="segment"),
    Stage("pandas_rfm", "plain pandas: groupby + qcut", "anchor", "tx", _pandas_rfm, module="pandas",
          versus="segment"),
    Stage("mlxtend", "mlxtend fpgrowth + association_rules (pairs)", "anchor", "tx", _mlxtend,
          module="mlxtend", versus="also_bought"),
)}
PER_SIZE = [k for k, s in STAGES.items() if s.group not in ("workbook", "startup")]
STARTUP_STAGES = [k for k, s in STAGES.items() if s.group == "startup"]
WORKBOOK_STAGES = [k for k, s in STAGES.items() if s.group == "workbook"]


# --- memory of this process (child side) ------------------------------------------------------

def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Linux: reset this process's resident high-water mark (VmHWM) so it measures the stage alone."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak_rss() -> int | None:
    peak = _status_kb("VmHWM")
    if peak is not None:
        return peak
    import resource
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def load_source(source: str, path: str) -> Any:
    """What a stage starts from: a path (read stages) or an unpickled raw table / cleaned transactions."""
    if source in ("raw", "tx"):
        import pandas  # noqa: F401  (imported before the stage, as any user program would)
        with open(path, "rb") as handle:
            return pickle.load(handle)
    return path


def _preload(stage: Stage) -> None:
    """Import the stage's libraries before the clock starts: imports are not the stage's work."""
    import pandas  # noqa: F401
    if stage.group in ("ours", "workbook"):
        import metriqr.migration  # noqa: F401
        import metriqr.pipeline  # noqa: F401
        import metriqr.predict  # noqa: F401
        import metriqr.recommend  # noqa: F401
        import metriqr.segmentation  # noqa: F401
    if stage.key == "lifetimes":
        import lifetimes.utils  # noqa: F401
    if stage.key == "pymc_marketing":
        import pymc_marketing.clv.utils  # noqa: F401
    if stage.key == "mlxtend":
        import mlxtend.frequent_patterns  # noqa: F401
        import mlxtend.preprocessing  # noqa: F401


WARM_UP_LINES = 2_000


def _warm_up(stage: Stage, data: Any) -> None:
    """Run a stage that starts from cleaned transactions once on a sample of its lines, untimed,
    ours and the anchors alike: libraries import parts of themselves on first use (pandas imports
    pyarrow's version module when it first builds a text index), and that is start-up, not the
    stage's work. Every n-th line, so the sample spans the whole period; best effort only (a
    library may refuse a sample that small, and the timed run reports its own failures)."""
    if stage.source == "tx":
        try:
            stage.run(data.iloc[::max(1, len(data) // WARM_UP_LINES)].copy(), Clock())
        except Exception:  # noqa: BLE001 — the warm-up never decides the measurement
            pass


def child_main(spec: dict) -> int:
    """One measurement: load, then time the stage; write the result JSON to spec["out"]."""
    import warnings
    warnings.simplefilter("ignore")  # a child process only: anchors warn about deprecations
    if spec["stage"] == "prepare":
        result = prepare(spec)
    elif spec["stage"] == "machine":
        result = machine_info()
    else:
        stage = STAGES[spec["stage"]]
        _preload(stage)
        data = load_source(stage.source, spec["input"])
        _warm_up(stage, data)
        gc.collect()
        has_reset = _reset_peak()
        before = _status_kb("VmRSS")
        profiler = None
        if spec.get("profile"):
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.001)
            profiler.start()
        clock = Clock()
        info = stage.run(data, clock)
        clock.stop()
        if profiler is not None:
            profiler.stop()
            Path(spec["profile"]).write_text(profiler.output_text(unicode=True, color=False))
        delta = (clock.peak - before) if (has_reset and before is not None and clock.peak) else None
        result = {"seconds": clock.end - clock.start, "parts": clock.parts, "rss_before": before,
                  "stage_peak": clock.peak if has_reset else None, "stage_delta": delta, "info": info}
    Path(spec["out"]).write_text(json.dumps(result, default=str))
    return 0


def prepare(spec: dict) -> dict:
    """Read the CSV and clean it once; pickle both for the stages that start from them."""
    from metriqr.pipeline import clean_raw
    from metriqr.reading import read_table

    raw = read_table(spec["input"], max_bytes=LOCAL_MAX_BYTES)
    with open(spec["raw"], "wb") as handle:
        pickle.dump(raw, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tx = clean_raw(raw).cleaned.transactions
    with open(spec["tx"], "wb") as handle:
        pickle.dump(tx, handle, protocol=pickle.HIGHEST_PROTOCOL)
    purchases = tx.loc[~tx["is_return"].to_numpy()]
    return {"lines": int(len(raw.frame)), "rows_used": int(len(tx)), "customers": int(tx["customer"].nunique()),
            "orders": int(purchases["order"].nunique()), "products": int(purchases["product"].nunique()),
            "first_date": str(tx["date"].min()), "last_date": str(tx["date"].max())}


def machine_info() -> dict:
    """Versions and machine facts, as seen by the Python that runs the stages."""
    from importlib import metadata

    versions = {}
    for name in ("pandas", "numpy", "scipy", "pyarrow", "scikit-learn", "python-calamine", "openpyxl",
                 "lifetimes", "pymc-marketing", "pymc", "pytensor", "mlxtend", "psutil", "pyinstrument"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    blas = []
    try:
        import numpy  # noqa: F401  (loads its BLAS)
        import scipy.linalg  # noqa: F401
        from threadpoolctl import threadpool_info
        blas = sorted({f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} x{i.get('num_threads')}"
                       for i in threadpool_info()})
    except Exception:  # threadpoolctl missing: not essential
        pass
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = None
    try:
        memory = next(int(line.split()[1]) * 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "nproc": os.cpu_count(), "memory_bytes": memory, "versions": versions, "blas": blas,
            "executable": sys.executable}


def library_state() -> str:
    """`<commit>` of the repository, `+dirty` when metriqr/ has uncommitted changes: what was measured."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "metriqr"], cwd=REPO, capture_output=True,
                               text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit or "unknown") + ("+dirty" if dirty else "")


# --- the parent: spawn, watch and measure children ---------------------------------------------

@dataclass
class Measurement:
    seconds: float | None
    peak_rss: int | None            # the child's peak resident memory (rusage of the process)
    stage_delta: int | None = None  # memory the stage itself added (peak during the stage − before it)
    parts: dict | None = None
    info: dict | None = None
    error: str | None = None
    cpu: float | None = None        # whole processes: user + system CPU seconds (steadier than wall under load)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _rss_of(pid: int) -> int | None:
    """Resident memory of a running child: /proc on Linux, psutil elsewhere (when installed)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import psutil
        return psutil.Process(pid).memory_info().rss
    except Exception:  # psutil missing or the process gone
        return None


def spawn(cmd: list[str], *, env: dict, timeout: float, mem_limit: int, stdout=subprocess.DEVNULL,
          cwd: Path = REPO, cpu: list[float] | None = None) -> tuple[float, int, int | None, str, str]:
    """Run `cmd`; (wall seconds, exit status, peak RSS bytes, stderr tail, why it was stopped).
    `cpu`, when given, receives the process's user + system CPU seconds."""
    stopped = ""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    done = threading.Event()

    def watch() -> None:
        nonlocal stopped
        while not done.wait(0.1):
            if time.perf_counter() - started > timeout:
                stopped = f"timeout after {timeout:.0f} s"
            else:
                rss = _rss_of(proc.pid)
                if rss is not None and rss > mem_limit:
                    stopped = f"memory limit {mem_limit / GB:.1f} GB exceeded"
            if stopped:
                proc.kill()
                return

    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    reader.join()
    scale = 1 if sys.platform == "darwin" else 1024
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    tail = b"".join(stderr_chunks).decode(errors="replace").strip().splitlines()[-6:]
    return wall, proc.returncode, usage.ru_maxrss * scale, "\n".join(tail), stopped


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python = str(args.python)
        self.env = dict(os.environ)
        if not args.keep_openblas_env:
            # OPENBLAS_CORETYPE/L2_SIZE pin an old kernel on some machines; users' machines do not set them.
            self.env.pop("OPENBLAS_CORETYPE", None)
            self.env.pop("OPENBLAS_L2_SIZE", None)
        self.env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
        self.env.setdefault("PYTHONHASHSEED", "0")
        self.work = Path(args.data_dir) / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix="metriqr-bench-"))
        self.mem_limit = int(args.mem_limit_gb * GB)
        self.available: dict[str, str | None] = {}

    def log(self, message: str) -> None:
        if not self.args.quiet:
            print(message, file=sys.stderr, flush=True)

    def child(self, spec: dict, *, timeout: float | None = None) -> Measurement:
        out = self.tmp / f"result-{os.getpid()}-{time.monotonic_ns()}.json"
        spec = {**spec, "out": str(out)}
        wall, code, peak, tail, stopped = spawn([self.python, str(RUN_PY), "--child", json.dumps(spec)],
                                                env=self.env, timeout=timeout or self.args.timeout,
                                                mem_limit=self.mem_limit)
        if stopped or code != 0 or not out.exists():
            return Measurement(None, peak, error=stopped or _failure(code, tail))
        result = json.loads(out.read_text())
        out.unlink()
        if spec["stage"] in ("prepare", "machine"):
            return Measurement(wall, peak, info=result)
        return Measurement(result["seconds"], peak, result.get("stage_delta"), result.get("parts"),
                           result.get("info"))

    def cli(self, stage: Stage, path: Path | None, *, profile: Path | None = None) -> Measurement:
        """The wall time of one whole process (imports included), as a user or a cron job waits for it."""
        cmd = [self.python, *(part.replace("{input}", str(path)) for part in stage.command)]
        if profile is not None:
            cmd = [self.python, "-m", "pyinstrument", "-r", "text", "-o", str(profile), *cmd[1:]]
        out = self.tmp / f"cli-{time.monotonic_ns()}.json"
        cpu: list[float] = []
        with open(out, "wb") as handle:
            wall, code, peak, tail, stopped = spawn(cmd, env=self.env, timeout=self.args.timeout,
                                                    mem_limit=self.mem_limit, stdout=handle, cpu=cpu)
        text = out.read_text(errors="replace")
        out.unlink()
        if stopped or code != 0:
            return Measurement(None, peak, error=stopped or _failure(code, tail))
        info = {}
        if profile is None and ("--json" in stage.command or stage.key.startswith("plain_")):
            record = json.loads(text)
            info = {"keys": sorted(record)[:12]}
        elif profile is None:
            info = {"first_line": text.splitlines()[0][:80] if text.strip() else ""}
        return Measurement(wall, peak, info=info, cpu=cpu[0] if cpu else None)

    def probe(self, module: str) -> str | None:
        """None when `module` imports in the stages' Python, else why not."""
        if module not in self.available:
            proc = subprocess.run([self.python, "-c", f"import {module}"], env=self.env, capture_output=True,
                                  text=True, timeout=300)
            self.available[module] = None if proc.returncode == 0 else \
                (proc.stderr.strip().splitlines() or ["import failed"])[-1]
        return self.available[module]

    def measure(self, stage: Stage, source_path: Path, runs: int, profile_dir: Path | None,
                label: str, *, partner: Stage | None = None) -> dict | tuple[dict, dict]:
        """`runs` runs of a stage and its medians. With a `partner` (a whole process compared with this
        one), the two alternate run by run, so that both meet the same load: (ours, partner's)."""
        if partner is not None:
            results, others = [], []
            for run in range(runs):
                for stage_, bucket in ((stage, results), (partner, others)):
                    m = self.cli(stage_, source_path)
                    bucket.append(m)
                    self.log(f"  {label:>8} {stage_.key:<22} run {run + 1}/{runs}: "
                             + (f"{m.seconds:.3f} s, peak {_mb(m.peak_rss)}" if m.error is None else f"FAILED {m.error}"))
            return self._profile(stage, source_path, summarise(results), profile_dir, label), summarise(others)
        results: list[Measurement] = []
        for run in range(runs):
            if stage.group in ("cli", "startup"):
                m = self.cli(stage, source_path)
            else:
                m = self.child({"stage": stage.key, "input": str(source_path)})
            results.append(m)
            self.log(f"  {label:>8} {stage.key:<22} run {run + 1}/{runs}: "
                     + (f"{m.seconds:.3f} s, peak {_mb(m.peak_rss)}" if m.error is None else f"FAILED {m.error}"))
            if m.error is not None:
                break  # a timeout or crash will repeat: do not spend the budget again
        return self._profile(stage, source_path, summarise(results), profile_dir, label)

    def _profile(self, stage: Stage, source_path: Path, record: dict, profile_dir: Path | None, label: str) -> dict:
        """One more run under pyinstrument when --profile asks for this stage; its text file in the record."""
        profiled = profile_dir is not None and (self.args.profile == "all" or stage.key in self.args.profile.split(","))
        if profiled and stage.group != "anchor" and record.get("median_s") is not None:
            target = profile_dir / f"{label}-{stage.key}.txt"
            if stage.group in ("cli", "startup"):
                self.cli(stage, source_path, profile=target)
            else:
                self.child({"stage": stage.key, "input": str(source_path), "profile": str(target)})
            if target.exists():
                record["profile"] = str(target)
        return record


def _failure(code: int, tail: str) -> str:
    """`exit 1: MemoryError: …`: the exception line of the child's traceback, not its middle."""
    last = [line.strip() for line in tail.splitlines() if line.strip()]
    return f"exit {code}: {last[-1] if last else 'no message'}"


def _median(values: list) -> Any:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(results: list[Measurement]) -> dict:
    ok = [m for m in results if m.error is None]
    record: dict[str, Any] = {"runs": [m.as_dict() for m in results]}
    errors = [m.error for m in results if m.error is not None]
    if errors:
        record["error"] = errors[0]
    if ok:
        record["median_s"] = _median([m.seconds for m in ok])
        record["peak_rss"] = _median([m.peak_rss for m in ok])
        record["stage_delta"] = _median([m.stage_delta for m in ok])
        if ok[0].cpu is not None:
            record["median_cpu_s"] = _median([m.cpu for m in ok])
        part_names = list((ok[0].parts or {}).keys())
        if part_names:
            record["parts"] = {p: _median([(m.parts or {}).get(p) for m in ok]) for p in part_names}
        record["info"] = ok[0].info
    return record


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value / MB:,.0f} MB"


# --- targets -------------------------------------------------------------------------------

def _time(results: dict, size: str, *keys: str) -> float | None:
    stages = results.get("sizes", {}).get(size, {}).get("stages", {}) if size != "workbooks" else \
        results.get("workbooks", {})
    values = [stages.get(k, {}).get("median_s") for k in keys]
    return None if not values or any(v is None for v in values) else sum(values)


def _part(results: dict, size: str, key: str, part: str) -> float | None:
    stage = results.get("sizes", {}).get(size, {}).get("stages", {}).get(key, {})
    return (stage.get("parts") or {}).get(part)


def evaluate_targets(results: dict) -> list[dict]:
    """PASS / MISS (or n/a when not measured) for every target of the issue."""
    out = []

    def add(what: str, value: float | None, limit: float, unit: str, *, at_least: bool = False,
            detail: str = "") -> None:
        if value is None:
            verdict = "n/a"
        else:
            verdict = "PASS" if (value >= limit if at_least else value <= limit) else "MISS"
        out.append({"target": what, "value": value, "limit": limit, "unit": unit,
                    "comparison": ">=" if at_least else "<=", "verdict": verdict, "detail": detail})

    if "cli_help" in results.get("startup", {}):
        add("`python -m metriqr --help`, whole process", results["startup"]["cli_help"].get("median_s"), 1.0, "s")
    sizes = results.get("sizes", {})
    if "1m" in sizes:
        add("1m: read CSV", _time(results, "1m", "read_csv"), 2.0, "s")
        add("1m: clean + segment", _time(results, "1m", "clean", "segment"), 1.0, "s")
        add("1m: 12 monthly snapshots + transitions", _time(results, "1m", "migration"), 3.0, "s")
        add("1m: also-bought lists, all products", _time(results, "1m", "also_bought"), 1.5, "s")
        add("1m: recommendations, all customers", _time(results, "1m", "recommend"), 5.0, "s")
        add("1m: predicted value, fit + predict after the ledger", _part(results, "1m", "predict", "fit + predict"),
            2.0, "s")
        add("1m: whole `segment` command (CSV)", _time(results, "1m", "cli_segment_csv"), 5.0, "s")
        add("1m Parquet: whole `segment` command", _time(results, "1m", "cli_segment_parquet"), 2.0, "s")
        command, plain = _time(results, "1m", "cli_segment_parquet"), _time(results, "1m", "plain_segment_parquet")
        add("1m Parquet: `segment` ÷ plain pandas script (whole processes)",
            command / plain if command and plain else None, 1.2, "x")
        ours = {k: v for k, v in sizes["1m"]["stages"].items()
                if STAGES[k].group in ("ours", "cli") and not k.startswith("plain_") and v.get("peak_rss") is not None}
        worst = max(ours, key=lambda k: ours[k]["peak_rss"]) if ours else None
        add("1m: peak memory (largest of our stages)", ours[worst]["peak_rss"] / GB if worst else None, 1.5, "GB",
            detail=f"largest: {worst}" if worst else "")
    if "10m" in sizes:
        add("10m Parquet: whole `segment` command", _time(results, "10m", "cli_segment_parquet"), 30.0, "s")
        peak = sizes["10m"]["stages"].get("cli_segment_parquet", {}).get("peak_rss")
        add("10m Parquet: `segment` peak memory", None if peak is None else peak / GB, 6.0, "GB")
    if results.get("timestamps"):
        from bench import timestamps
        for what, value, limit, unit in timestamps.targets(results["timestamps"]):
            add(what, value, limit, unit)
    if "read_online_retail" in results.get("workbooks", {}):
        add("online_retail.xlsx (541,909 rows): read", _time(results, "workbooks", "read_online_retail"), 10.0, "s")
    for size, block in sizes.items():
        for key, ratio in block.get("ratios", {}).items():
            why = block["stages"].get(key, {}).get("error", "")
            why = f"{key} failed: {why}" if why else ""
            if key in ("lifetimes", "pymc_marketing"):
                add(f"{size}: per-customer summary vs {key} (x faster)", ratio.get("time"), 3.0, "x", at_least=True,
                    detail=why)
            if key == "mlxtend":
                add(f"{size}: also-bought vs mlxtend (x faster)", ratio.get("time"), 10.0, "x", at_least=True,
                    detail=why)
                add(f"{size}: also-bought vs mlxtend (x less memory, stage)", ratio.get("delta"), 2.0, "x",
                    at_least=True, detail=why)
    return out


def ratios(stages: dict) -> dict:
    """Anchor ÷ ours for time, the child's peak memory and the stage's own memory."""
    out = {}
    for key, record in stages.items():
        stage = STAGES[key]
        if stage.group != "anchor" or key not in stages or stage.versus not in stages:
            continue
        ours = stages[stage.versus]
        entry = {"versus": stage.versus}
        for name, field in (("time", "median_s"), ("peak", "peak_rss"), ("delta", "stage_delta")):
            a, b = record.get(field), ours.get(field)
            entry[name] = a / b if a is not None and b else None
        if record.get("error") and record.get("median_s") is None:
            entry["error"] = record["error"]
        if record.get("median_s") is None and record.get("error", "").startswith("timeout") and ours.get("median_s"):
            entry["time_at_least"] = _timeout_of(record) / ours["median_s"]
        out[key] = entry
    return out


def _timeout_of(record: dict) -> float:
    try:
        return float(record["error"].split("after ")[1].split(" s")[0])
    except (IndexError, ValueError):
        return math.nan


# --- printing --------------------------------------------------------------------------------

def _fmt_s(value: float | None) -> str:
    return "—" if value is None else (f"{value:.3f}" if value < 10 else f"{value:.1f}")


def stage_table(stages: dict) -> list[str]:
    lines = [f"  {'stage':<48} {'median s':>9}  {'runs (s)':<24} {'peak RSS':>10} {'stage mem':>10}"]
    for key, record in stages.items():
        stage = STAGES[key]
        runs = " ".join(_fmt_s(r.get("seconds")) for r in record["runs"])
        label = stage.label if stage.group != "anchor" else "  " + stage.label
        if record.get("median_s") is None:
            lines.append(f"  {label:<48} {'FAILED':>9}  {record.get('error', '')[:110]}")
            continue
        lines.append(f"  {label:<48} {_fmt_s(record['median_s']):>9}  {runs:<24} {_mb(record.get('peak_rss')):>10} "
                     f"{_mb(record.get('stage_delta')):>10}")
        for part, seconds in (record.get("parts") or {}).items():
            lines.append(f"  {'  · ' + part:<48} {_fmt_s(seconds):>9}")
        if record.get("median_cpu_s") is not None:
            lines.append(f"  {'  · CPU (user + system)':<48} {_fmt_s(record['median_cpu_s']):>9}")
    return lines


def ratio_lines(block: dict) -> list[str]:
    lines = []
    for key, entry in block.get("ratios", {}).items():
        def x(v):
            return "—" if v is None else f"{v:,.1f}×"
        extra = f" (timed out: ≥ {entry['time_at_least']:.0f}×)" if entry.get("time_at_least") else \
            f" (theirs failed: {entry['error'][:70]})" if entry.get("error") else ""
        lines.append(f"  {STAGES[key].label:<48} time {x(entry['time']):>8}  peak RSS {x(entry['peak']):>7}  "
                     f"stage mem {x(entry['delta']):>7}   vs ours: {entry['versus']}{extra}")
    return lines


def report(results: dict) -> str:
    m = results["machine"]
    lines = [f"MetriQR benchmark — {results['date']}",
             f"machine: {m.get('cpu')}, {m.get('nproc')} cores, {(m.get('memory_bytes') or 0) / 2**30:.1f} GiB; "
             f"python {m.get('python')}; BLAS {', '.join(m.get('blas') or []) or '?'}",
             f"metriqr at commit {results.get('library')}"
             + ("" if results.get("library_at_end") in (None, results.get("library")) else
                f" — WARNING: the library changed during the run (now {results['library_at_end']}): run again"),
             "versions: " + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items() if v),
             f"runs per measurement: {results['config']['runs']} (medians); times exclude imports, input "
             f"loading and a warm-up on {WARM_UP_LINES:,} lines (stages from cleaned transactions, anchors too), "
             "except the command rows and the plain pandas script (wall time of the whole subprocess)", ""]
    if results.get("startup"):
        lines.append("== start-up (whole processes)")
        lines += stage_table(results["startup"])
        lines.append("")
    for size, block in results["sizes"].items():
        d = block.get("dataset", {})
        lines.append(f"== {size}: {d.get('lines', 0):,} lines → {d.get('rows_used', 0):,} used; "
                     f"{d.get('orders', 0):,} orders, {d.get('customers', 0):,} customers, "
                     f"{d.get('products', 0):,} products; {d.get('first_date', '')[:10]} … {d.get('last_date', '')[:10]}")
        if block.get("error"):
            lines.append(f"  FAILED: {block['error']}")
        lines += stage_table(block.get("stages", {}))
        for key, why in block.get("skipped", {}).items():
            lines.append(f"  {STAGES[key].label:<48} skipped: {why}")
        if block.get("ratios"):
            lines.append("  anchors, ratio = theirs / ours (above 1: ours is faster / smaller)")
            lines += ratio_lines(block)
        lines.append("")
    if results.get("workbooks"):
        lines.append("== workbooks")
        lines += stage_table(results["workbooks"])
        for key, why in results.get("workbooks_skipped", {}).items():
            lines.append(f"  {STAGES[key].label:<48} skipped: {why}")
        lines.append("")
    if results.get("timestamps"):
        from bench import timestamps
        lines += timestamps.lines(results["timestamps"]) + [""]
    lines.append("== targets")
    for t in results["targets"]:
        value = "—" if t["value"] is None else f"{t['value']:,.2f} {t['unit']}"
        lines.append(f"  {t['verdict']:<5} {t['target']:<56} {value:>12}  (target {t['comparison']} "
                     f"{t['limit']:g} {t['unit']}) {t['detail']}")
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated line counts (default: %(default)s; "
                        "10m is opt-in: --sizes 100k,1m,10m)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement, median printed (default: 3)")
    parser.add_argument("--anchor-runs", type=int, default=None,
                        help="runs per anchor measurement (default: --runs)")
    parser.add_argument("--stages", default=None,
                        help="only these stages (comma-separated keys: " + ", ".join(STAGES) + ")")
    parser.add_argument("--no-anchors", action="store_true", help="skip the anchor libraries")
    parser.add_argument("--no-workbooks", action="store_true",
                        help=f"skip reading the {EXCEL_MAX_ROWS:,}-row XLSX and online_retail.xlsx")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--python", type=Path, default=BENCH_PYTHON if BENCH_PYTHON.exists() else Path(sys.executable),
                        help="Python that runs the stages (default: .venv-bench/bin/python when it exists)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="cache of generated inputs (default: bench/.data)")
    parser.add_argument("--json-out", type=Path, default=None, help="write all results as JSON here")
    parser.add_argument("--profile", nargs="?", const="all", default=None, metavar="STAGES",
                        help="after timing, one extra run of each of our stages (or of the comma-separated "
                             "STAGES) under pyinstrument: text profiles in DATA_DIR/profiles")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per measurement (default: 1800)")
    parser.add_argument("--mem-limit-gb", type=float, default=18.0,
                        help="stop a child whose resident memory passes this (default: 18)")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for the children (default: unset them)")
    parser.add_argument("--no-timestamps", action="store_true",
                        help="skip the 1m timestamped-export commands (bench/timestamps.py)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.size_list = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    args.stage_list = None if args.stages is None else [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = set(args.stage_list or ()) - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(json.loads(args.child))
    runner = Runner(args)
    wanted = lambda key: args.stage_list is None or key in args.stage_list  # noqa: E731
    machine = runner.child({"stage": "machine"})
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine.info or {"error": machine.error},
        "library": library_state(),
        "config": {"sizes": [size_label(n) for n in args.size_list], "runs": args.runs,
                   "anchor_runs": args.anchor_runs or args.runs, "seed": args.seed, "python": str(args.python),
                   "openblas_env_unset": not args.keep_openblas_env, "timeout_s": args.timeout},
        "sizes": {}}
    profile_dir = None
    if args.profile:
        profile_dir = Path(args.data_dir) / "profiles"
        profile_dir.mkdir(parents=True, exist_ok=True)

    if any(wanted(k) for k in STARTUP_STAGES):
        results["startup"] = {key: runner.measure(STAGES[key], None, args.runs, profile_dir, "startup")
                              for key in STARTUP_STAGES if wanted(key)}

    for n in args.size_list if any(wanted(k) for k in PER_SIZE) else ():
        label = size_label(n)
        block: dict[str, Any] = {"stages": {}, "skipped": {}}
        results["sizes"][label] = block
        runner.log(f"== {label}: inputs")
        paths = ensure_inputs(n, args.seed, ("csv", "parquet"), args.data_dir, log=runner.log)
        raw_path, tx_path = runner.work / f"raw-{label}.pkl", runner.work / f"tx-{label}.pkl"
        prepared = runner.child({"stage": "prepare", "input": str(paths["csv"]), "raw": str(raw_path),
                                 "tx": str(tx_path)})
        if prepared.error:
            block["error"] = f"preparing the cleaned data failed: {prepared.error}"
            continue
        block["dataset"] = prepared.info
        import pyarrow.parquet as pq
        block["generated"] = describe(pq.read_table(paths["parquet"], columns=["InvoiceNo", "StockCode", "CustomerID"]))
        sources = {"csv": paths["csv"], "parquet": paths["parquet"], "raw": raw_path, "tx": tx_path}
        for key in PER_SIZE:
            stage = STAGES[key]
            if not wanted(key):
                continue
            if stage.group == "anchor":
                if args.no_anchors:
                    continue
                why = runner.probe(stage.module)
                if why:
                    block["skipped"][key] = f"{stage.module} does not import in {args.python}: {why}"
                    continue
            runs = (args.anchor_runs or args.runs) if stage.group == "anchor" else args.runs
            if key == "plain_segment_parquet" and key in block["stages"]:
                continue  # measured beside the `segment` command
            if key == "cli_segment_parquet" and wanted("plain_segment_parquet"):
                block["stages"][key], block["stages"]["plain_segment_parquet"] = runner.measure(
                    stage, sources[stage.source], runs, profile_dir, label, partner=STAGES["plain_segment_parquet"])
                continue
            block["stages"][key] = runner.measure(stage, sources[stage.source], runs, profile_dir, label)
        block["ratios"] = ratios(block["stages"])
        if args.json_out:  # keep what is done so far even if a later size fails
            _write_json(args.json_out, results)

    if not args.no_workbooks and any(wanted(k) for k in WORKBOOK_STAGES):
        results["workbooks"], results["workbooks_skipped"] = {}, {}
        if wanted("read_xlsx"):
            runner.log("== workbooks: inputs")
            xlsx = ensure_inputs(EXCEL_MAX_ROWS, args.seed, ("xlsx",), args.data_dir, log=runner.log)["xlsx"]
            results["workbooks"]["read_xlsx"] = runner.measure(STAGES["read_xlsx"], xlsx, args.runs, profile_dir,
                                                               "xlsx")
        if wanted("read_online_retail"):
            if ONLINE_RETAIL_XLSX.exists():
                results["workbooks"]["read_online_retail"] = runner.measure(
                    STAGES["read_online_retail"], ONLINE_RETAIL_XLSX, args.runs, profile_dir, "retail")
            else:
                results["workbooks_skipped"]["read_online_retail"] = f"{ONLINE_RETAIL_XLSX} not found"

    if not args.no_timestamps and args.stage_list is None and parse_size("1m") in args.size_list:
        from bench import timestamps
        runner.log("== timestamps: `recommend` / `segment` on dates with and without a time of day")
        results["timestamps"] = timestamps.measure(runner, parse_size("1m"), args.seed, args.runs, args.data_dir)

    results["library_at_end"] = library_state()
    results["targets"] = evaluate_targets(results)
    print(report(results))
    if args.json_out:
        _write_json(args.json_out, results)
    return 0


def _write_json(path: Path, results: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {**results, "targets": results.get("targets") or evaluate_targets(results)}
    path.write_text(json.dumps(payload, indent=2, default=str))


if __name__ == "__main__":
    raise SystemExit(main())
