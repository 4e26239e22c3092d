"""Spark: the same SQL as DuckDB (metriqr.engines.plan), run by Spark SQL on a cluster (`--spark-master
spark://host:7077`, `yarn`, `k8s://…`) or on this machine's cores (`local[*]`, the default).

The session starts only when a command runs with `--engine spark` (pyspark is imported there, never at
parse time), with Spark's web UI off and its logs quiet, and with nothing fetched at run time: no
packages, no extra jars. The files must be readable by the cluster's executors at the same path.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from metriqr.engines import DEFAULT_SPARK_MASTER, EngineError
from metriqr.engines.plan import BLANK_RE, SPARK, Source

_SESSION: dict[str, Any] = {}
RANGE_ROWS = 1_000_000  # ledger rows collected to the driver at a time
LOG_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "log4j2.properties")


def java_ready() -> bool:
    """Spark needs a Java runtime (17 or later) on the PATH or in JAVA_HOME."""
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin", "java"))))


def session(master: str | None = None) -> Any:
    """One SparkSession per process and master, started on first use."""
    master = master or DEFAULT_SPARK_MASTER
    if master in _SESSION:
        return _SESSION[master]
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("engine_no_pyspark") from None
    if not java_ready():
        raise EngineError("engine_no_java")
    for other in list(_SESSION):  # one active session per process: a new master replaces the old one
        _SESSION.pop(other).stop()
    try:
        with _quiet_jvm():
            spark = (SparkSession.builder.master(master).appName("metriqr")
                     .config("spark.ui.enabled", "false")
                     .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{LOG_CONFIG}")
                     .config("spark.ui.showConsoleProgress", "false")
                     .config("spark.sql.session.timeZone", "UTC")
                     .config("spark.sql.parser.escapedStringLiterals", "true")
                     .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                     .config("spark.sql.shuffle.partitions", os.environ.get("METRIQR_SPARK_PARTITIONS", "4"))
                     .config("spark.driver.memory", os.environ.get("METRIQR_SPARK_DRIVER_MEMORY", "2g"))
                     # the ledger comes back to the driver whole (1.3 GB at 50 million lines): no 1 GB cap
                     .config("spark.driver.maxResultSize", os.environ.get("METRIQR_SPARK_MAX_RESULT", "0"))
                     .getOrCreate())
    except Exception as exc:  # noqa: BLE001 — a cluster that cannot be reached, a JVM that cannot start
        raise EngineError("engine_spark_start", master=master, detail=str(exc).splitlines()[0][:300]) from None
    spark.sparkContext.setLogLevel("ERROR")
    _SESSION[master] = spark
    return spark


@contextmanager
def _quiet_jvm() -> Iterator[None]:
    """The JVM Spark starts inherits this process's stderr: give it /dev/null instead (its start-up
    notices are not the user's business; its errors come back as exceptions). METRIQR_DEBUG=1 keeps them."""
    if os.environ.get("METRIQR_DEBUG") == "1":
        yield
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def kind_of(data_type: Any) -> str:
    from pyspark.sql import types as T

    if isinstance(data_type, T.StringType):
        return "text"
    if isinstance(data_type, T.NumericType):
        return "number"
    if isinstance(data_type, (T.TimestampType, T.TimestampNTZType, T.DateType)):
        return "time"
    return "other"


