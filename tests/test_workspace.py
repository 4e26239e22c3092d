"""Workspaces: history across uploads, saved runs, links, erasure and integrity, on a real DuckDB file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from metriqr import workspace as W
from metriqr.migration import compare_segmentations, migrate
from metriqr.pipeline import load_dataset
from metriqr.records import migration_record
from metriqr.segmentation import segment_customers

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(W.DATA_DIR_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """The demo store's lines as text, the way its export is written."""
    return pd.read_csv(SAMPLE, sep=";", dtype=str, encoding="utf-8-sig")


def _export(frame: pd.DataFrame, path: Path, *, brazilian_headers: bool = False) -> Path:
    """A monthly export: the demo layout, or another ERP's headers for the same columns."""
    if brazilian_headers:
        frame = frame.rename(columns={"Pedido": "Nº do Pedido", "Data": "Data da Compra", "Cliente": "Nome",
                                      "Código do Produto": "SKU", "Produto": "Descrição", "Quantidade": "Qtd",
                                      "Valor Total": "Valor"})
    frame.to_csv(path, sep=";", index=False, encoding="cp1252" if brazilian_headers else "utf-8")
    return path


@contextmanager
def _fails_with(key: str) -> Iterator[None]:
    with pytest.raises(W.WorkspaceError) as error:
        yield
    assert error.value.key == key


def _segments(transactions: pd.DataFrame, **options) -> pd.Series:
    return segment_customers(transactions, **options).customers["segment"].astype(str)


def test_overlapping_exports_give_exactly_the_segments_of_the_whole_file(sample, tmp_path):
    dates = pd.to_datetime(sample["Data"], format="%d/%m/%Y")
    pieces = [(dates < "2025-09-01"),                                   # first year and more
              (dates >= "2025-06-01") & (dates < "2026-03-01"),          # overlaps three months: re-sent
              (dates >= "2026-02-01")]                                  # overlaps one month, other headers
    ws = W.create_workspace(tmp_path / "loja")
    results = []
    for i, piece in enumerate(pieces):
        path = _export(sample[piece.to_numpy()], tmp_path / f"vendas_{i}.csv", brazilian_headers=i == 2)
        results.append(W.ingest_file(ws, path)[0])
    whole = load_dataset(SAMPLE).cleaned.transactions
    stored = W.load_transactions(ws)
    assert len(stored) == len(whole)
    assert stored["amount"].sum() == pytest.approx(whole["amount"].sum(), abs=1e-6)
    pd.testing.assert_series_equal(_segments(stored), _segments(whole))
    pd.testing.assert_series_equal(_segments(stored, as_of="2026-01-01", window_days=365),
                                   _segments(whole, as_of="2026-01-01", window_days=365))
    # the second upload replaced the stored lines of its days (June to August 2025) instead of adding to them
    used = whole["date"]
    assert results[1].replaced == ((used >= "2025-06-01") & (used < "2025-09-01")).sum() > 0
    assert results[2].replaced == ((used >= "2026-02-01") & (used < "2026-03-01")).sum() > 0
    assert results[2].history["first"] == pd.Timestamp("2024-11-01")
    assert results[2].history["last"] == pd.Timestamp("2026-10-31")


def test_re_sending_the_same_file_adds_what_it_replaces(tmp_path):
    ws = W.create_workspace(tmp_path / "ws")
    first, _ = W.ingest_file(ws, SAMPLE)
    again, _ = W.ingest_file(ws, SAMPLE)
    assert first.added == again.added == again.replaced > 30_000
    assert first.replaced == 0 and again.unchanged == 0
    assert W.history_info(ws)["lines"] == first.added


def test_later_file_with_the_same_headers_reuses_the_corrected_mapping(sample, tmp_path):
    ws = W.create_workspace(tmp_path / "ws")
    path = _export(sample.head(3000), tmp_path / "a.csv")
    # the user says the customer is the name column, not the code
    _, dataset = W.ingest_file(ws, path, overrides={"customer": "Cliente", "customer_name": ""})
    assert dataset.mapping["customer"] == "Cliente"
    _, later = W.ingest_file(ws, _export(sample.iloc[3000:6000], tmp_path / "b.csv"))
    assert later.mapping["customer"] == "Cliente" and "customer_name" not in later.mapping


