"""The benchmark's whole-process rows for issue 11: `--help`, and the `segment` command beside a plain
pandas script doing the same work on the same Parquet file."""
from __future__ import annotations

import json
import sys

import pytest

from bench import run as bench_run


def _results(**stages_1m: float) -> dict:
    stages = {key: {"median_s": seconds, "peak_rss": None} for key, seconds in stages_1m.items()}
    return {"sizes": {"1m": {"stages": stages, "ratios": bench_run.ratios(stages)}}}


def test_whole_process_rows_help_and_the_plain_pandas_script(tmp_path, capsys):
    """`--help` is timed once, the plain script beside the `segment` command on the same Parquet file,
    with CPU seconds, and the issue-11 targets read them."""
    out = tmp_path / "results.json"
    code = bench_run.main(["--sizes", "2000", "--runs", "2", "--stages",
                           "cli_help,cli_segment_parquet,plain_segment_parquet", "--data-dir", str(tmp_path / "data"),
                           "--json-out", str(out), "--python", sys.executable, "--no-workbooks"])
    assert code == 0
    printed, progress = capsys.readouterr()
    # the command and the plain script alternate run by run, so both meet the same load
    order = [line.split()[1] for line in progress.splitlines() if "segment_parquet" in line and " run " in line]
    assert order == ["cli_segment_parquet", "plain_segment_parquet"] * 2
    assert "== start-up" in printed and "CPU (user + system)" in printed
    results = json.loads(out.read_text())
    help_ = results["startup"]["cli_help"]
    assert "error" not in help_ and help_["median_s"] > 0 and help_["median_cpu_s"] > 0
    assert help_["info"]["first_line"].startswith("usage: metriqr")
    stages = results["sizes"]["2k"]["stages"]
    assert set(stages) == {"cli_segment_parquet", "plain_segment_parquet"}
    ours, plain = stages["cli_segment_parquet"], stages["plain_segment_parquet"]
    assert "error" not in ours and "error" not in plain
    assert "customers" in plain["info"]["keys"] and "segments" in plain["info"]["keys"]
    targets = {t["target"]: t for t in results["targets"]}
    assert targets["`python -m metriqr --help`, whole process"]["value"] == help_["median_s"]


def test_issue_11_targets_for_the_command_line():
    results = _results(cli_segment_parquet=1.9, plain_segment_parquet=1.5)
    results["startup"] = {"cli_help": {"median_s": 0.3}}
    verdicts = {t["target"]: (t["verdict"], t["value"]) for t in bench_run.evaluate_targets(results)}
    assert verdicts["1m Parquet: whole `segment` command"] == ("PASS", 1.9)
    verdict, ratio = verdicts["1m Parquet: `segment` ÷ plain pandas script (whole processes)"]
    assert verdict == "MISS" and ratio == pytest.approx(1.9 / 1.5)  # 27 % slower than the plain script
    assert verdicts["`python -m metriqr --help`, whole process"] == ("PASS", 0.3)
