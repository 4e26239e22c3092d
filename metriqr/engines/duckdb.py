"""DuckDB: embedded, no server; reads Parquet (globs of files) and CSV where they lie and aggregates out of
core within a memory limit (`METRIQR_ENGINE_MEMORY`, default 1750MB: with Python's share, a 50-million-line
run stays under 3 GB), working in a compressed database file in a temporary folder of its own, removed after."""
from __future__ import annotations

import os
import shutil
from typing import Any

import pyarrow as pa

from metriqr.engines import EngineError, work_dir
from metriqr.engines.plan import BLANK_RE, DUCKDB, Source

MEMORY_ENV = "METRIQR_ENGINE_MEMORY"
DEFAULT_MEMORY = "1750MB"
_NUMBER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
           "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def kind_of(sql_type: str) -> str:
    sql_type = sql_type.upper()
    if sql_type == "VARCHAR":
        return "text"
    if sql_type.startswith(_NUMBER):
        return "number"
    if sql_type.startswith(("TIMESTAMP", "DATE")):
        return "time"
    return "other"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _multiline(sample: Any) -> bool:
    """Some text cell of the first rows holds a line break (a quoted cell spanning lines)."""
    return any(sample[c].astype("string").str.contains("[\r\n]", regex=True).any()
               for c in sample.columns if not sample[c].isna().all())


class DuckRunner:
    dialect = DUCKDB

    def __init__(self, memory_limit: str | None = None) -> None:
        import duckdb

        self.folder = work_dir()
        try:
            self.con = duckdb.connect(os.path.join(self.folder, "work.duckdb"), config={
                "memory_limit": memory_limit or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY,
                "temp_directory": os.path.join(self.folder, "spill"), "preserve_insertion_order": False})
        except duckdb.Error as exc:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise EngineError("engine_failed", engine="DuckDB", detail=str(exc).splitlines()[0][:300]) from None

    def source(self, paths: list[str], kind: str, source: Source) -> None:
        files = "[" + ", ".join(_quote(p) for p in paths) + "]"
        if kind == "parquet":
            names = source.extra["columns"]
            relation = f"read_parquet({files})"
            described = self.con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
            types = {row[0]: row[1] for row in described}
            if [row[0] for row in described] != names:
                raise EngineError("engine_schemas_differ", name=os.path.basename(paths[0]))
            source.kinds[:] = [kind_of(types[n]) for n in names]
            select = [f'"{n}" AS c{i}' for i, n in enumerate(n.replace('"', '""') for n in names)]
        else:
            width = source.extra["width"]
            columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
            # DuckDB's parallel scanner cannot pad short lines once a quoted cell spans lines: then one thread
            parallel = "" if not _multiline(source.sample) else ", parallel=false"
            relation = (f"read_csv({files}, delim={_quote(source.extra['separator'])}, quote='\"', escape='\"', "
                        f"header=true, auto_detect=false, columns={columns}, null_padding=true, "
                        f"strict_mode=true{parallel})")
            source.kinds[:] = ["text"] * width
            select = [f"CASE WHEN regexp_matches(c{i}, {_quote(BLANK_RE)}) THEN NULL ELSE c{i} END AS c{i}"
                      for i in range(width)]
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW src AS SELECT {', '.join(select)} FROM {relation}")

    def table(self, sql: str) -> pa.Table:
        import duckdb

        try:
            return self.con.sql(sql).to_arrow_table()
        except duckdb.Error as exc:
            raise EngineError("engine_failed", engine="DuckDB", detail=str(exc).splitlines()[0][:300]) from None

    def batches(self, sql: str, order: tuple[str, ...] = ()) -> Any:
        """The rows of a query (sorted by `order`) as Arrow record batches, streamed (never whole in memory)."""
        import duckdb

        if order:
            sql = f"SELECT * FROM ({sql}) x ORDER BY {', '.join(order)}"
        try:
            return self.con.sql(sql).to_arrow_reader(1_000_000)
        except duckdb.Error as exc:
            raise EngineError("engine_failed", engine="DuckDB", detail=str(exc).splitlines()[0][:300]) from None

    def release(self) -> None:
        """Give back the memory DuckDB caches before the ledger comes into Python's: what follows streams."""
        self.con.execute("SET memory_limit = '768MB'")

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def materialize(self, name: str, sql: str) -> None:
        import duckdb

        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        except duckdb.Error as exc:
            raise EngineError("engine_failed", engine="DuckDB", detail=str(exc).splitlines()[0][:300]) from None

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
