"""The command line as a scheduled job runs it: a subprocess, its exit status, stdout, stderr and files.

The small Brazilian file has a hand-computed outcome (see `SMALL_CUSTOMERS`); the real
Online Retail data checks the documented figures. One run of each is shared by many tests.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from metriqr import cli, pipeline
from metriqr.cli.evaluate import evaluation_text

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ONLINE_RETAIL = DATA_DIR / "online_retail.csv.gz"
CUSTOMER_COLUMNS = ["customer", "last_purchase", "recency_days", "frequency", "monetary", "r", "f", "m", "segment"]
SEGMENT_KEYS = ["champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
                "about_to_sleep", "cant_lose", "at_risk", "inactive"]


def run_process(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m metriqr ARGS` from the repository root, as cron would run it."""
    return subprocess.run([sys.executable, "-m", "metriqr", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8", timeout=300, env={**os.environ, **(env or {})})


def run_cli(*args: object, env: dict[str, str] | None = None,
            process: bool = False) -> subprocess.CompletedProcess[str]:
    """`metriqr.cli.main(ARGS)` in this process, its stdout and stderr captured: what `python -m metriqr`
    runs, without a second of start-up per test. `process=True` starts the real subprocess instead (a few
    tests do, so the entry point itself stays covered)."""
    if process:
        return run_process(*args, env=env)
    out, err = io.StringIO(), io.StringIO()
    saved = {key: os.environ.get(key) for key in (env or {})}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main([str(a) for a in args])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(list(map(str, args)), status, out.getvalue(), err.getvalue())


def run_json(*args: object, process: bool = False) -> dict:
    result = run_cli(*args, "--json", process=process)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def by_key(record: dict) -> dict[str, dict]:
    return {segment["key"]: segment for segment in record["segments"]}


# --- a small Brazilian export with a hand-computed outcome --------------------------------------------
#
# Reference date 2024-07-01 (the day after the last sale). Quantile thresholds of 10 values are the
# 2nd, 4th, 6th and 8th smallest (numpy "inverted_cdf"); scores follow the tie rule of metriqr.scoring:
# F, M = 1 + number of thresholds strictly below the value; R = 5 - the same count for recency.
#   recency  1 3 10 20 40 60 100 150 200 300   thresholds 3 20 60 150      → R 5 5 4 4 3 3 2 2 1 1
#   frequency: six customers buy once; thresholds 1 1 1 3                  → 1 → F1, 2 and 3 → F4, 4 and 5 → F5
#   monetary 50 80 120 200 350 500 800 1103.48 3000 5000; thresholds 80 200 500 1103.48
# FM = (F + M) / 2 rounded half up; the segment is the (R, FM) cell of metriqr.segments' grid.
AS_OF = date(2024, 7, 1)
SMALL_CUSTOMERS = {
    # customer: (orders as (days before AS_OF, [line amounts]), R, F, M, expected segment)
    "C01": ([(1, [603.48, 500.00]), (30, [896.52]), (60, [1000.00]), (90, [1000.00]), (120, [1000.00])],
            5, 5, 5, "champions"),
    "C02": ([(3, [50.00])], 5, 1, 1, "new"),
    "C03": ([(10, [300.00]), (40, [300.00]), (70, [300.00])], 4, 3, 4, "loyal"),  # and a return of 100,00
    "C04": ([(20, [120.00])], 4, 1, 2, "potential_loyalist"),  # FM 1.5 rounds up to 2
    "C05": ([(40, [80.00]), (100, [120.00])], 3, 2, 2, "about_to_sleep"),  # F thresholds 1/2/3/4: F 2
    "C06": ([(60, [80.00])], 3, 1, 1, "about_to_sleep"),
    "C07": ([(100, [1103.48])], 2, 1, 4, "at_risk"),  # FM 2.5 rounds up to 3
    "C08": ([(150, [750.00]), (200, [750.00]), (250, [750.00]), (300, [750.00])], 2, 4, 5, "cant_lose"),
    "C09": ([(200, [350.00])], 1, 1, 3, "inactive"),
    "C10": ([(300, [500.00])], 1, 1, 3, "inactive"),
}
NAMES = {"C01": "Ana Paula Souza", "C02": "João Pereira", "C03": "Maria José Lima", "C04": "Luís Araújo",
         "C05": "Fernanda Prado", "C06": "Célia Moreira", "C07": "Antônio Nunes", "C08": "Beatriz Gonçalves",
         "C09": "Rafael Dias", "C10": "Joana Castro"}
SMALL_EXCLUDED = {"total_line": 1, "no_customer": 2, "bad_date": 1, "bad_amount": 1, "duplicate": 1,
                  "zero_amount": 1}
SMALL_USED = 22  # purchase lines (21) and C03's return


def brl(value: float) -> str:
    """`R$ 1.103,48`, as Brazilian exports write money."""
    text = f"{abs(value):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return ("-" if value < 0 else "") + "R$ " + text


def day(days_before: int) -> str:
    return (AS_OF - timedelta(days=days_before)).strftime("%d/%m/%Y")


def small_csv_text() -> str:
    lines = ["Pedido;Data da Compra;Código do Cliente;Nome do Cliente;Produto;Valor Total"]
    number = 0
    for customer, (orders, *_rest) in SMALL_CUSTOMERS.items():
        for days_before, amounts in orders:
            number += 1
            for position, amount in enumerate(amounts):
                lines.append(f"P{number:04d};{day(days_before)};{customer};{NAMES[customer]};Pão de queijo {position};"
                             f"{brl(amount)}")
    lines += [
        f"D0001;{day(50)};C03;{NAMES['C03']};Devolução pão de queijo;{brl(-100.00)}",  # a return: used, no occasion
        f"P0900;{day(5)};;;Café;{brl(45.00)}",  # no customer
        f"P0901;{day(5)};Consumidor final;;Café;{brl(12.50)}",  # placeholder customer
        f"P0902;31/02/2024;C02;{NAMES['C02']};Café;{brl(10.00)}",  # bad date
        f"P0903;{day(20)};C04;{NAMES['C04']};Café;a combinar",  # bad amount
        f"P0904;{day(9)};C09;{NAMES['C09']};Brinde;{brl(0.00)}",  # zero amount
    ]
    duplicated = next(line for line in lines if ";C06;" in line)
    lines.append(duplicated)  # the same line twice in one order: an export duplicate
    lines.append(f"TOTAL GERAL;;;;;{brl(11203.48)}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Latin-1, `;`, decimal comma, `R$`, dd/mm/aaaa: what a Brazilian POS export looks like."""
    path = tmp_path_factory.mktemp("small") / "vendas.csv"
    path.write_bytes(small_csv_text().encode("latin-1"))
    return path


@pytest.fixture(scope="module")
def small_run(small_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One JSON run with both output files, shared by the assertions below."""
    out = tmp_path_factory.mktemp("small_out")
    record = run_json("segment", small_csv, "--customers-out", out / "clientes.csv",
                      "--report-out", out / "relatorio.xlsx", process=True)  # as cron runs it
    return {"record": record, "customers": out / "clientes.csv", "report": out / "relatorio.xlsx"}


def read_customers_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "machine CSV must not start with a BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def test_small_file_json_rows_and_segments(small_run: dict) -> None:
    record = small_run["record"]
    assert record["as_of"] == "2024-07-01"
    rows = record["rows"]
    assert rows["read"] == rows["used"] + sum(rows["excluded"].values())
    assert rows["used"] == SMALL_USED
    assert rows["returns"] == 1
    assert {k: v for k, v in rows["excluded"].items() if k != "blank"} == SMALL_EXCLUDED
    assert record["customers"] == 10
    assert [s["key"] for s in record["segments"]] == SEGMENT_KEYS
    counts = {s["key"]: s["customers"] for s in record["segments"]}
    assert counts == {"champions": 1, "loyal": 1, "potential_loyalist": 1, "new": 1, "promising": 0,
                      "need_attention": 0, "about_to_sleep": 2, "cant_lose": 1, "at_risk": 1, "inactive": 2}
    segments = by_key(record)
    assert segments["champions"] == {"key": "champions", "label": "Campeões", "customers": 1, "share": 0.1,
                                     "avg_monetary": 5000.0, "avg_recency_days": 1.0, "avg_frequency": 5.0,
                                     "revenue_share": round(5000 / 11203.48, 4)}
    assert segments["inactive"]["avg_monetary"] == 425.0
    assert segments["inactive"]["avg_recency_days"] == 250.0
    # an empty segment: zero customers and null (not NaN) averages
    assert segments["promising"] == {"key": "promising", "label": "Promissores", "customers": 0, "share": 0.0,
                                     "avg_monetary": None, "avg_recency_days": None, "avg_frequency": None,
                                     "revenue_share": 0.0}


def test_small_file_customers_csv_has_hand_computed_scores(small_run: dict) -> None:
    rows = read_customers_csv(small_run["customers"])
    assert list(rows[0]) == CUSTOMER_COLUMNS
    assert len(rows) == 10
    got = {row["customer"]: row for row in rows}
    for customer, (orders, r, f, m, segment) in SMALL_CUSTOMERS.items():
        row = got[customer]
        assert (int(row["r"]), int(row["f"]), int(row["m"]), row["segment"]) == (r, f, m, segment), customer
        assert int(row["recency_days"]) == min(d for d, _ in orders)
        assert row["last_purchase"] == (AS_OF - timedelta(days=min(d for d, _ in orders))).isoformat()
    assert got["C03"]["monetary"] == "800.0"  # 3 × 300,00 less the 100,00 return
    assert got["C03"]["frequency"] == "3"  # the return is not a purchase occasion
    assert got["C07"]["monetary"] == "1103.48"
    assert got["C01"]["frequency"] == "5"  # two lines of one order are one occasion


def test_small_file_report_workbook(small_run: dict) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(small_run["report"], read_only=True)
    assert workbook.sheetnames[0] == "Resumo"
    assert len(workbook.sheetnames) == 11
    assert "Campeões" in workbook.sheetnames and "Inativos" in workbook.sheetnames
    champions = list(workbook["Campeões"].iter_rows(values_only=True))
    assert champions[0][:2] == ("Cliente", "Nome")  # names from the data, as in the app's download
    assert [row[:2] for row in champions[1:]] == [("C01", NAMES["C01"])]
    summary = list(workbook["Resumo"].iter_rows(values_only=True))
    # segment names, not the internal keys (those are the JSON's contract, not a shop owner's reading)
    from metriqr.segments import BY_KEY
    assert summary[0][0] == "Segmento" and "Chave" not in summary[0]
    assert [row[0] for row in summary[1:]] == [BY_KEY[k].label("pt") for k in SEGMENT_KEYS]
    workbook.close()


@pytest.mark.parametrize("lang, expected", [
    ("pt", ["Linhas lidas", "sem cliente identificado: 2", "Clientes identificados: 10", "Campeões",
            "Gasto Médio do Segmento", "R$ 5.000,00", "01/07/2024"]),
    ("en", ["Rows read", "no identified customer: 2", "Customers identified: 10", "Champions",
            "Average spend", "R$ 5,000.00", "2024-07-01"]),
])
def test_small_file_text_report(small_csv: Path, lang: str, expected: list[str]) -> None:
    result = run_cli("segment", small_csv, "--lang", lang, process=lang == "pt")  # pt: accents through a pipe
    assert result.returncode == 0, result.stderr
    for text in expected:
        assert text in result.stdout
    assert not result.stdout.lstrip().startswith("{")


def test_as_of_selects_the_customers(small_csv: Path) -> None:
    earlier = run_json("segment", small_csv, "--as-of", "2024-06-01")
    assert earlier["as_of"] == "2024-06-01"
    assert earlier["customers"] == 8  # C02 and C04 bought only after 2024-06-01; C01's day-30 order is on it


def test_window_days_selects_the_customers(small_csv: Path) -> None:
    recent = run_json("segment", small_csv, "--window-days", "100")
    assert recent["customers"] == 7  # C08, C09, C10 last bought more than 100 days before
    assert recent["window_days"] == 100


def test_customers_out_xlsx(small_csv: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "clientes.xlsx"
    result = run_cli("segment", small_csv, "--customers-out", out)
    assert result.returncode == 0, result.stderr
    rows = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0]) == CUSTOMER_COLUMNS
    assert {row[0]: row[-1] for row in rows[1:]} == {c: v[-1] for c, v in SMALL_CUSTOMERS.items()}


def test_column_override_on_unrecognisable_headers(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Fulano;Quando;Quanto\nA1;01/03/2024;R$ 10,00\nA2;02/03/2024;R$ 20,00\n"
                    "A1;05/03/2024;R$ 30,00\n", encoding="utf-8")
    refused = run_cli("segment", path, "--json")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "customer" in refused.stderr and "Fulano" in refused.stderr
    record = run_json("segment", path, "--column", "customer=Fulano", "--column", "date=Quando",
                      "--column", "amount=Quanto")
    assert record["customers"] == 2
    assert record["rows"] == {"read": 3, "used": 3, "returns": 0, "excluded": {}}


def test_sheet_option_picks_the_worksheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.title = "Capa"
    workbook.active.append(["Relatório de vendas"])
    sales = workbook.create_sheet("Vendas")
    sales.append(["Cliente", "Data", "Valor"])
    for customer, day_, value in [("X", "01/03/2024", 10.0), ("Y", "02/03/2024", 25.5), ("X", "09/03/2024", 7.0)]:
        sales.append([customer, day_, value])
    path = tmp_path / "vendas.xlsx"
    workbook.save(path)
    record = run_json("segment", path, "--sheet", "Vendas")
    assert record["customers"] == 2 and record["as_of"] == "2024-03-10"
    missing = run_cli("segment", path, "--sheet", "Inexistente")
    assert missing.returncode == 2 and "Inexistente" in missing.stderr and "Traceback" not in missing.stderr


def test_customer_list_is_safe_against_formula_injection(tmp_path: Path) -> None:
    path = tmp_path / "hostil.csv"
    path.write_text('Cliente;Data;Valor\n=HYPERLINK("http://x");01/03/2024;10,00\nok;02/03/2024;20,00\n',
                    encoding="utf-8")
    out = tmp_path / "clientes.csv"
    result = run_cli("segment", path, "--customers-out", out)
    assert result.returncode == 0, result.stderr
    customers = {row["customer"] for row in read_customers_csv(out)}
    assert customers == {"'=HYPERLINK(\"http://x\")", "ok"}


# --- bad input: exit 2, a message naming the problem, never a traceback -------------------------------

def hostile_xlsx(path: Path) -> None:
    """A workbook whose sheet XML declares entities (the billion-laughs family)."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Cliente", "Data", "Valor"])
    workbook.active.append(["A", "01/03/2024", 1.0])
    plain = io.BytesIO()
    workbook.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                head, _, body = text.partition("?>")
                entities = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                data = (head + "?>" + entities + body).encode()
            target.writestr(item, data)


BAD_INPUT = {
    # case: (arguments after `segment`, with {small}/{tmp} placeholders; texts stderr must contain)
    "missing file": (["{tmp}/nao_existe.csv"], ["nao_existe.csv"]),
    "folder as data": (["{tmp}"], ["pasta"]),
    "empty file": (["{tmp}/vazio.csv"], ["vazio.csv"]),
    "binary file": (["{tmp}/foto.csv"], ["foto.csv"]),
    "corrupt xlsx": (["{tmp}/quebrado.xlsx"], ["quebrado.xlsx"]),
    "hostile xlsx": (["{tmp}/hostil.xlsx"], ["hostil.xlsx"]),
    "missing columns": (["{tmp}/sem_data.csv"], ["date", "Cliente"]),
    "bad date": (["{small}", "--as-of", "2024-13-45"], ["2024-13-45"]),
    "date not ISO": (["{small}", "--as-of", "01/07/2024"], ["01/07/2024", "AAAA-MM-DD"]),
    "as-of before data": (["{small}", "--as-of", "2020-01-01"], ["01/01/2020"]),
    "bad method": (["{small}", "--method", "forest"], ["forest", "quantile"]),
    "unknown role": (["{small}", "--column", "cpf_cliente=Código do Cliente"], ["cpf_cliente"]),
    "bad column option": (["{small}", "--column", "customer"], ["--column"]),
    "unknown header": (["{small}", "--column", "customer=Cliente X"], ["Cliente X"]),
    "output folder missing": (["{small}", "--customers-out", "{tmp}/nao/existe/c.csv"], ["c.csv", "existe"]),
    "output is a folder": (["{small}", "--report-out", "{tmp}/pasta.xlsx"], ["pasta.xlsx"]),
    "output format": (["{small}", "--customers-out", "{tmp}/c.json"], ["c.json", ".csv"]),
    "report not xlsx": (["{small}", "--report-out", "{tmp}/r.csv"], ["r.csv", ".xlsx"]),
    "output overwrites data": (["{small}", "--customers-out", "{small}"], ["vendas.csv"]),
    "two outputs, one file": (["{small}", "--customers-out", "{tmp}/x.xlsx", "--report-out", "{tmp}/x.xlsx"],
                              ["x.xlsx", "--report-out"]),
    "english message": (["{tmp}/nao_existe.csv", "--lang", "en"], ["File not found"]),
    "window not a number": (["{small}", "--window-days", "um ano"], ["“um ano”", "dias"]),
    "window zero, English": (["{tmp}/nao_existe.csv", "--window-days", "0", "--lang", "en"], ["“0”", "days ≥ 1"]),
}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    (folder / "vazio.csv").write_bytes(b"")
    (folder / "foto.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (folder / "quebrado.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    (folder / "sem_data.csv").write_text("Cliente;Valor\nA;10,00\nB;20,00\n", encoding="utf-8")
    (folder / "pasta.xlsx").mkdir()
    hostile_xlsx(folder / "hostil.xlsx")
    return folder


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_exits_2_with_a_message(case: str, bad_files: Path, small_csv: Path) -> None:
    arguments, expected = BAD_INPUT[case]
    args = [a.format(small=small_csv, tmp=bad_files) for a in arguments]
    before = small_csv.read_bytes()
    result = run_cli("segment", *args, process=case in ("hostile xlsx", "english message"))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("metriqr: ") and "\n" not in message  # one paragraph
    for text in expected:
        assert text in message, message
    assert small_csv.read_bytes() == before


@pytest.mark.parametrize("args", [[], ["segment"], ["segment", "x.csv", "--lang", "fr"], ["segmentar", "x.csv"],
                                  ["segment", "x.csv", "--as-of"], ["migrate", "x.csv", "--from", "2025-01-01"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run_cli(*args, process=not args)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_the_contract_options() -> None:
    result = run_cli("segment", "--help")
    assert result.returncode == 0
    for option in ("--as-of", "--sheet", "--column", "--method", "--json", "--customers-out", "--report-out",
                   "--window-days", "--lang"):
        assert option in result.stdout


def test_unexpected_error_exits_1_without_traceback(small_csv: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(pipeline, "load_dataset", broken)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["segment", str(small_csv), "--json"]) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "simulated bug" in err and "please report" in err
    assert "Traceback" not in err
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    assert cli.main(["segment", str(small_csv)]) == 1
    assert "Traceback" in capsys.readouterr().err


# --- the real Online Retail data -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def online_retail() -> Path:
    """The data set's path; missing, it skips locally and fails under CI (as tests/conftest.py does)."""
    if not ONLINE_RETAIL.exists():
        message = f"real dataset not found: {ONLINE_RETAIL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return ONLINE_RETAIL


@pytest.fixture(scope="module")
def retail_run(online_retail: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One segmentation of the whole data set (about 3 s), with both output files."""
    out = tmp_path_factory.mktemp("retail")
    record = run_json("segment", online_retail, "--customers-out", out / "customers.csv",
                      "--report-out", out / "report.xlsx", "--lang", "en")
    return {"record": record, "customers": out / "customers.csv", "report": out / "report.xlsx"}


@pytest.mark.realdata
def test_online_retail_figures(retail_run: dict) -> None:
    record = retail_run["record"]
    assert record["as_of"] == "2011-12-10"
    rows = record["rows"]
    assert rows["read"] == 541_909
    assert rows["read"] == rows["used"] + sum(rows["excluded"].values())
    assert rows["excluded"]["no_customer"] == 135_080
    assert record["customers"] == 4_338
    assert [s["key"] for s in record["segments"]] == SEGMENT_KEYS
    assert sum(s["customers"] for s in record["segments"]) == 4_338
    assert sum(s["share"] for s in record["segments"]) == pytest.approx(1, abs=1e-3)
    assert sum(s["revenue_share"] for s in record["segments"]) == pytest.approx(1, abs=1e-3)
    assert by_key(record)["champions"]["label"] == "Champions"


@pytest.mark.realdata
def test_online_retail_customers_csv(retail_run: dict) -> None:
    rows = read_customers_csv(retail_run["customers"])
    assert len(rows) == 4_338
    # issue 16: the predicted value beside the segment, since the model fits this data
    assert list(rows[0]) == CUSTOMER_COLUMNS + ["p_alive", "expected_purchases", "predicted_revenue"]
    assert all(0 <= float(row["p_alive"]) <= 1 and float(row["predicted_revenue"]) >= 0 for row in rows)
    assert len({row["customer"] for row in rows}) == 4_338
    assert {row["segment"] for row in rows} <= set(SEGMENT_KEYS)
    counts = {s["key"]: s["customers"] for s in retail_run["record"]["segments"]}
    for key, n in counts.items():
        assert sum(row["segment"] == key for row in rows) == n
    float(rows[0]["monetary"])  # point decimal


@pytest.mark.realdata
def test_online_retail_report_workbook(retail_run: dict) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(retail_run["report"], read_only=True)
    names = workbook.sheetnames
    assert names[0] == "Summary" and len(names) == 11
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    assert len(summary) == 11  # header and the ten segments
    # a write-only workbook records no dimensions, so count the rows themselves
    listed = sum(sum(1 for _ in workbook[name].iter_rows(min_row=2)) for name in names[1:])
    assert listed == 4_338
    workbook.close()


@pytest.mark.realdata
def test_online_retail_kmeans(online_retail: Path) -> None:
    record = run_json("segment", online_retail, "--method", "kmeans")
    assert record["method"] == "kmeans"
    assert record["customers"] == 4_338
    assert sum(s["customers"] for s in record["segments"]) == 4_338


# --- migrate -------------------------------------------------------------------------------

MIGRATION_CSV = """Pedido;Data;Cliente;Valor
1;05/01/2025;FIEL;R$ 100,00
2;05/02/2025;FIEL;R$ 100,00
3;05/03/2025;FIEL;R$ 100,00
4;05/04/2025;FIEL;R$ 100,00
5;05/05/2025;FIEL;R$ 100,00
6;10/01/2025;SUMIU;R$ 300,00
7;10/02/2025;SUMIU;R$ 300,00
8;12/01/2025;UMA;R$ 20,00
9;15/01/2025;OUTRA;R$ 25,00
10;20/04/2025;NOVO;R$ 30,00
"""


@pytest.fixture(scope="module")
def migration_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mig") / "historico.csv"
    path.write_text(MIGRATION_CSV, encoding="utf-8")
    return path


def test_migrate_json_contract(migration_csv: Path) -> None:
    record = run_json("migrate", migration_csv, "--from", "2025-03-01", "--to", "2025-05-06")
    assert record["from"] == "2025-03-01" and record["to"] == "2025-05-06"
    assert set(record) >= {"from", "to", "flows", "totals", "segments"}
    assert set(record["totals"]) == {"progressed", "regressed", "stayed", "entered"}
    assert list(record["segments"]) == SEGMENT_KEYS
    for values in record["segments"].values():
        assert set(values) == {"at_from", "at_to", "gained", "lost", "net"}
        assert values["net"] == values["at_to"] - values["at_from"]
    flows = {(f["source"], f["target"]): f["customers"] for f in record["flows"]}
    assert flows.get(("new_in_period", next(t for s, t in flows if s == "new_in_period"))) == 1  # NOVO
    assert record["totals"]["entered"] == 1
    assert sum(flows.values()) == 5  # every customer at the later date
    at_from = sum(v["at_from"] for v in record["segments"].values())
    assert at_from == 4 == sum(n for (s, _), n in flows.items() if s != "new_in_period")
    # SUMIU stopped in February: by May they have fallen in rank
    assert record["totals"]["regressed"] >= 1


def test_migrate_flows_out_has_one_row_per_customer(migration_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "fluxos.csv"
    result = run_cli("migrate", migration_csv, "--from", "2025-03-01", "--to", "2025-05-06", "--flows-out", out)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [list(rows[0])] == [["customer", "segment_from", "segment_to"]]
    by_customer = {r["customer"]: r for r in rows}
    assert set(by_customer) == {"FIEL", "SUMIU", "UMA", "OUTRA", "NOVO"}
    assert by_customer["NOVO"]["segment_from"] == ""
    assert all(r["segment_to"] in SEGMENT_KEYS for r in rows)


def test_migrate_text_report_reads_in_portuguese(migration_csv: Path) -> None:
    result = run_cli("migrate", migration_csv, "--from", "2025-03-01", "--to", "2025-05-06")
    assert result.returncode == 0, result.stderr
    assert "migração entre segmentos" in result.stdout and "Novos no período: 1" in result.stdout


@pytest.mark.parametrize("dates, message", [
    (("--from", "2025-05-01", "--to", "2025-03-01"), "precisa ser anterior"),
    (("--from", "2020-01-01", "--to", "2025-03-01"), "fora dos dados"),
    (("--from", "01/03/2025", "--to", "2025-05-06"), "Data inválida"),
    (("--from", "2025-03-01",), "--to"),
])
def test_migrate_bad_dates_exit_2_with_a_message(migration_csv: Path, dates: tuple[str, ...], message: str) -> None:
    result = run_cli("migrate", migration_csv, *dates)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.realdata
def test_migrate_online_retail_month(tmp_path: Path) -> None:
    if not ONLINE_RETAIL.exists():
        pytest.skip("shared data missing")
    record = run_json("migrate", ONLINE_RETAIL, "--from", "2011-11-01", "--to", "2011-12-01")
    # customers new in the period = customers whose first purchase is in November 2011
    raw = pd.read_csv(ONLINE_RETAIL, dtype=str)
    raw = raw[raw["CustomerID"].notna() & ~raw["InvoiceNo"].str.startswith("C")]
    raw = raw[(raw["Quantity"].astype(float) > 0) & (raw["UnitPrice"].astype(float) > 0)]
    first = pd.to_datetime(raw["InvoiceDate"]).groupby(raw["CustomerID"]).min()
    november = ((first >= "2011-11-01") & (first < "2011-12-01")).sum()
    assert record["totals"]["entered"] == november
    flows_in = sum(f["customers"] for f in record["flows"])
    assert flows_in == (first < "2011-12-01").sum()


# --- recommend and evaluate ------------------------------------------------------------------------
#
# Nine orders (baskets). Café CAF01 is in orders 1, 2, 3, 4, 7 (n_A = 5); Pão de queijo PQ02 in 1, 2, 3, 5, 7
# (n = 5); Queijo minas QM03 in 3, 4, 8 (n = 3). With CAF01: PQ02 in 4 orders (1, 2, 3, 7), QM03 in 2 (3, 4),
# DL04 in 1 (7). Freight FRT is not a product, so it is in no list, though order 1 still counts.
#   CAF01 → PQ02: together 4, confidence 4/5 = 0.8, lift 4·9/(5·5) = 1.44
#   CAF01 → QM03: together 2, confidence 2/5 = 0.4, lift 2·9/(5·3) = 1.2   (shown only with --min-together ≤ 2)
# C4 bought CAF01 and QM03; C7 bought only SB05, which nobody else bought: no history signal, so
# C7's list is popularity (its segment's, completed with everyone's), without reasons.
BASKETS_CSV = """Pedido;Data;Cliente;Código;Produto;Valor
1;02/01/2025;C1;CAF01;Café;R$ 10,00
1;02/01/2025;C1;PQ02;Pão de queijo;R$ 8,00
1;02/01/2025;C1;FRT;Frete;R$ 5,00
2;03/01/2025;C2;CAF01;Café;R$ 10,00
2;03/01/2025;C2;PQ02;Pão de queijo;R$ 8,00
3;04/01/2025;C3;CAF01;Café;R$ 10,00
3;04/01/2025;C3;PQ02;Pão de queijo;R$ 8,00
3;04/01/2025;C3;QM03;Queijo minas;R$ 30,00
4;05/01/2025;C4;CAF01;Café;R$ 10,00
4;05/01/2025;C4;QM03;Queijo minas;R$ 30,00
5;06/01/2025;C5;PQ02;Pão de queijo;R$ 8,00
5;06/01/2025;C5;DL04;Doce de leite;R$ 15,00
6;07/01/2025;C1;DL04;Doce de leite;R$ 15,00
7;08/01/2025;C6;CAF01;Café;R$ 10,00
7;08/01/2025;C6;PQ02;Pão de queijo;R$ 8,00
7;08/01/2025;C6;DL04;Doce de leite;R$ 15,00
8;09/01/2025;C2;QM03;Queijo minas;R$ 30,00
9;10/01/2025;C7;SB05;Sabão artesanal;R$ 12,00
"""
BASKET_NAMES = {"CAF01": "Café", "PQ02": "Pão de queijo", "QM03": "Queijo minas", "DL04": "Doce de leite",
                "SB05": "Sabão artesanal"}
BOUGHT = {"C4": {"CAF01", "QM03"}, "C7": {"SB05"}}


@pytest.fixture(scope="module")
def baskets_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("baskets") / "cestas.csv"
    path.write_text(BASKETS_CSV, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def baskets_run(baskets_csv: Path) -> dict:
    """Products and customers in one run: both keys present."""
    return run_json("recommend", baskets_csv, "--product", "CAF01", "--min-together", "2",
                    "--customer", "C4", "--customer", "C7")


def test_recommend_product_hand_computed(baskets_csv: Path, baskets_run: dict) -> None:
    assert set(baskets_run) == {"products", "customers"}
    assert baskets_run["products"] == [{"product": "CAF01", "name": "Café", "also_bought": [
        {"product": "PQ02", "name": "Pão de queijo", "together": 4, "confidence": 0.8, "lift": 1.44, "above_chance": True},
        {"product": "QM03", "name": "Queijo minas", "together": 2, "confidence": 0.4, "lift": 1.2, "above_chance": True}]}]
    # the default minimum of 3 orders in common drops the pair seen twice; only products asked → one key
    default = run_json("recommend", baskets_csv, "--product", "CAF01")
    assert default == {"products": [{"product": "CAF01", "name": "Café", "also_bought": [
        {"product": "PQ02", "name": "Pão de queijo", "together": 4, "confidence": 0.8, "lift": 1.44, "above_chance": True}]}]}


def test_recommend_customer_not_yet_bought_with_reasons(baskets_run: dict) -> None:
    customers = {record["customer"]: record for record in baskets_run["customers"]}
    assert list(customers) == ["C4", "C7"]
    assert {record["segment"] for record in customers.values()} <= set(SEGMENT_KEYS)
    c4 = customers["C4"]["recommendations"]
    assert [item["product"] for item in c4][:2] == ["PQ02", "DL04"]  # bought with Café by others
    for item in c4:
        assert item["product"] not in BOUGHT["C4"]
        assert set(item["because"]) <= BOUGHT["C4"]
        assert item["name"] == BASKET_NAMES[item["product"]]
    assert c4[0]["because"] and c4[0]["score"] > 0
    c7 = customers["C7"]["recommendations"]
    assert c7 and "SB05" not in {item["product"] for item in c7}
    assert all(item["because"] == [] and item["source"] == "popular" for item in c7)


@pytest.mark.parametrize("lang, expected", [
    ("pt", ["Quem comprou Café (CAF01) também comprou", "80,0%", "1,44", "Cliente C4",
            "porque comprou Café (CAF01)", "fora do histórico"]),
    ("en", ["Customers who bought Café (CAF01) also bought", "80.0%", "1.44", "Customer C4",
            "because they bought Café (CAF01)", "not from the history"]),
])
def test_recommend_text_report(baskets_csv: Path, lang: str, expected: list[str]) -> None:
    result = run_cli("recommend", baskets_csv, "--product", "CAF01", "--customer", "C4", "--customer", "C7",
                     "--lang", lang)
    assert result.returncode == 0, result.stderr
    for text in expected:
        assert text in result.stdout, result.stdout


RECOMMEND_BAD_INPUT = {
    # case: (arguments, with {baskets}/{plain} placeholders; texts stderr must contain)
    "unknown product": (["recommend", "{baskets}", "--product", "XYZ99"], ["XYZ99", "não encontrado"]),
    "not a product": (["recommend", "{baskets}", "--product", "FRT"], ["FRT", "não é um produto"]),
    "unknown customer": (["recommend", "{baskets}", "--customer", "C99"], ["C99", "Cliente não encontrado"]),
    "no product column": (["recommend", "{plain}", "--product", "X"], ["coluna de produto", "--column product="]),
    "top 0": (["recommend", "{baskets}", "--product", "CAF01", "--top", "0"], ["“0”", "≥ 1"]),
    "top not a number": (["recommend", "{baskets}", "--customer", "C4", "--top", "dez"], ["“dez”"]),
    "min together 0": (["recommend", "{baskets}", "--product", "CAF01", "--min-together", "0"], ["“0”", "≥ 1"]),
    "english message": (["recommend", "{baskets}", "--product", "XYZ99", "--lang", "en"], ["Product not found"]),
    "evaluate: too little data": (["evaluate", "{baskets}"], ["insuficientes", "mínimo 20"]),
    "evaluate: k 0": (["evaluate", "{baskets}", "--k", "0"], ["“0”"]),
    "evaluate: cutoff outside": (["evaluate", "{baskets}", "--cutoff", "2030-01-01"], ["01/01/2030", "fora dos dados"]),
    "evaluate: cutoff not ISO": (["evaluate", "{baskets}", "--cutoff", "01/09/2011"], ["AAAA-MM-DD"]),
    "evaluate: no product column": (["evaluate", "{plain}"], ["coluna de produto"]),
}


@pytest.mark.parametrize("case", list(RECOMMEND_BAD_INPUT))
def test_recommend_bad_input_exits_2_with_a_message(case: str, baskets_csv: Path, migration_csv: Path) -> None:
    arguments, expected = RECOMMEND_BAD_INPUT[case]
    result = run_cli(*[a.format(baskets=baskets_csv, plain=migration_csv) for a in arguments])
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("metriqr: ") and "\n" not in message
    for text in expected:
        assert text in message, message


def test_recommend_needs_a_product_or_a_customer(baskets_csv: Path) -> None:
    result = run_cli("recommend", baskets_csv, "--json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "usage:" in result.stderr and "--product" in result.stderr and "--customer" in result.stderr
    assert cli.main(["recommend", str(baskets_csv)]) == 2  # in-process too: a status, not an exception


def test_help_lists_the_recommend_and_evaluate_options() -> None:
    recommend = run_cli("recommend", "--help")
    assert recommend.returncode == 0
    for option in ("--product", "--customer", "--top", "--basis", "--min-together", "--json", "--sheet",
                   "--column", "--lang"):
        assert option in recommend.stdout
    evaluate = run_cli("evaluate", "--help")
    assert evaluate.returncode == 0
    for option in ("--cutoff", "--k", "--json", "--sheet", "--column", "--lang"):
        assert option in evaluate.stdout


def evaluation(hit: float, popular: float, recent: float) -> dict:
    return {"cutoff": "2011-09-01", "test_end": "2011-12-09", "k": 10, "customers_evaluated": 1875,
            "hit_rate": hit, "precision": 0.1, "recall": 0.05,
            "popularity": {"hit_rate": popular, "precision": 0.05, "recall": 0.02},
            "recent_popularity": {"days": 30, "hit_rate": recent, "precision": 0.05, "recall": 0.02},
            "also_bought": {"k": 5, "products_in_baskets": 0, "hit_rate": None, "popularity_hit_rate": None}}


def test_evaluation_text_says_when_popularity_wins() -> None:
    won = evaluation_text(evaluation(1006 / 1875, 627 / 1875, 616 / 1875), lang="pt")  # exact shares
    assert ("Em 53,7% dos 1.875 clientes avaliados, pelo menos um dos 10 produtos sugeridos foi comprado a "
            "partir de 01/09/2011") in won
    assert "acertou 33,4%" in won and "pontos percentuais a mais" in won
    lost = evaluation_text(evaluation(0.721, 0.723, 0.732), lang="pt")
    assert "A popularidade venceu" in lost and "73,2%" in lost
    tied = evaluation_text(evaluation(0.721, 0.716, 0.70), lang="en")
    assert "practically tie" in tied
    assert "Also bought" not in tied  # no case to measure: no sentence, rather than "nan%"


# --- recommend and evaluate on Online Retail ---------------------------------------------------------

@pytest.fixture(scope="module")
def retail_recommend(online_retail: Path) -> dict:
    """One run for a product and a customer (about 5 s)."""
    return run_json("recommend", online_retail, "--product", "85123A", "--customer", "17850")


@pytest.fixture(scope="module")
def retail_evaluate(online_retail: Path) -> dict:
    """The reference split of docs/recommendations.md (about 5 s)."""
    return run_json("evaluate", online_retail, "--cutoff", "2011-09-01")


@pytest.mark.realdata
def test_online_retail_also_bought(retail_recommend: dict) -> None:
    from metriqr.recommend import is_non_product

    [product] = retail_recommend["products"]
    assert product["product"] == "85123A" and product["name"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    items = product["also_bought"]
    assert len(items) == 5
    codes = [item["product"] for item in items]
    assert len(set(codes)) == 5 and "85123A" not in codes
    assert not {"POST", "DOT", "M", "C2", "D", "S", "B"} & set(codes)
    assert not is_non_product(codes, [item["name"] for item in items]).any()
    for item in items:
        assert isinstance(item["product"], str) and item["together"] >= 3
        assert 0 < item["confidence"] <= 1 and item["lift"] > 0
        assert item["confidence"] == round(item["confidence"], 4) and item["lift"] == round(item["lift"], 3)


@pytest.mark.realdata
def test_online_retail_customer_recommendations(retail_recommend: dict) -> None:
    [customer] = retail_recommend["customers"]
    assert customer["customer"] == "17850" and customer["segment"] in SEGMENT_KEYS
    items = customer["recommendations"]
    assert len(items) == 10 and len({item["product"] for item in items}) == 10
    raw = pd.read_csv(ONLINE_RETAIL, dtype=str, usecols=["StockCode", "CustomerID"])
    bought = set(raw.loc[raw["CustomerID"].str.replace(".0", "", regex=False) == "17850", "StockCode"])
    assert "85123A" in bought  # ids compared as the data writes them
    for item in items:
        assert item["because"] and set(item["because"]) <= bought
        assert item["product"] not in bought
        assert item["score"] == round(item["score"], 4)


@pytest.mark.realdata
def test_online_retail_evaluate_beats_popularity(retail_evaluate: dict) -> None:
    record = retail_evaluate
    assert record["cutoff"] == "2011-09-01" and record["k"] == 10
    assert record["customers_evaluated"] > 1000
    assert record["hit_rate"] >= 0.5
    assert record["hit_rate"] > record["popularity"]["hit_rate"]
    assert set(record["popularity"]) == {"hit_rate", "precision", "recall"}
    assert record["precision"] > record["popularity"]["precision"]
    assert record["recall"] > record["popularity"]["recall"]


# --- the package's shape: a registry of command modules, a parser that starts fast ------------------

def test_parser_vocabularies_match_the_library() -> None:
    """The parser repeats a few closed sets so that --help imports no pandas; they must not drift."""
    from metriqr import columns, recommend, scoring, texts
    from metriqr.cli import common

    assert common.LANGS == texts.LANGS and common.DEFAULT_LANG == texts.DEFAULT_LANG
    assert common.ROLES == columns.ROLES
    assert common.METHODS == scoring.METHODS
    assert common.BASES == recommend.BASES and common.MIN_TOGETHER == recommend.MIN_TOGETHER
    from metriqr import parsing
    assert common.ORDERS == parsing.ORDERS


def test_help_imports_no_pandas_and_lists_every_command() -> None:
    code = ("import sys\nfrom metriqr.cli import main\nstatus = main(['--help'])\n"
            "heavy = sorted(m for m in ('pandas', 'numpy', 'scipy', 'metriqr.recommend', 'metriqr.texts') "
            "if m in sys.modules)\nprint('HEAVY', heavy, status)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HEAVY [] 0" in result.stdout
    for command in cli.COMMANDS:
        assert command in result.stdout


def test_a_command_module_is_all_it_takes_to_add_a_command(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The lead adds commands (workspaces) as modules exposing add_parser(subparsers) and run(args)."""
    import types

    module = types.ModuleType("metriqr.cli.hello")
    module.add_parser = lambda subparsers: subparsers.add_parser("hello", help="say hello")
    module.run = lambda args: print("hello") or 0
    monkeypatch.setitem(sys.modules, "metriqr.cli.hello", module)
    monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, "hello"))
    assert cli.main(["hello"]) == 0
    assert capsys.readouterr().out == "hello\n"


@pytest.mark.parametrize("arguments, lang, expected", [
    (["migrate", "{plain}", "--from", "2025-03-01", "--to", "2025-05-06", "--thresholds", "both"], "pt",
     "Limiares desconhecidos: “both”"),
    (["recommend", "{plain}", "--product", "X", "--basis", "basket"], "en", "Unknown basis: “basket”"),
    (["segment", "{plain}", "--window-days", "-5"], "pt", "Janela inválida: “-5”"),
])
def test_option_values_are_refused_in_the_users_language(arguments: list[str], lang: str, expected: str,
                                                         migration_csv: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main([a.format(plain=migration_csv) for a in arguments] + ["--lang", lang])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith(f"metriqr: {expected}") and "usage:" not in err


# --- issue 9: parsing and cleaning as the command line reports them (in-process) -----------------

def _main(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_date_order_is_reported_and_can_be_switched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "ambiguous.csv"
    data.write_text("Cliente;Data;Valor\nA;01/02/2024;10,00\nB;03/04/2024;20,00\nA;05/06/2024;5,00\n",
                    encoding="utf-8")
    status, out, _ = _main(capsys, "segment", data, "--json")
    assert status == 0
    record = json.loads(out)
    assert record["dates"]["order"] == "dmy" and record["dates"]["order_reason"] == "ambiguous"
    assert record["dates"]["warning"] is True and record["dates"]["ambiguous_rows"] == 3
    assert record["as_of"] == "2024-06-06"
    status, out, _ = _main(capsys, "segment", data, "--json", "--date-order", "mdy")
    record = json.loads(out)
    assert (record["dates"]["order"], record["dates"]["order_reason"], record["as_of"]) == ("mdy", "user", "2024-05-07")
    status, out, _ = _main(capsys, "segment", data, "--lang", "en")
    assert "Date order: day/month (dd/mm)" in out and "Check the date order: 3 rows" in out
    assert "--date-order dmy|mdy" in out


def test_infinite_amounts_are_excluded_not_an_internal_error(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "inf.csv"
    data.write_text("customer,date,amount\nA,2024-01-05,10.50\nB,2024-01-06,inf\nC,2024-01-07,1e308\n"
                    "D,2024-01-08,20.00\n", encoding="utf-8")
    status, out, err = _main(capsys, "segment", data, "--json")
    assert status == 0, err
    record = json.loads(out)
    assert record["rows"]["excluded"] == {"amount_out_of_range": 2}
    status, out, _ = _main(capsys, "segment", data, "--lang", "en", "--customers-out", tmp_path / "c.csv")
    assert status == 0 and "Net revenue: R$ 30.50" in out and "R$ inf" not in out
    assert "amount infinite or above one trillion: 2" in out
    assert "inf" not in (tmp_path / "c.csv").read_text().lower()


def test_control_characters_in_ids_never_break_the_workbook(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "esc.csv"
    data.write_bytes("customer,date,amount,name\nA\x1b,2024-01-05,10.50,Ana\nB,2024-01-06,20,Bia\x1bs\n"
                     "C,2024-01-07,5,Caio\n".encode())
    status, out, err = _main(capsys, "segment", data, "--lang", "en", "--report-out", tmp_path / "r.xlsx",
                             "--column", "customer_name=name")
    assert status == 0, err
    assert "identifier with control characters (corrupt file?): 2" in out
    assert zipfile.is_zipfile(tmp_path / "r.xlsx")


def test_a_date_column_that_holds_no_dates_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "nodates.csv"
    data.write_text("customer_id,date,amount\nA,yesterday,1\nB,today,2\n", encoding="utf-8")
    status, _, err = _main(capsys, "segment", data, "--lang", "en")
    assert status == 2
    assert "“date” was found for the date, but its values are not dates" in err and "“yesterday”" in err
    assert "missing" not in err


def test_no_window_no_window_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --window-days the error must not speak of a chosen window."""
    data = tmp_path / "returns_first.csv"
    data.write_text("customer,date,amount\nA,2024-01-05,-3\nA,2024-03-01,10\n", encoding="utf-8")
    status, _, err = _main(capsys, "segment", data, "--as-of", "2024-02-01", "--lang", "en")
    assert status == 2 and "window" not in err and "No purchase before 2024-01-31" in err


def test_evaluate_on_one_day_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "one.csv"
    data.write_text("customer,date,amount,product\nA,2025-03-20,10,P1\n", encoding="utf-8")
    status, _, err = _main(capsys, "evaluate", data, "--lang", "en")
    assert status == 2 and "same day (2025-03-20)" in err and "between" not in err