def test_migration_between_saved_runs_is_what_was_saved(tmp_path):
    ws = W.create_workspace(tmp_path / "ws")
    W.ingest_file(ws, SAMPLE)
    history = W.load_transactions(ws)
    runs = [W.save_run(ws, segment_customers(history, as_of=day)) for day in ("2026-05-01", "2026-11-01")]
    listed = W.list_runs(ws)
    assert list(listed["run"]) == runs and list(listed["customers"]) == [
        len(segment_customers(history, as_of=d).customers) for d in ("2026-05-01", "2026-11-01")]
    saved = compare_segmentations(W.saved_segmentation(ws, runs[0]), W.saved_segmentation(ws, runs[1]))
    # thresholds re-learned at each date: the history's own snapshots
    expected = migrate(history, date_from="2026-05-01", date_to="2026-11-01", refit=True)
    assert migration_record(saved) == migration_record(expected)
    # later sales (a re-sent last month with one more big sale) do not change what was saved
    kept = W.run_customers(ws, runs[1])
    extra = history[history["date"] >= "2026-10-01"].copy()
    extra["amount"] = extra["amount"] * 10
    W.ingest(ws, extra, name="corrected", rows={})
    pd.testing.assert_frame_equal(W.run_customers(ws, runs[1]), kept)
    assert W.saved_segmentation(ws, runs[1]).customers["segment"].astype(str).equals(kept["segment"])


def test_previous_segment_and_segment_since_follow_the_saved_runs():
    saved = pd.DataFrame({
        "run": [1, 1, 1, 2, 2, 2, 3, 3],
        "as_of": pd.to_datetime(["2026-01-01"] * 3 + ["2026-02-01"] * 3 + ["2026-03-01"] * 2),
        "customer": ["a", "b", "c", "a", "b", "c", "a", "b"],
        "segment": ["loyal", "new", "at_risk", "champions", "new", "at_risk", "champions", "promising"],
    })
    current = pd.Series(["champions", "promising", "at_risk", "new"], index=["a", "b", "c", "d"])
    tenure = W.segment_tenure(saved, current, pd.Timestamp("2026-04-01"))
    assert tenure.loc["a"].tolist() == ["loyal", pd.Timestamp("2026-02-01")]
    assert tenure.loc["b"].tolist() == ["new", pd.Timestamp("2026-03-01")]
    # c was absent from run 3: the streak starts again now; its segment was never different
    assert tenure.loc["c"].tolist() == ["", pd.Timestamp("2026-04-01")]
    assert tenure.loc["d"].tolist() == ["", pd.Timestamp("2026-04-01")]


def test_forget_removes_a_customer_everywhere(tmp_path):
    ws = W.create_workspace(tmp_path / "ws")
    W.ingest_file(ws, SAMPLE)
    run = W.save_run(ws, segment_customers(W.load_transactions(ws)))
    before = W.load_transactions(ws)
    lines = int((before["customer"] == "C00021").sum())
    assert W.forget_customers(ws, ["C00021", "nobody"]) == (1, lines)
    after = W.load_transactions(ws)
    assert "C00021" not in set(after["customer"].astype(str)) and len(after) == len(before) - lines
    assert "C00021" not in W.run_customers(ws, run).index
    # gone from the disk too, not only hidden: no file of the workspace holds the id any more
    assert not any(b"C00021" in p.read_bytes() for p in ws.path.iterdir() if p.is_file())


def test_links_open_only_with_the_right_unexpired_unrevoked_token(tmp_path):
    ws = W.create_workspace(tmp_path / "ws")  # outside the data directory: sharing makes it reachable
    W.ingest_file(ws, SAMPLE)
    owner = W.issue_token(ws, role="owner")
    read = W.issue_token(ws, expires_days=7, mask=True)
    assert W.resolve(owner).can_write and W.resolve(owner).workspace.id == ws.id
    access = W.resolve(read)
    assert not access.can_write and access.mask
    secret = read.split(".")[1]
    assert secret.encode() not in (ws.path / W.DB_NAME).read_bytes()  # only its hash is stored
    wrong = [read[:-1] + ("A" if read[-1] != "A" else "B"), ws.id, "", "../../etc/passwd",
             "0" * 32 + "." + secret, read + "x"]
    for token in wrong:
        with pytest.raises(W.WorkspaceError) as error:
            W.resolve(token)
        assert error.value.key == "not_found"
    assert W.revoke_token(ws, read)
    with _fails_with("not_found"):
        W.resolve(read)
    expired = W.issue_token(ws, expires_days=1)
    with W.Workspace._session(ws, write=True) as con:
        con.execute("UPDATE tokens SET expires_at = now()::TIMESTAMP - INTERVAL 1 SECOND WHERE role = 'read'")
    with _fails_with("not_found"):
        W.resolve(expired)
    assert W.resolve(owner).role == "owner"