class SparkRunner:
    dialect = SPARK

    def __init__(self, master: str | None = None) -> None:
        self.spark = session(master)
        self.views: list[str] = []
        self.cached: list[Any] = []

    def remote_sample(self, path: str, kind: str) -> Source:
        """The first rows of a file only the cluster reads, typed as the memory reader would (CSV cells as
        text), for column detection."""
        from metriqr.engines import SAMPLE_ROWS
        from metriqr.reading.header import _header_text, _unique

        frame = self._frame(path, kind) if kind != "csv" else self.spark.read.csv(path, header=True, inferSchema=False)
        names = list(frame.columns)
        sample = frame.limit(SAMPLE_ROWS).toArrow().to_pandas()
        headers = _unique([_header_text(c) or f"Coluna {i + 1}" for i, c in enumerate(names)])
        sample.columns = headers
        extra = {"columns": names} if kind != "csv" else {"separator": ",", "width": len(names)}
        return Source(headers=headers, kinds=[], sample=sample, blank_text=kind == "csv", extra=extra)

    def source(self, paths: list[str], kind: str, source: Source) -> None:
        reader = self.spark.read
        if kind != "csv":  # typed columns: Parquet files or a table
            frame = self._frame(paths, kind)
            names = source.extra["columns"]
            if frame.columns != names:
                raise EngineError("engine_schemas_differ", name=os.path.basename(paths[0]))
            source.kinds[:] = [kind_of(field.dataType) for field in frame.schema.fields]
            frame = frame.toDF(*[f"c{i}" for i in range(len(names))])
        else:
            from pyspark.sql import functions as F
            from pyspark.sql import types as T

            width = source.extra["width"]
            schema = T.StructType([T.StructField(f"c{i}", T.StringType()) for i in range(width)])
            frame = reader.csv(paths[0], schema=schema, sep=source.extra["separator"], header=True, quote='"',
                               escape='"', multiLine=True, mode="PERMISSIVE", enforceSchema=True)
            source.kinds[:] = ["text"] * width
            frame = frame.select(*[F.when(F.col(f"c{i}").rlike(BLANK_RE), F.lit(None)).otherwise(F.col(f"c{i}"))
                                   .alias(f"c{i}") for i in range(width)])
        frame.createOrReplaceTempView("src")
        self.views.append("src")

    def _frame(self, paths: str | list[str], kind: str) -> Any:
        """Parquet files, or a table of the session's catalog (`table:NAME`; a cluster's metastore when
        SPARK_CONF_DIR holds its configuration)."""
        paths = [paths] if isinstance(paths, str) else paths
        try:
            return self.spark.table(paths[0]) if kind == "table" else self.spark.read.parquet(*paths)
        except Exception as exc:  # noqa: BLE001 — Spark's errors come from the JVM
            raise EngineError("engine_no_table" if kind == "table" else "engine_unreadable", name=paths[0],
                              detail=str(exc).splitlines()[0][:200]) from None

    def table(self, sql: str) -> pa.Table:
        try:
            return self.spark.sql(sql).toArrow()
        except Exception as exc:  # noqa: BLE001 — Spark's errors come from the JVM
            raise EngineError("engine_failed", engine="Spark", detail=str(exc).splitlines()[0][:300]) from None

    def batches(self, sql: str, order: tuple[str, ...] = ()) -> Any:
        """The rows of a query as Arrow record batches, sorted by `order` on the executors (ranges of the
        order, each sorted) and collected one range at a time, so the driver never holds the whole ledger."""
        from pyspark.sql import functions as F

        try:
            frame = self.spark.sql(sql)
            if not order:
                yield from frame.toArrow().to_batches()
                return
            ranges = max(1, int(frame.count()) // RANGE_ROWS)
            frame = frame.repartitionByRange(ranges, *order).sortWithinPartitions(*order)
            frame = frame.withColumn("_range", F.spark_partition_id()).cache()
            self.cached.append(frame)
            for part in range(frame.rdd.getNumPartitions()):
                yield from frame.where(F.col("_range") == part).drop("_range").toArrow().to_batches()
        except EngineError:
            raise
        except Exception as exc:  # noqa: BLE001 — Spark's errors come from the JVM
            raise EngineError("engine_failed", engine="Spark", detail=str(exc).splitlines()[0][:300]) from None

    def release(self) -> None:
        """The driver's memory is the JVM's own; nothing to give back here."""

    def register(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)
        self.views.append(name)

    def materialize(self, name: str, sql: str) -> None:
        try:
            frame = self.spark.sql(sql).cache()
        except Exception as exc:  # noqa: BLE001
            raise EngineError("engine_failed", engine="Spark", detail=str(exc).splitlines()[0][:300]) from None
        frame.createOrReplaceTempView(name)
        self.views.append(name)
        self.cached.append(frame)

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(sql).createOrReplaceTempView(name)
        self.views.append(name)

    def close(self) -> None:
        """The session stays for the next question in this process; its tables do not."""
        for frame in self.cached:
            frame.unpersist()
        for name in self.views:
            self.spark.catalog.dropTempView(name)
