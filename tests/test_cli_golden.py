"""The command line's outputs, byte for byte, against a record taken before the CLI became a package.

`tests/golden/cli_outputs.json` holds, for each case, the exit status, stdout, stderr and a digest of
every file written, as the single-module `metriqr/cli.py` produced them (commit 15f9030) on the demo
data and on the real Online Retail export. A refactor of the command line must change none of them.
An intended change of output is recorded again with `METRIQR_GOLDEN_WRITE=1 pytest tests/test_cli_golden.py`
and shows in the diff of that file.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from metriqr import cli

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "cli_outputs.json"
DEMO = REPO / "sample_data" / "loja_exemplo.csv"
DATA_DIR = REPO.parent / "shared" / "data"
RETAIL = DATA_DIR / "online_retail.csv.gz"
WRITE = os.environ.get("METRIQR_GOLDEN_WRITE") == "1"

# case: arguments; {demo}, {retail} and {tmp} are filled in; files written under {tmp} are digested.
DEMO_CASES: dict[str, list[str]] = {
    "help": ["--help"],
    "segment help": ["segment", "--help"],
    "migrate help": ["migrate", "--help"],
    "recommend help": ["recommend", "--help"],
    "evaluate help": ["evaluate", "--help"],
    "no command": [],
    "unknown command": ["segmentar", "{demo}"],
    "segment json": ["segment", "{demo}", "--json"],
    "segment text pt": ["segment", "{demo}"],
    "segment text en": ["segment", "{demo}", "--lang", "en"],
    "segment files": ["segment", "{demo}", "--customers-out", "{tmp}/clientes.csv", "--report-out",
                      "{tmp}/relatorio.xlsx"],
    "segment files en xlsx": ["segment", "{demo}", "--customers-out", "{tmp}/clientes.xlsx", "--report-out",
                              "{tmp}/report.xlsx", "--lang", "en", "--json"],
    "segment kmeans window": ["segment", "{demo}", "--method", "kmeans", "--window-days", "365", "--json"],
    "segment as-of": ["segment", "{demo}", "--as-of", "2025-06-01"],
    "segment bad date": ["segment", "{demo}", "--as-of", "01/06/2025"],
    "segment bad method en": ["segment", "{demo}", "--method", "forest", "--lang", "en"],
    "segment missing file": ["segment", "{tmp}/nao_existe.csv"],
    "segment folder": ["segment", "{tmp}"],
    "segment bad suffix": ["segment", "{demo}", "--customers-out", "{tmp}/c.json"],
    "segment same outputs": ["segment", "{demo}", "--customers-out", "{tmp}/x.xlsx", "--report-out", "{tmp}/x.xlsx"],
    "segment bad column": ["segment", "{demo}", "--column", "cliente"],
    "segment unknown header": ["segment", "{demo}", "--column", "customer=Cliente X", "--lang", "en"],
    "migrate json": ["migrate", "{demo}", "--from", "2025-11-01", "--to", "2026-05-01", "--json"],
    "migrate text": ["migrate", "{demo}", "--from", "2025-11-01", "--to", "2026-05-01", "--flows-out",
                     "{tmp}/fluxos.csv"],
    "migrate text en each": ["migrate", "{demo}", "--from", "2025-11-01", "--to", "2026-05-01", "--thresholds",
                             "each", "--lang", "en", "--flows-out", "{tmp}/flows.xlsx"],
    "migrate last json": ["migrate", "{demo}", "--from", "2025-11-01", "--to", "2026-05-01", "--thresholds",
                          "last", "--json"],
    "migrate dates order": ["migrate", "{demo}", "--from", "2026-05-01", "--to", "2025-11-01"],
    "migrate missing to": ["migrate", "{demo}", "--from", "2026-05-01"],
    "recommend json": ["recommend", "{demo}", "--product", "10107", "--customer", "C00274", "--json"],
    "recommend text pt": ["recommend", "{demo}", "--product", "10107", "--product", "40121", "--customer",
                          "C00274", "--customer", "C00048"],
    "recommend text en customer basis": ["recommend", "{demo}", "--product", "10114", "--basis", "customer",
                                         "--top", "3", "--min-together", "5", "--lang", "en"],
    "recommend no target": ["recommend", "{demo}"],
    "recommend unknown product": ["recommend", "{demo}", "--product", "XYZ"],
    "recommend bad top": ["recommend", "{demo}", "--product", "10107", "--top", "0"],
    "evaluate json": ["evaluate", "{demo}", "--json"],
    "evaluate text": ["evaluate", "{demo}", "--k", "5"],
    "evaluate text en cutoff": ["evaluate", "{demo}", "--cutoff", "2026-06-01", "--lang", "en"],
    "evaluate cutoff outside": ["evaluate", "{demo}", "--cutoff", "2030-01-01"],
}
RETAIL_CASES: dict[str, list[str]] = {
    "retail segment": ["segment", "{retail}", "--json", "--customers-out", "{tmp}/customers.csv"],
    "retail segment text": ["segment", "{retail}", "--lang", "en"],
    "retail migrate": ["migrate", "{retail}", "--from", "2011-11-01", "--to", "2011-12-01", "--json"],
    "retail recommend": ["recommend", "{retail}", "--product", "85123A", "--customer", "17850"],
    "retail evaluate": ["evaluate", "{retail}", "--cutoff", "2011-09-01", "--json"],
}


def _digest(path: Path) -> str:
    """sha256 of a CSV's bytes; of an XLSX's sheets and cells (its zip holds a creation time)."""
    raw = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = b"".join(name.encode() + archive.read(name) for name in sorted(archive.namelist())
                           if name.startswith("xl/"))
    return hashlib.sha256(raw).hexdigest()


def run_case(arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
             monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps help to the terminal's width
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    filled = [a.format(demo=DEMO, retail=RETAIL, tmp=tmp_path) for a in arguments]
    capsys.readouterr()
    status = cli.main(filled)
    out, err = capsys.readouterr()

    def clean(text: str) -> str:
        return text.replace(str(tmp_path), "{tmp}").replace(str(DEMO), "{demo}").replace(str(RETAIL), "{retail}")

    files = {path.name: _digest(path) for path in sorted(tmp_path.iterdir()) if path.is_file()}
    return {"status": status, "stdout": clean(out), "stderr": clean(err), "files": files}


def _check(case: str, arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
           monkeypatch: pytest.MonkeyPatch) -> None:
    got = run_case(arguments, tmp_path, capsys, monkeypatch)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    if WRITE:
        golden[case] = got
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert case in golden, f"no recorded output for {case!r}"
    expected = golden[case]
    assert got["status"] == expected["status"]
    assert got["stderr"] == expected["stderr"]
    assert got["stdout"] == expected["stdout"]
    assert got["files"] == expected["files"]


@pytest.mark.parametrize("case", list(DEMO_CASES))
def test_demo_outputs_unchanged(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    _check(case, DEMO_CASES[case], tmp_path, capsys, monkeypatch)


@pytest.mark.realdata
@pytest.mark.parametrize("case", list(RETAIL_CASES))
def test_online_retail_outputs_unchanged(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if not RETAIL.exists():
        if os.environ.get("CI"):
            pytest.fail(f"real dataset not found: {RETAIL}")
        pytest.skip(f"real dataset not found: {RETAIL}")
    _check(case, RETAIL_CASES[case], tmp_path, capsys, monkeypatch)