def test_workspace_ids_are_random_and_deletion_is_immediate(tmp_path, data_dir):
    first, second = W.create_workspace(), W.create_workspace()
    assert first.id != second.id and len(first.id) == 32
    assert first.path == data_dir / first.id
    token = W.issue_token(first)
    W.delete_workspace(first)
    assert not first.path.exists() and second.path.exists()
    with _fails_with("not_found"):
        W.resolve(token)


def test_a_damaged_or_foreign_file_gets_a_message_and_harms_no_other_workspace(tmp_path):
    good = W.create_workspace(tmp_path / "good")
    W.ingest_file(good, SAMPLE)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / W.DB_NAME).write_bytes(b"not a database" * 100)
    with pytest.raises(W.WorkspaceError) as error:
        W.open_workspace(bad)
    assert error.value.key == "workspace_damaged" and "bad" in error.value.message("pt")
    import duckdb

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    duckdb.connect(str(foreign / W.DB_NAME)).execute("CREATE TABLE x (a INT)").close()
    with _fails_with("workspace_damaged"):
        W.open_workspace(foreign)
    with _fails_with("workspace_missing"):
        W.open_workspace(tmp_path / "nothing")
    assert W.history_info(W.open_workspace(tmp_path / "good"))["lines"] > 30_000


_INGEST = textwrap.dedent("""
    import sys
    import numpy as np, pandas as pd
    from metriqr import workspace as W
    ws = W.open_workspace(sys.argv[1])
    start = pd.Timestamp(sys.argv[2])
    n = int(sys.argv[3])
    rng = np.random.default_rng(int(sys.argv[4]))
    frame = pd.DataFrame({"customer": pd.Categorical([f"C{i:06d}" for i in rng.integers(0, 50_000, n)]),
                          "date": start + pd.to_timedelta(rng.integers(0, 28, n), unit="D"),
                          "amount": rng.integers(100, 100_000, n) / 100, "is_return": np.zeros(n, bool)})
    print("ready", flush=True)
    W.ingest(ws, frame, name="big", rows={"read": n, "used": n, "excluded": 0})
    print("done", flush=True)
""")


