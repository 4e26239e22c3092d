"""The three engines agree: `segment`, `migrate`, `predict`, `recommend`, `evaluate` and `ingest` print the
same JSON whether the lines are read in memory, by DuckDB or by Spark, on messy random tables the size of
CDNOW (70 thousand lines) and on the real datasets; the ledgers are equal to the cent, the cleaned lines
line for line. Spark runs in local mode with one session for the module
(skipped only where Java or pyspark is absent; CI installs both)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metriqr.aggregates import build_ledger
from metriqr.engines import load_engine_dataset
from metriqr.pipeline import load_dataset
from tests.test_cli import DATA_DIR, ONLINE_RETAIL, run_cli

GROCERIES = DATA_DIR / "groceries.csv"
LINES, CUSTOMERS = 69_659, 23_570  # CDNOW: lines and customers, January 1997 to June 1998


def _spark_ready() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    from metriqr.engines.spark import java_ready

    return java_ready()


NEEDS_SPARK = pytest.mark.skipif(not _spark_ready(), reason="no Java or pyspark")
ENGINES = ["duckdb", pytest.param("spark", marks=NEEDS_SPARK)]


def _messy_csv(path: Path, seed: int = 17, n: int = LINES, customers: int = CUSTOMERS) -> Path:
    """A Brazilian ERP export: `;`, amounts `R$ 1.234,56`, dates `dd/mm/aaaa hh:mm`, order numbers with stray
    spaces, placeholders for unidentified buyers, a totals line, unreadable and out-of-range dates, returns,
    free items, cancelled orders, control characters and repeated lines."""
    rng = np.random.default_rng(seed)
    weights = rng.zipf(2.0, customers).clip(max=200).astype(float)
    customer = rng.choice(customers, size=n, p=weights / weights.sum())
    start = np.datetime64("1997-01-01T00:00")
    minutes = np.sort(rng.integers(0, 545 * 24 * 60, size=n))
    stamps = pd.Series(start + minutes.astype("timedelta64[m]"))
    cents = rng.lognormal(8, 1.2, n).round().astype(np.int64)
    quantity = rng.integers(1, 6, n)
    returns = rng.random(n) < 0.03
    quantity[returns] *= -1
    cents[rng.random(n) < 0.01] = 0
    order = np.cumsum(rng.random(n) < 0.4) + 100000
    frame = pd.DataFrame({
        "Pedido": [f" {o}" if o % 17 == 0 else str(o) for o in order],
        "Cliente": [f"C{c:05d}" if c % 23 else f" C{c:05d} " for c in customer],
        "Data": stamps.dt.strftime("%d/%m/%Y %H:%M"),
        "Valor": [("-" if r else "") + "R$ " + f"{v // 100:,}".replace(",", ".") + f",{v % 100:02d}"
                  for v, r in zip(cents, returns)],
        "Qtd": quantity.astype(str),
        "Status": np.where(rng.random(n) < 0.02, "Cancelado", "Entregue"),
        "Produto": [f"SKU{p}" for p in rng.integers(0, 900, n)],
        "Cliente nome": [f"Cliente {c % 997}" for c in customer],
    })
    frame.loc[rng.choice(n, 300, replace=False), "Cliente"] = "Consumidor final"
    frame.loc[rng.choice(n, 200, replace=False), "Cliente"] = None
    frame.loc[rng.choice(n, 40, replace=False), "Data"] = "31/02/1997"
    frame.loc[rng.choice(n, 30, replace=False), "Data"] = "05/05/2999"
    frame.loc[rng.choice(n, 30, replace=False), "Valor"] = "n/d"
    frame.loc[rng.choice(n, 5, replace=False), "Produto"] = "SKU\x01X"
    frame.loc[rng.choice(n, 3, replace=False), "Cliente"] = "C0\x1b12"
    frame.loc[7, ["Cliente", "Data", "Valor"]] = ["TOTAL GERAL", None, "R$ 99.999,00"]
    frame.loc[9, ["Pedido", "Cliente"]] = ["Total do dia", None]  # a totals label in another column
    frame = pd.concat([frame, frame.iloc[rng.choice(n, n // 100, replace=False)]]).sort_index(kind="stable")
    frame.to_csv(path, sep=";", index=False)
    return path


def _typed_parquet(path: Path, seed: int = 5) -> Path:
    """The same kind of sales as a warehouse writes them: integer ids with gaps, real timestamps (some
    missing or impossible), float amounts (some NaN, one absurd), no order column."""
    rng = np.random.default_rng(seed)
    n = LINES
    customer = pd.array(rng.integers(1, CUSTOMERS, n), dtype="Int64")
    customer[rng.choice(n, 150, replace=False)] = pd.NA
    stamps = pd.Series(np.datetime64("1997-01-01") + rng.integers(0, 545 * 86400, n).astype("timedelta64[s]"))
    stamps[rng.choice(n, 20, replace=False)] = pd.NaT
    stamps[5] = pd.Timestamp("1850-01-01")
    amount = rng.lognormal(3, 1, n).round(2)
    amount[rng.choice(n, 900, replace=False)] *= -1
    amount[rng.choice(n, 30, replace=False)] = np.nan
    amount[11] = 5e13
    amount[12] = 1.005  # rounds half away from zero to 101 cents in every engine
    frame = pd.DataFrame({"customer_id": customer, "timestamp": stamps, "amount": amount,
                          "quantity": rng.integers(1, 4, n)})
    frame.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("engines")
    return {"csv": _messy_csv(folder / "vendas.csv"), "parquet": _typed_parquet(folder / "sales.parquet"),
            "small": _messy_csv(folder / "loja.csv", n=4_000, customers=900)}


def _json(*args: object) -> dict:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _ledgers_equal(a, b) -> None:
    assert list(a.customers) == list(b.customers)
    for name in ("code", "day", "orders", "orders_closed", "cents", "lines", "returns", "items"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for name in ("first_time", "last_time"):
        np.testing.assert_array_equal(getattr(a, name).astype("datetime64[ns]"), getattr(b, name).astype("datetime64[ns]"))


@pytest.mark.parametrize(("kind", "engine"), [("csv", "duckdb"), ("parquet", "duckdb"),
                                             pytest.param("parquet", "spark", marks=NEEDS_SPARK)])
def test_engines_print_the_memory_engines_json_for_segment_and_migrate(inputs, kind, engine):
    """Spark's reading of a text export is checked on the small one below (ledger, report and lines), where
    a run takes seconds, not on the CDNOW-sized one (half a minute), to keep the suite within its time."""
    path = inputs[kind]
    memory = _json("segment", path, "--json")
    assert memory["rows"]["read"] >= LINES and memory["customers"] > 10_000
    assert _json("segment", path, "--json", "--engine", engine) == memory
    dates = ["--from", "1997-10-01", "--to", "1998-04-01", "--json"]
    assert _json("migrate", path, *dates, "--engine", engine) == _json("migrate", path, *dates)


def _rows(lines: pd.DataFrame) -> pd.DataFrame:
    """Cleaned lines as plain sorted rows: which line comes first is each engine's own business."""
    plain = lines.astype({c: object for c in lines.columns if isinstance(lines[c].dtype, pd.CategoricalDtype)})
    return plain.sort_values(list(plain.columns), kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_engines_cleaned_lines_are_the_memory_engines(inputs, engine):
    """What recommendations learn from and a workspace stores: the same lines, ids, products, names,
    amounts and times (Spark on the small export, DuckDB on both CDNOW-sized tables)."""
    kinds = ["small"] if engine == "spark" else ["csv", "parquet"]
    for kind in kinds:
        expected = load_dataset(inputs[kind], max_bytes=2**32).cleaned
        dataset = load_engine_dataset(str(inputs[kind]), engine=engine, lines=True)
        memory, lines = expected.transactions, dataset.cleaned.transactions
        report = dataset.cleaned.report
        assert (report.rows_read, report.rows_used, report.excluded, report.lost_customers) == (
            expected.report.rows_read, expected.report.rows_used, expected.report.excluded,
            expected.report.lost_customers)
        _ledgers_equal(dataset.ledger, build_ledger(memory))
        assert list(lines.columns) == list(memory.columns) and len(lines) == len(memory)
        if kind != "parquet":
            assert {"order", "product", "customer_name"} <= set(lines.columns) and lines["is_return"].any()
        pd.testing.assert_frame_equal(_rows(lines), _rows(memory))


def test_recommend_evaluate_and_ingest_print_the_memory_engines_json(inputs, tmp_path):
    """The commands that learn from the lines themselves give the same JSON on DuckDB (Spark's lines are
    compared above); ingest stores the same history, which segments the same."""
    path = inputs["csv"]
    ask = ["recommend", path, "--product", "SKU12", "--product", "SKU400", "--basis", "customer",
           "--customer", "C00001", "--customer", "C00002", "--json"]
    memory = _json(*ask)
    assert memory["products"][0]["also_bought"] and memory["customers"][1]["recommendations"]
    assert _json(*ask, "--engine", "duckdb") == memory
    assert _json("evaluate", path, "--json", "--engine", "duckdb") == _json("evaluate", path, "--json")
    stored = {}
    for engine in ("memory", "duckdb"):
        workspace = tmp_path / engine
        record = _json("ingest", path, "--workspace", workspace, "--json", "--engine", engine)
        stored[engine] = (record["lines"], record["history"], _json("segment", "--workspace", workspace, "--json"))
    assert stored["duckdb"] == stored["memory"]


def test_predict_reads_the_engines_ledger(inputs):
    """`predict` works on the ledger only, so it runs on an engine too, with the same figures."""
    path = inputs["parquet"]
    memory = _json("predict", path, "--json")
    assert memory["customers"] > 10_000
    assert _json("predict", path, "--json", "--engine", "duckdb") == memory


def test_the_messy_table_exercises_every_exclusion(inputs):
    """The comparison above is worth something only if the random table has what cleaning excludes."""
    memory = _json("segment", inputs["csv"], "--json")
    assert set(memory["rows"]["excluded"]) >= {"control_chars", "total_line", "no_customer", "bad_date",
                                               "date_out_of_range", "bad_amount", "cancelled", "duplicate",
                                               "zero_amount"}
    assert memory["rows"]["returns"] > 1000 and memory["customers_only_in_excluded_lines"]
    typed = _json("segment", inputs["parquet"], "--json")
    assert {"no_customer", "bad_date", "date_out_of_range", "bad_amount", "amount_out_of_range"} <= set(typed["rows"]["excluded"])


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_engine_ledger_is_the_memory_ledger_to_the_cent(inputs, kind):
    """DuckDB's ledger field by field (Spark's runs the same SQL; its JSON is compared above)."""
    path = inputs[kind]
    memory = build_ledger(load_dataset(path, max_bytes=2**32).cleaned.transactions)
    _ledgers_equal(load_engine_dataset(str(path), engine="duckdb").ledger, memory)


def test_a_ledger_too_large_for_the_engines_sort_is_sorted_in_python(inputs, monkeypatch):
    """Past ENGINE_SORT_ROWS the rows come back unsorted and numpy sorts them: the same ledger."""
    from metriqr.engines import plan

    sorted_by_engine = load_engine_dataset(str(inputs["csv"]), engine="duckdb").ledger
    monkeypatch.setattr(plan, "ENGINE_SORT_ROWS", 10)
    _ledgers_equal(load_engine_dataset(str(inputs["csv"]), engine="duckdb").ledger, sorted_by_engine)


@NEEDS_SPARK
def test_spark_collects_the_ledger_range_by_range_in_order(inputs, monkeypatch):
    """Spark hands the ledger back in sorted ranges (the driver never holds it whole): still the same ledger."""
    from metriqr.engines import spark

    monkeypatch.setattr(spark, "RANGE_ROWS", 5_000)
    path = str(inputs["parquet"])
    _ledgers_equal(load_engine_dataset(path, engine="spark").ledger, load_engine_dataset(path, engine="duckdb").ledger)


@NEEDS_SPARK
def test_spark_reads_a_table_of_its_catalog(inputs):
    """`table:NAME` is a table of Spark's catalog (a warehouse's, through its metastore): the same figures as
    the file it was loaded from; a table that does not exist is a message."""
    from metriqr.engines.spark import session

    session().createDataFrame(pd.read_parquet(inputs["parquet"])).createOrReplaceTempView("vendas_loja")
    expected = _json("segment", inputs["parquet"], "--json")
    assert _json("segment", "table:vendas_loja", "--json", "--engine", "spark") == expected
    missing = run_cli("segment", "table:vendas_nenhuma", "--engine", "spark", "--lang", "en")
    assert missing.returncode == 2 and "found no table “vendas_nenhuma”" in missing.stderr


@pytest.mark.skipif(not ONLINE_RETAIL.exists(), reason="real data not present")
def test_duckdb_on_online_retail_gives_the_same_segments():
    assert _json("segment", ONLINE_RETAIL, "--json", "--engine", "duckdb") == _json("segment", ONLINE_RETAIL, "--json")


@pytest.mark.skipif(not GROCERIES.exists(), reason="real data not present")
@pytest.mark.parametrize("engine", ENGINES)
def test_engines_on_the_groceries_file_quote_the_same_date_evidence(engine):
    """Dates written `21-07-2015`: the day/month order, its evidence and the ambiguous count are the memory engine's."""
    memory = _json("segment", GROCERIES, "--json")
    assert memory["dates"]["order_reason"] == "evidence"
    assert _json("segment", GROCERIES, "--json", "--engine", engine) == memory


def test_a_glob_of_parquet_files_is_one_table(inputs, tmp_path):
    whole = pd.read_parquet(inputs["parquet"])
    for part, rows in enumerate(np.array_split(np.arange(len(whole)), 3)):
        whole.iloc[rows].to_parquet(tmp_path / f"part-{part}.parquet", index=False)
    expected = _json("segment", inputs["parquet"], "--json")
    assert _json("segment", tmp_path / "part-*.parquet", "--json", "--engine", "duckdb") == expected


@pytest.mark.parametrize(("args", "message"), [
    (["segment", DATA_DIR / "online_retail.xlsx", "--engine", "duckdb"], "--engine memory"),
    (["segment", "--workspace", DATA_DIR, "--engine", "duckdb"], "a workspace"),
    (["segment", "table:warehouse.sales"], "--engine spark"),
    (["ingest", "s3a://bucket/sales/", "--workspace", DATA_DIR / "nowhere"], "--engine spark"),
    (["segment", GROCERIES, "--spark-master", "spark://host:7077"], "--engine spark"),
])
def test_what_an_engine_cannot_do_is_refused_with_a_message(args, message):
    result = run_cli(*args, "--lang", "en")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def _shapes() -> dict[str, bytes]:
    """CSV as tools write it: US amounts `"1,234.56"` and mm/dd dates, tabs and decimal commas in a .txt, Windows
    line ends, a notes column whose quoted cells span lines, short lines, a repeated header, gzip."""
    rng = np.random.default_rng(2)
    rows = list(zip([f"C{i:03d}" for i in rng.integers(0, 200, 2000)],
                    pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300 * 86400, 2000), unit="s"),
                    np.round(rng.lognormal(5, 1.5, 2000), 2)))
    br = [(c, f"{t:%d/%m/%Y}", f"{a:.2f}".replace(".", ",")) for c, t, a in rows]
    us = "customer,date,amount\n" + "".join(f'{c},{t:%m/%d/%Y},"{a:,.2f}"\n' for c, t, a in rows)
    return {"us.csv": us.encode(), "crlf.csv": us.replace("\n", "\r\n").encode(),
            "tab.txt": ("cliente\tdata\tvalor\n" + "".join(f"{c}\t{d}\t{v}\n" for c, d, v in br)).encode(),
            "notas.csv": ("cliente;data;valor;obs\n" + "".join(f'{c};{d};{v};"entregar\nna portaria"\n'
                                                                for c, d, v in br)).encode(),
            "curtas.csv": ("cliente;data;valor;obs;valor\n" + "".join(f"{c};{d};{v}\n" for c, d, v in br)).encode(),
            "vendas.csv.gz": gzip.compress(("cliente;data;valor\n" + "".join(f"{c};{d};{v}\n" for c, d, v in br))
                                           .encode())}


