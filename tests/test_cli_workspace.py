"""The workspace commands' contract: ingest, segment --save, runs, migrate between runs, forget, share, delete."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from metriqr import workspace as store
from metriqr.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path / "data"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys, *argv: str) -> dict:
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    return json.loads(out)


def test_ingest_reports_the_upload_and_the_history(capsys, tmp_path):
    ws = str(tmp_path / "loja")
    first = run_json(capsys, "ingest", str(SAMPLE), "--workspace", ws)
    assert first["workspace"] == ws and first["upload"] == 1
    assert first["rows"] == {"read": 32534, "used": 32237, "excluded": 297}
    assert first["covers"] == {"first": "2024-11-01", "last": "2026-10-31"}
    assert first["lines"]["added"] == 32237 and first["lines"]["replaced"] == 0
    assert first["history"] == {"first": "2024-11-01", "last": "2026-10-31", "lines": 32237, "customers": 2700}
    again = run_json(capsys, "ingest", str(SAMPLE), "--workspace", ws)
    assert again["upload"] == 2 and again["lines"]["added"] == again["lines"]["replaced"] == 32237
    assert again["history"] == first["history"]
    status, out, _ = run(capsys, "ingest", str(SAMPLE), "--workspace", ws)
    assert status == 0 and "32.237 linhas adicionadas, 32.237 substituídas" in out


def test_segment_on_a_workspace_equals_segment_on_the_file_and_saves_runs(capsys, tmp_path):
    ws = str(tmp_path / "loja")
    run_json(capsys, "ingest", str(SAMPLE), "--workspace", ws)
    on_file = run_json(capsys, "segment", str(SAMPLE), "--as-of", "2026-06-01")
    on_ws = run_json(capsys, "segment", "--workspace", ws, "--as-of", "2026-06-01", "--save")
    assert on_ws.pop("run") == 1
    for key in ("as_of", "customers", "segments", "thresholds", "method"):
        assert on_ws[key] == on_file[key]
    out = tmp_path / "clientes.csv"
    second = run_json(capsys, "segment", "--workspace", ws, "--save", "--customers-out", str(out))
    assert second["run"] == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"previous_segment", "segment_since"} <= set(rows[0])
    moved = [r for r in rows if r["previous_segment"]]
    stayed = [r for r in rows if not r["previous_segment"] and r["segment_since"] == "2026-06-01"]
    assert moved and stayed and all(r["previous_segment"] != r["segment"] for r in moved)
    assert {r["segment_since"] for r in moved} == {"2026-11-01"}
    runs = run_json(capsys, "runs", "--workspace", ws)["runs"]
    assert [(r["run"], r["as_of"], r["method"]) for r in runs] == [(1, "2026-06-01", "quantile"),
                                                                    (2, "2026-11-01", "quantile")]
    assert runs[1]["customers"] == second["customers"] and runs[0]["saved_at"]


def test_migrate_between_runs_compares_what_was_saved(capsys, tmp_path):
    ws = str(tmp_path / "loja")
    run_json(capsys, "ingest", str(SAMPLE), "--workspace", ws)
    run_json(capsys, "segment", "--workspace", ws, "--as-of", "2026-05-01", "--save")
    run_json(capsys, "segment", "--workspace", ws, "--as-of", "2026-11-01", "--save")
    saved = run_json(capsys, "migrate", "--workspace", ws, "--from-run", "1", "--to-run", "2")
    dates = run_json(capsys, "migrate", str(SAMPLE), "--from", "2026-05-01", "--to", "2026-11-01",
                     "--thresholds", "each")
    assert saved == dates
    out = tmp_path / "flows.csv"
    status, _, err = run(capsys, "migrate", "--workspace", ws, "--from-run", "1", "--to-run", "2",
                         "--flows-out", str(out))
    assert status == 0, err
    assert out.read_text().splitlines()[0] == "customer,segment_from,segment_to"


def test_forget_share_revoke_delete(capsys, tmp_path):
    ws = str(tmp_path / "loja")
    run_json(capsys, "ingest", str(SAMPLE), "--workspace", ws)
    run_json(capsys, "segment", "--workspace", ws, "--save")
    assert run_json(capsys, "forget", "--workspace", ws, "--customer", "C00021", "--customer", "C99999") == \
        {"customers_forgotten": 1, "lines_removed": 95}
    listed = tmp_path / "c.csv"
    run_json(capsys, "segment", "--workspace", ws, "--customers-out", str(listed))
    assert "C00021" not in listed.read_text() and "C00022" in listed.read_text()
    shared = run_json(capsys, "share", "--workspace", ws, "--expires-days", "7")
    assert shared["path"] == f"/segmentacao?ws={shared['token']}"
    access = store.resolve(shared["token"])
    assert access.role == "read" and access.workspace.id == store.open_workspace(ws).id
    assert run_json(capsys, "share", "--workspace", ws, "--revoke", shared["token"]) == {"revoked": True}
    with pytest.raises(store.WorkspaceError):
        store.resolve(shared["token"])
    status, _, err = run(capsys, "share", "--workspace", ws, "--revoke", shared["token"])
    assert status == 2 and "revogado" in err
    status, out, _ = run(capsys, "delete", "--workspace", ws)
    assert status == 0 and not Path(ws).exists()
    status, _, err = run(capsys, "segment", "--workspace", ws)
    assert status == 2 and err.startswith("metriqr: Não há espaço de trabalho") and "Traceback" not in err


@pytest.mark.parametrize("argv, words", [
    (["segment"], "um dos dois"),
    (["segment", str(SAMPLE), "--workspace", "x"], "um dos dois"),
    (["segment", str(SAMPLE), "--save"], "--save"),
    (["migrate", str(SAMPLE), "--from-run", "1", "--to-run", "2"], "--from-run"),
    (["ingest", str(SAMPLE)], "--workspace"),
    (["runs", "--workspace", "nowhere"], "Não há espaço de trabalho"),
])
def test_misuse_gets_one_clear_message(capsys, argv, words):
    status, out, err = run(capsys, *argv)
    assert status == 2 and words in err and "Traceback" not in err and out == ""


def test_a_damaged_workspace_file_is_reported(capsys, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / store.DB_NAME).write_bytes(b"\x00garbage" * 500)
    status, _, err = run(capsys, "segment", "--workspace", str(bad), "--lang", "en")
    assert status == 2 and "not a MetriQR workspace, or its file is damaged" in err


def test_the_real_command_line_ingests_and_segments(tmp_path):
    """One real process, as a scheduled job runs it."""
    ws = tmp_path / "loja"
    env = {"PATH": "/usr/bin:/bin", "METRIQR_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "metriqr", "ingest", str(SAMPLE), "--workspace", str(ws), "--json"],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["history"]["customers"] == 2700
    done = subprocess.run([sys.executable, "-m", "metriqr", "segment", "--workspace", str(ws), "--save", "--json"],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0 and json.loads(done.stdout)["run"] == 1


def test_the_first_file_that_states_a_currency_sets_the_workspaces(capsys, tmp_path):
    pounds = tmp_path / "uk.csv"
    pounds.write_text("Invoice,InvoiceDate,CustomerID,Amount\n" + "\n".join(
        f"{i},2024-0{1 + i % 9}-1{i % 9},C{i % 7},£{10 + i}.50" for i in range(60)))
    ws = str(tmp_path / "uk")
    run_json(capsys, "ingest", str(pounds), "--workspace", ws)
    status, out, _ = run(capsys, "segment", "--workspace", ws, "--lang", "en")
    assert status == 0 and "£" in out and "R$" not in out


def test_ingest_takes_the_date_order(capsys, tmp_path):
    us = tmp_path / "us.csv"
    us.write_text("customer,date,amount\n" + "\n".join(f"C{i},03/0{1 + i % 9}/2025,10.00" for i in range(20)))
    ws = str(tmp_path / "us")
    covers = run_json(capsys, "ingest", str(us), "--workspace", ws, "--date-order", "mdy")["covers"]
    assert covers == {"first": "2025-03-01", "last": "2025-03-09"}  # month first: all in March
