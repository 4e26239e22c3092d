"""Dates with a time of day: the same 1M lines with `03/01/2022 07:02` and with `03/01/2022`.

    python -m bench.timestamps [--size 1m] [--runs 3]    # also part of `python -m bench`

Issue 11's case: `recommend DATA --product X` on 1M order lines whose dates carry a time of day
took 33 s (13.7 s of it parsing ~1M distinct timestamps, twice). Targets: that command in ≤ 4 s,
whole process; and each command on the timestamped lines within 1.3× of the same lines with
date-only values. Each figure is the wall time of a whole `python -m metriqr …` subprocess; its
CPU time (user + system, from the kernel's accounting of the waited child) is printed beside it,
since on a shared machine the wall time mostly measures the other processes.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import DATA_DIR, DATE_LAYOUTS, ensure_inputs, parse_size, size_label

FORMATS = tuple(DATE_LAYOUTS)  # "dmy-time.csv" (timestamps), "dmy.csv" (dates only)
RECOMMEND_LIMIT_S = 4.0
RATIO_LIMIT = 1.3


def commands(path: Path, product: str) -> dict[str, list[str]]:
    return {"recommend": ["-m", "metriqr", "recommend", str(path), "--product", product, "--json"],
            "segment": ["-m", "metriqr", "segment", str(path), "--json"]}


def measure(runner, n_lines: int, seed: int, runs: int, data_dir: Path = DATA_DIR) -> dict:
    """Median wall seconds of each command on each date layout, with a Runner of bench.run."""
    paths = ensure_inputs(n_lines, seed, FORMATS, data_dir, log=runner.log)
    product = _first_product(paths[FORMATS[0]])
    out: dict = {"lines": n_lines, "product": product, "commands": {}}
    for fmt in FORMATS:
        for name, args in commands(paths[fmt], product).items():
            walls, cpus, error = [], [], None
            for run in range(runs):
                wall, cpu, code, tail = _run([runner.python, *args], env=runner.env, timeout=runner.args.timeout)
                if code != 0:
                    error = f"exit {code}: {tail}"
                    break
                walls.append(wall)
                cpus.append(cpu)
                runner.log(f"  timestamps {fmt:<13} {name:<10} run {run + 1}/{runs}: {wall:.2f} s (cpu {cpu:.2f} s)")
            out["commands"].setdefault(name, {})[fmt] = {
                "runs": walls, "cpu_runs": cpus, "error": error,
                "median_s": statistics.median(walls) if walls else None,
                "median_cpu_s": statistics.median(cpus) if cpus else None}
    for name, block in out["commands"].items():
        timed, dated = (block[f].get("median_s") for f in FORMATS)
        block["ratio"] = timed / dated if timed and dated else None
        timed, dated = (block[f].get("median_cpu_s") for f in FORMATS)
        block["cpu_ratio"] = timed / dated if timed and dated else None
    return out


def _run(cmd: list[str], *, env: dict, timeout: float) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the child, exit status, last stderr line)."""
    from bench.run import REPO

    before = os.times()
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=timeout, text=True)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    tail = (proc.stderr.strip().splitlines() or [""])[-1]
    return wall, cpu, proc.returncode, tail


def _first_product(path: Path) -> str:
    """The first line's StockCode: a product the file sells."""
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().strip().replace('"', "").split(",")
        return handle.readline().split(",")[header.index("StockCode")]


def targets(block: dict) -> list[tuple[str, float | None, float, str]]:
    """(what, measured, limit, unit): all are "at most"."""
    size = size_label(block["lines"])
    recommend = block["commands"].get("recommend", {})
    out = [(f"{size} timestamped: whole `recommend --product` command", recommend.get(FORMATS[0], {}).get("median_s"),
            RECOMMEND_LIMIT_S, "s")]
    for name, entry in block["commands"].items():
        out.append((f"{size}: `{name}` timestamped / date-only", entry.get("ratio"), RATIO_LIMIT, "x"))
    return out


def lines(block: dict) -> list[str]:
    text = [f"== timestamps: {block['lines']:,} lines, dates `DD/MM/YYYY HH:MM` vs `DD/MM/YYYY` "
            f"(recommend --product {block['product']})"]
    for name, entry in block["commands"].items():
        cells = []
        for fmt in FORMATS:
            m = entry[fmt]
            runs = " ".join(f"{w:.2f}" for w in m["runs"])
            cells.append(f"{fmt}: {m['median_s']:.2f} s ({runs}; cpu {m['median_cpu_s']:.2f} s)" if m["median_s"]
                         else f"{fmt}: FAILED {m['error']}")
        ratio = "—" if entry.get("ratio") is None else f"{entry['ratio']:.2f}×"
        cpu = "—" if entry.get("cpu_ratio") is None else f"{entry['cpu_ratio']:.2f}×"
        text.append(f"  {name:<10} " + "   ".join(cells) + f"   ratio {ratio} (cpu {cpu})")
    return text


def main(argv: list[str] | None = None) -> int:
    from bench.run import Runner, parse_args

    parser = argparse.ArgumentParser(prog="python -m bench.timestamps", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1m")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    own = parser.parse_args(argv)
    runner = Runner(parse_args(["--runs", str(own.runs), "--seed", str(own.seed)]))
    block = measure(runner, parse_size(own.size), own.seed, own.runs)
    print("\n".join(lines(block)))
    for what, value, limit, unit in targets(block):
        verdict = "n/a" if value is None else "PASS" if value <= limit else "MISS"
        shown = "—" if value is None else f"{value:.2f} {unit}"
        print(f"  {verdict:<5} {what:<56} {shown:>10}  (target <= {limit:g} {unit})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
