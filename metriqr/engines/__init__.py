"""Where the one step over raw lines runs: `memory` (pandas, the default), `duckdb` (embedded, out of
core, larger than memory) or `spark` (a cluster, or local[*]).

The engines hand back the same `Ledger` and the same cleaning report, to the cent; everything after the
ledger (scores, segments, migration) is unchanged, so outputs are identical whatever the engine. The
ledger's SQL is written once (`plan`) and run by DuckDB and Spark SQL alike; `memory` is
`metriqr.pipeline.load_dataset` itself.

The engines read Parquet (a file or a glob of files) and well-formed CSV (UTF-8, header on the first
line, as `read_csv` of any tool writes it, optionally gzipped); anything else (workbooks, exports with
title lines, other encodings) is refused with a message that names `--engine memory`, which reads it.
"""
from __future__ import annotations

import glob
import gzip
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from metriqr.errors import MetriqrError

ENGINES = ("memory", "duckdb", "spark")
DEFAULT_ENGINE = "memory"
DEFAULT_SPARK_MASTER = "local[*]"
SAMPLE_ROWS = 20_000          # column detection reads the first rows, as the memory reader types them
SAMPLE_BYTES = 4 * 1024**2    # of a CSV file
ENGINE_FORMATS = (".parquet", ".csv", ".txt", ".csv.gz", ".txt.gz")


class EngineError(MetriqrError):
    """An engine cannot run, or cannot read this input exactly as the memory engine would."""


TABLE_PREFIX = "table:"  # DATA naming a table of Spark's catalog: table:warehouse.sales


def is_remote(data: str) -> bool:
    """A URL only a cluster reads (s3a://, hdfs://, abfss://, gs://…) or a table of its catalog: Spark
    reads it and its sample."""
    return data.startswith(TABLE_PREFIX) or ("://" in data and not data.startswith("file://"))


def engine_files(data: str) -> tuple[list[str], str]:
    """The files DATA names (a path, a folder of Parquet files as Spark and warehouses write them, or a
    glob) and their format, "parquet" or "csv"."""
    if data.startswith(TABLE_PREFIX):
        return [data[len(TABLE_PREFIX):]], "table"
    if is_remote(data):
        return [data], "csv" if data.lower().rstrip("/").endswith(ENGINE_FORMATS[1:]) else "parquet"
    if Path(data).is_dir():
        data = str(Path(data) / "**" / "*.parquet")
    paths = sorted(glob.glob(data, recursive=True)) if any(ch in data for ch in "*?[") else [data]
    paths = [p for p in paths if Path(p).is_file()]
    if not paths:
        from metriqr.errors import InputFileError

        raise InputFileError("file_not_found", name=data)
    names = [p.lower() for p in paths]
    if all(n.endswith(".parquet") for n in names):
        return paths, "parquet"
    if len(paths) == 1 and names[0].endswith((".csv", ".txt", ".csv.gz", ".txt.gz")):
        return paths, "csv"
    raise EngineError("engine_format", name=Path(paths[0]).name)


def load_engine_dataset(data: str, *, engine: str, spark_master: str | None = None,
                        overrides: Mapping[str, str] | None = None, date_order: str | None = None,
                        lines: bool = False) -> Any:
    """DATA read, cleaned and reduced to the ledger by `engine` ("duckdb" or "spark"): a Dataset whose
    `ledger` is set and whose transactions are not in memory, unless `lines` asks for the cleaned lines
    too (recommendations and workspaces learn from them)."""
    from metriqr.columns import resolve_mapping
    from metriqr.pipeline import Dataset

    paths, kind = engine_files(data)
    remote = is_remote(data)
    if remote and engine != "spark":
        raise EngineError("engine_remote_needs_spark", name=data)
    if engine == "duckdb":
        from metriqr.engines.duckdb import DuckRunner as Runner
    elif engine == "spark":
        from metriqr.engines.spark import SparkRunner as Runner  # type: ignore[assignment]
    else:
        raise ValueError(f"unknown engine {engine!r}")
    from metriqr.cleaning import Cleaned, require_rows
    from metriqr.engines.plan import run_plan

    source = None if remote else sample_source(paths, kind)  # detection's mistakes before an engine starts
    mapping = None if source is None else resolve_mapping(source.sample, overrides)
    runner = Runner(master=spark_master) if engine == "spark" else Runner()
    try:
        if source is None:
            source = runner.remote_sample(paths[0], kind)
            mapping = resolve_mapping(source.sample, overrides)
        runner.source(paths, kind, source)
        result = run_plan(runner, source, mapping, date_order=date_order, lines=lines)
    finally:
        runner.close()
    cleaned = require_rows(Cleaned(transactions=result.lines, report=result.report))  # type: ignore[arg-type]
    from metriqr.reading import RawTable

    sample = RawTable(frame=source.sample, name=Path(paths[0]).name if not remote else data, sheet=None, sheets=(), header_row=0,
                      blank_rows=0, file_format=kind)
    return Dataset(raw=sample, mapping=mapping, cleaned=cleaned, ledger=result.ledger)


def engine_headers(data: str) -> list[str] | None:
    """DATA's column headers as the engines (and the memory reader) name them; None for data only a
    cluster reads (its headers come with the engine's run)."""
    return None if is_remote(data) else list(sample_source(*engine_files(data)).headers)


def sample_source(paths: list[str], kind: str) -> Any:
    """The first rows as the memory reader types and names them: what column detection reads, and the
    check that the engine's reading of the file is the memory reader's."""
    from metriqr.engines.plan import Source
    from metriqr.reading.header import _header_text, _unique

    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(paths[0])
            batch = next(parquet.iter_batches(batch_size=SAMPLE_ROWS), None)
        except Exception as exc:  # noqa: BLE001 — any unreadable file is the same message
            raise EngineError("engine_unreadable", name=Path(paths[0]).name,
                              detail=" ".join(str(exc).split())[:200]) from None
        import pyarrow as pa

        nested = [f.name for f in parquet.schema_arrow if pa.types.is_nested(f.type)]
        if nested:  # as the memory reader says it (metriqr.reading.parquet)
            from metriqr.errors import InputFileError

            raise InputFileError("parquet_nested", name=Path(paths[0]).name,
                                 columns=", ".join(f"“{n}”" for n in nested[:5]))
        table = pa.Table.from_batches([batch]) if batch is not None else parquet.schema_arrow.empty_table()
        frame = table.to_pandas()
        headers = _unique([_header_text(c) or f"Coluna {i + 1}" for i, c in enumerate(frame.columns)])
        frame.columns = headers
        return Source(headers=headers, kinds=[], sample=frame, extra={"columns": list(table.column_names)})
    from metriqr.reading import read_table

    path = paths[0]
    opener = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
        complete = not handle.read(1)
    if not complete:
        head = head[: head.rfind(b"\n") + 1]
    name = Path(path).name
    raw = read_table(head, name=name[:-3] if name.lower().endswith(".gz") else name)  # messages name the file
    if raw.header_row != 0 or raw.encoding not in ("utf-8", "utf-8-sig") or raw.malformed_rows:
        raise EngineError("engine_csv_layout", name=Path(path).name)
    return Source(headers=[str(c) for c in raw.frame.columns], kinds=[], sample=raw.frame, blank_text=True,
                  extra={"separator": raw.separator, "encoding": raw.encoding,
                         "width": len(raw.frame.columns)})


def work_dir() -> str:
    """Where DuckDB spills to disk: a temporary folder of its own."""
    import tempfile

    return tempfile.mkdtemp(prefix="metriqr-engine-", dir=os.environ.get("METRIQR_ENGINE_TMP") or None)