def _child(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _INGEST, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_killed_ingest_leaves_the_workspace_as_before_or_after(tmp_path):
    ws = W.create_workspace(tmp_path / "ws")
    W.ingest_file(ws, SAMPLE)
    before = W.history_info(ws)
    outcomes = set()
    for delay in (0.0, 0.15, 0.4, 0.8, 1.5):
        state = W.history_info(ws)
        uploads = len(W.uploads(ws))
        child = _child([str(ws.path), "2030-01-01", "400000", "1"])
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        after = W.history_info(W.open_workspace(ws.path))
        landed = len(W.uploads(ws)) - uploads
        if landed:  # exactly after: the new month is there, whole
            assert after["lines"] == state["lines"] - (state["lines"] - before["lines"]) + 400_000
            outcomes.add("after")
        else:       # exactly before
            assert after == state
            outcomes.add("before")
    assert "before" in outcomes
    assert len(W.load_transactions(ws)) == W.history_info(ws)["lines"]  # still readable and writable
    W.ingest_file(ws, SAMPLE)


def test_two_concurrent_ingests_both_land(tmp_path):
    ws = W.create_workspace(tmp_path / "ws")
    children = [_child([str(ws.path), start, "150000", str(seed)])
                for seed, start in enumerate(("2030-01-01", "2030-03-01"))]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()[-2000:]
        assert out.split() == [b"ready", b"done"]
    info = W.history_info(ws)
    assert info["lines"] == 300_000 and len(W.uploads(ws)) == 2


def test_size_limit_refuses_an_upload_whole(tmp_path, monkeypatch):
    ws = W.create_workspace(tmp_path / "ws")
    W.ingest_file(ws, SAMPLE)
    monkeypatch.setattr(W, "MAX_LINES", 40_000)
    with _fails_with("workspace_too_large"):
        W.ingest(ws, load_dataset(SAMPLE).cleaned.transactions.assign(
            date=lambda f: f["date"] + pd.Timedelta(days=3650)), name="x", rows={})
    assert W.history_info(ws)["lines"] < 40_000 and len(W.uploads(ws)) == 1


def test_the_stored_ledger_is_the_ledger_of_the_stored_lines(tmp_path):
    from metriqr.aggregates import build_ledger
    from metriqr.segmentation import segment_ledger

    ws = W.create_workspace(tmp_path / "ws")
    W.ingest_file(ws, SAMPLE)
    W.forget_customers(ws, ["C00021"])
    stored = W.load_ledger(ws)
    rebuilt = build_ledger(W.load_transactions(ws))
    pd.testing.assert_frame_equal(stored.to_frame().reset_index(drop=True), rebuilt.to_frame().reset_index(drop=True))
    assert "C00021" not in set(stored.to_frame()["customer"])
    expected = segment_customers(load_dataset(SAMPLE).cleaned.transactions, as_of="2026-06-01")
    from_ledger = segment_ledger(stored, as_of="2026-06-01")
    assert len(from_ledger.customers) == len(expected.customers) - 1


def test_the_ledger_duckdb_builds_from_mixed_uploads_is_build_ledgers(tmp_path):
    """The stored ledger is built in SQL: on uploads with and without order numbers and quantities, returns,
    half-cent amounts, kilos and a customer left with returns only, it is build_ledger's to the cent."""
    from metriqr.aggregates import build_ledger

    ws = W.create_workspace(tmp_path / "ws")
    stamp = pd.to_datetime(["2025-01-02 09:00", "2025-01-02 09:00", "2025-01-02 17:30", "2025-01-05 10:00",
                            "2025-01-06 08:00", "2025-01-05 11:00", "2025-01-07 12:00"])
    first = pd.DataFrame({
        "customer": pd.Categorical(["A", "A", "B", "A", "C", "B", "C"]), "date": stamp,
        "amount": [10.005, 2.5, 99.99, -3.0, 1.115, 7.0, 0.0],
        "is_return": [False, False, False, True, False, False, False],
        "order": pd.Categorical(["1", "1", "2", "1", None, "3", "4"]),
        "quantity": [1.0, 0.5, 3.0, -1.0, 0.25, float("nan"), 2.0]})
    W.ingest(ws, first, name="a.csv", rows={})
    second = pd.DataFrame({  # no order numbers, no quantities; replaces 2025-01-06 and 2025-01-07 only
        "customer": pd.Categorical(["C", "D", "D", "A"]),
        "date": pd.to_datetime(["2025-01-06 09:00", "2025-01-07 10:00", "2025-01-07 11:00", "2025-01-07 12:00"]),
        "amount": [-4.0, -1.0, -2.0, 20.0], "is_return": [True, True, True, False]})
    W.ingest(ws, second, name="b.csv", rows={})
    stored = W.load_ledger(ws)
    rebuilt = build_ledger(W.load_transactions(ws))
    pd.testing.assert_frame_equal(stored.to_frame(), rebuilt.to_frame())
    a = stored.to_frame().set_index("customer").loc["A"]
    assert a["cents"].tolist() == [1251, -300, 2000] and a["orders"].tolist() == [1, 0, 1]  # a return is no order
    assert a["orders_closed"].tolist() == [1, 0, 1] and a["items"].tolist() == [1.5, 0.0, 1.0]
    assert stored.to_frame().set_index("customer").loc["B", "items"].tolist() == [3.0, 1.0]  # no quantity: 1 item
    c = stored.to_frame().set_index("customer").loc["C"]  # replaced by the second upload's return only
    assert (c["orders"], c["returns"], c["cents"]) == (0, 1, -400)


def test_deleting_through_the_data_directorys_link_deletes_the_real_folder(tmp_path):
    elsewhere = W.create_workspace(tmp_path / "em_outro_lugar")  # made by the command line outside the data directory
    token = W.issue_token(elsewhere)  # sharing makes it reachable by id from the data directory
    opened = W.resolve(token).workspace
    assert opened.path != elsewhere.path
    W.delete_workspace(opened)
    assert not (tmp_path / "em_outro_lugar").exists() and not opened.path.exists()