def test_csv_shapes_read_by_duckdb_as_in_memory(tmp_path):
    for name, content in _shapes().items():
        path = tmp_path / name
        path.write_bytes(content)
        memory = _json("segment", path, "--json")
        assert memory["rows"]["used"] == 2000, name
        assert _json("segment", path, "--json", "--engine", "duckdb") == memory, name


@pytest.mark.parametrize("engine", ENGINES)
def test_instants_with_a_time_zone_are_read_at_its_wall_clock_time(tmp_path, engine):
    """A warehouse's timestamps with a time zone (São Paulo, UTC−3): a sale at 22:00 local belongs to that
    day, as the memory engine reads it, not to the next day in UTC."""
    rng = np.random.default_rng(8)
    n = 3_000
    stamps = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300 * 86400, n), unit="s")
    path = tmp_path / "vendas_tz.parquet"
    pd.DataFrame({"cliente": [f"C{i:03d}" for i in rng.integers(0, 300, n)],
                  "data": stamps.tz_localize("America/Sao_Paulo"),
                  "valor": np.round(rng.lognormal(3, 1, n), 2)}).to_parquet(path, index=False)
    memory = _json("segment", path, "--json")
    assert memory["as_of"] == (stamps.max().normalize() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    assert _json("segment", path, "--json", "--engine", engine) == memory


def test_the_hostile_corpus_on_duckdb_ends_in_a_report_or_a_message(tmp_path, capsys):
    """Issue 9's hostile files, and a few shapes of the engines' own, through `segment --engine duckdb`: a
    report or a one-line message (status 2) that names the user's file, not an internal one, never
    "internal error"; non-finite amounts are excluded
    with a reason as in memory."""
    from metriqr import cli
    from tests.test_reading_security import hostile_corpus

    corpus = {name: content for name, (content, _) in hostile_corpus().items()}
    corpus |= {"ragged.csv": b"cliente,data,valor\nA,01/01/2025,1\nB,02/01/2025,2,extra\n",
               "vazio.csv": b"", "so_cabecalho.csv": b"cliente,data,valor\n",
               "quebrado.parquet": b"PAR1" + bytes(100) + b"PAR1"}
    for name, content in corpus.items():
        path = tmp_path / name
        path.write_bytes(content)
        status = cli.main(["segment", str(path), "--lang", "en", "--engine", "duckdb"])
        err = capsys.readouterr().err
        assert status in (0, cli.EXIT_BAD_INPUT) and "internal error" not in err, (name, err)
        if status:
            assert len(err.strip().splitlines()) == 1 and ("sample" not in err), (name, err)
    infinite = tmp_path / "infinito.csv"
    infinite.write_bytes(b"cliente,data,valor\nA,01/01/2025,inf\nB,02/01/2025,1e308\nC,03/01/2025,5\n"
                         b"C,04/01/2025,-inf\n")
    memory = _json("segment", infinite, "--json")
    assert memory["rows"]["excluded"] == {"amount_out_of_range": 3}
    assert _json("segment", infinite, "--json", "--engine", "duckdb") == memory


def test_csv_with_a_title_above_the_header_is_left_to_the_memory_engine(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("Relatório de vendas — loja 1\n\ncliente;data;valor\nA;01/02/2024;10,00\nB;02/02/2024;5,00\n",
                    encoding="utf-8")
    assert run_cli("segment", path, "--json").returncode == 0
    refused = run_cli("segment", path, "--engine", "duckdb", "--lang", "en")
    assert refused.returncode == 2 and "--engine memory" in refused.stderr


def test_the_command_lines_engine_names_are_the_engines():
    """The parser repeats the names (it imports no engine, so --help stays instant): they must agree."""
    from metriqr import engines
    from metriqr.cli import common

    assert common.ENGINES == engines.ENGINES and common.ENGINES[0] == engines.DEFAULT_ENGINE
    assert common.DEFAULT_SPARK_MASTER == engines.DEFAULT_SPARK_MASTER
