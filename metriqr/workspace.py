"""Workspaces: a business's cleaned sales history, saved segmentations and share links, on disk.

Nothing is stored unless the user saves a workspace. A workspace is one folder holding one
embedded DuckDB file (columnar, transactional, no server; the ledger can later be built by
DuckDB itself). The store is this module only, so that a server database can replace it.

- **History.** The cleaned lines of every upload (never the uploaded bytes). An upload's lines
  replace the stored lines dated within the days it covers (its first to last day); everything
  else is kept, so re-sent or overlapping exports never double-count.
- **Runs.** A saved segmentation keeps its reference date, method, window, thresholds and
  every customer's scores and segment, exactly as the user saw them.
- **Links are capabilities.** A token is `<workspace id>.<secret>`: the id (128 random bits,
  never derived from a name or content) finds the folder under the data directory, the
  secret (192 random bits) is checked against the stored SHA-256 hashes in constant time.
  Any failure (unknown id, wrong secret, expired, revoked, damaged) is the same `not_found`.
- **Integrity.** Every write is one transaction under an exclusive file lock: a killed process
  leaves the state before or after, and concurrent writers (two sessions, a scheduled command
  while the app is open) wait for each other, up to `LOCK_WAIT_S`.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metriqr.errors import MetriqrError

DATA_DIR_ENV = "METRIQR_DATA_DIR"
DEFAULT_DATA_DIR = "metriqr_data"
DB_NAME = "workspace.duckdb"
LOCK_NAME = "workspace.lock"
FORMAT = 1
LOCK_WAIT_S = 60.0
MAX_LINES = 20_000_000  # per workspace (~1 GB on disk); an upload beyond it is refused whole
ROLES = ("owner", "read")
_ID = re.compile(r"^[0-9a-f]{32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{32}$")
# Columns of a line: identifiers are text; any other role cleaning adds (contacts) is stored as it comes.
ID_COLUMNS = ("customer", "order", "product", "product_name", "customer_name")
CONTACT_COLUMNS = ("customer_name", "email", "phone")
_SQL_TYPES = {"b": "BOOLEAN", "f": "DOUBLE", "i": "BIGINT", "M": "TIMESTAMP"}

_SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE lines (customer VARCHAR NOT NULL, date TIMESTAMP NOT NULL, amount DOUBLE NOT NULL,
                    is_return BOOLEAN NOT NULL, upload INTEGER NOT NULL);
CREATE TABLE uploads (upload INTEGER PRIMARY KEY, name VARCHAR, saved_at TIMESTAMP, first DATE, last DATE,
                      rows_read BIGINT, rows_used BIGINT, rows_excluded BIGINT, added BIGINT, replaced BIGINT);
CREATE TABLE runs (run INTEGER PRIMARY KEY, as_of DATE, method VARCHAR, window_days INTEGER,
                   thresholds VARCHAR, customers BIGINT, saved_at TIMESTAMP, first_date TIMESTAMP,
                   last_date TIMESTAMP, occasions BIGINT, revenue DOUBLE);
CREATE TABLE run_customers (run INTEGER, customer VARCHAR, recency_days BIGINT, frequency BIGINT,
                            monetary DOUBLE, r TINYINT, f TINYINT, m TINYINT, segment VARCHAR);
CREATE TABLE tokens (hash VARCHAR PRIMARY KEY, role VARCHAR, mask BOOLEAN, created_at TIMESTAMP,
                     expires_at TIMESTAMP, revoked_at TIMESTAMP);
"""


class WorkspaceError(MetriqrError):
    """A workspace cannot be opened, found or written."""


@dataclass(frozen=True)
class Access:
    """What a link gives: the workspace, the role (owner or read) and whether names are masked."""

    workspace: "Workspace"
    role: str
    mask: bool = False
    version: int = 0  # the workspace's version when the link was checked (every write bumps it)

    @property
    def can_write(self) -> bool:
        return self.role == "owner"


@dataclass(frozen=True)
class IngestResult:
    upload: int
    rows: dict[str, int]
    first: pd.Timestamp
    last: pd.Timestamp
    added: int
    replaced: int
    unchanged: int
    history: dict[str, Any]


def data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- opening ---------------------------------------------------------------------------------

class Workspace:
    """A workspace folder. Every access goes through `_session`, which locks and opens the database."""

    def __init__(self, path: Path, workspace_id: str) -> None:
        self.path = path
        self.id = workspace_id

    def __repr__(self) -> str:
        return f"Workspace({self.id})"

    @property
    def db(self) -> Path:
        return self.path / DB_NAME

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Any]:
        with _locked(self.path):
            con = _connect(self.db, read_only=not write)
            try:
                if write:
                    con.execute("BEGIN TRANSACTION")
                    try:
                        yield con
                        _bump_version(con)
                        con.execute("COMMIT")
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                else:
                    yield con
            finally:
                con.close()


def _connect(db: Path, *, read_only: bool) -> Any:
    import duckdb

    try:
        return duckdb.connect(str(db), read_only=read_only)
    except duckdb.Error as exc:
        raise WorkspaceError("workspace_damaged", path=str(db.parent)) from exc


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the workspace, across threads and processes; wait up to LOCK_WAIT_S."""
    with open(folder / LOCK_NAME, "a+b") as handle:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WorkspaceError("workspace_busy", seconds=int(LOCK_WAIT_S)) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _bump_version(con: Any) -> None:
    """Every write changes the version, so caches keyed by it never serve an older state."""
    con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'version'")


def _stored_id(con: Any, folder: Path) -> str:
    """The workspace id a database holds; anything else (a foreign DuckDB file) is damaged."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'id'").fetchone()
    except Exception as exc:  # a DuckDB file of something else
        raise WorkspaceError("workspace_damaged", path=str(folder)) from exc
    if row is None or not _ID.match(str(row[0])):
        raise WorkspaceError("workspace_damaged", path=str(folder))
    return str(row[0])


def open_workspace(path: str | os.PathLike) -> Workspace:
    """An existing workspace folder (the command line's `--workspace PATH`)."""
    folder = Path(path)
    if not (folder / DB_NAME).is_file():
        raise WorkspaceError("workspace_missing", path=str(folder))
    with Workspace(folder, "")._session(write=False) as con:
        return Workspace(folder, _stored_id(con, folder))


def create_workspace(path: str | os.PathLike | None = None) -> Workspace:
    """A new, empty workspace: in `path` (an existing workspace there is opened instead), or under
    the data directory named by its random id.

    Built in a temporary folder beside the target and renamed into place, so a workspace
    either exists complete or not at all.
    """
    workspace_id = secrets.token_hex(16)
    target = Path(path) if path is not None else data_dir() / workspace_id
    if target.exists() and any(target.iterdir()):
        if (target / DB_NAME).exists():
            return open_workspace(target)
        raise WorkspaceError("workspace_not_empty", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    staging.mkdir()
    try:
        import duckdb

        con = duckdb.connect(str(staging / DB_NAME))
        try:
            con.execute(_SCHEMA)
            con.executemany("INSERT INTO meta VALUES (?, ?)",
                            [("id", workspace_id), ("format", str(FORMAT)), ("version", "0"),
                             ("created_at", str(_now())), ("settings", "{}"), ("mappings", "[]")])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Workspace(target, workspace_id)


def delete_workspace(workspace: Workspace) -> None:
    """Gone at once: the folder is renamed away under the lock, then removed; its link entry too."""
    link = data_dir() / workspace.id
    folder = workspace.path.resolve()  # opened through the data directory's link entry: the real folder
    with _locked(folder):
        trash = folder.parent / f".deleted-{secrets.token_hex(8)}"
        folder.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)
    for entry in (link, workspace.path):
        if entry.is_symlink():
            entry.unlink()


# --- history ---------------------------------------------------------------------------------

def _sql_type(series: pd.Series) -> str:
    if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object or pd.api.types.is_string_dtype(series):
        return "VARCHAR"
    return _SQL_TYPES.get(series.dtype.kind, "VARCHAR")


def _quoted(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unexpected column name {name!r}")
    return f'"{name}"'


def ingest(workspace: Workspace, transactions: pd.DataFrame, *, name: str, rows: dict[str, int],
           mapping: dict[str, str] | None = None, headers: Sequence[str] = (),
           settings: dict[str, Any] | None = None) -> IngestResult:
    """Add an upload's cleaned lines: they replace the stored lines dated within the days they cover.

    One transaction: the deletion, the insertion, the upload's record, the remembered column
    mapping (for later files with the same headers) and the settings land together or not at all.
    """
    if transactions.empty:
        raise WorkspaceError("workspace_empty_upload")
    excluded = rows.get("excluded", 0)
    rows = {"read": int(rows.get("read", len(transactions))), "used": int(rows.get("used", len(transactions))),
            "excluded": int(sum(excluded.values()) if isinstance(excluded, dict) else excluded)}
    first = transactions["date"].min().normalize()
    last = transactions["date"].max().normalize()
    frame = pd.DataFrame({column: (values.astype(object).where(values.notna(), None)
                                   if _sql_type(values) == "VARCHAR" else values)
                          for column, values in transactions.items()})
    with workspace._session(write=True) as con:
        existing = {row[0] for row in con.execute("DESCRIBE lines").fetchall()}
        for column in frame.columns:
            if column not in existing:
                con.execute(f"ALTER TABLE lines ADD COLUMN {_quoted(column)} {_sql_type(frame[column])}")
        before = con.execute("SELECT count(*) FROM lines").fetchone()[0]
        replaced = con.execute("SELECT count(*) FROM lines WHERE date >= ? AND date < ?",
                               [first, last + pd.Timedelta(days=1)]).fetchone()[0]
        if before - replaced + len(frame) > MAX_LINES:
            raise WorkspaceError("workspace_too_large", millions=MAX_LINES // 1_000_000)
        upload = con.execute("SELECT coalesce(max(upload), 0) + 1 FROM uploads").fetchone()[0]
        con.execute("DELETE FROM lines WHERE date >= ? AND date < ?", [first, last + pd.Timedelta(days=1)])
        con.register("incoming", frame)
        columns = ", ".join(_quoted(c) for c in frame.columns)
        con.execute(f"INSERT INTO lines ({columns}, upload) SELECT {columns}, ? FROM incoming", [upload])
        con.unregister("incoming")
        _store_ledger(con)
        con.execute("INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [upload, name, _now(), first.date(), last.date(), rows["read"], rows["used"], rows["excluded"],
                     len(frame), replaced])
        if mapping:
            _remember_mapping(con, list(map(str, headers)), mapping)
        if settings:
            _merge_settings(con, settings)
        history = _history_info(con)
    return IngestResult(upload=int(upload), rows=rows, first=first, last=last, added=len(frame),
                        replaced=int(replaced), unchanged=int(before - replaced), history=history)


def ingest_file(workspace: Workspace, source: Any, *, name: str | None = None, sheet: str | None = None,
                overrides: dict[str, str] | None = None, max_bytes: int | None = None,
                settings: dict[str, Any] | None = None, date_order: str | None = None, engine: str = "memory",
                spark_master: str | None = None) -> tuple[IngestResult, Any]:
    """Read, map and clean a file as everywhere else (in memory, or by a DuckDB or Spark `engine` for a
    file larger than memory), then ingest it. A file with the headers of an earlier upload gets that
    upload's column mapping (the user's corrections on top)."""
    from metriqr.columns import ROLES as MAPPING_ROLES

    if engine == "memory":
        from metriqr.pipeline import clean_raw
        from metriqr.reading import read_table

        raw = read_table(source, name=name, sheet=sheet, **({} if max_bytes is None else {"max_bytes": max_bytes}))
        headers = [str(h) for h in raw.frame.columns]
        remembered = remembered_mapping(workspace, headers) or {}
        dataset = clean_raw(raw, {**remembered, **(overrides or {})}, date_order=date_order)
    else:
        from metriqr.engines import engine_headers, load_engine_dataset

        headers = engine_headers(str(source))  # None for a cluster's data: no mapping remembered ahead
        remembered = (remembered_mapping(workspace, headers) or {}) if headers is not None else {}
        dataset = load_engine_dataset(str(source), engine=engine, spark_master=spark_master, lines=True,
                                      overrides={**remembered, **(overrides or {})}, date_order=date_order)
        raw = dataset.raw
        headers = [str(h) for h in raw.frame.columns]
    # every role is stored, a removed one as "", so the same choice applies next time
    mapping = {role: dataset.mapping.get(role, "") for role in MAPPING_ROLES}
    shown = name or (Path(source).name if isinstance(source, (str, os.PathLike)) else "upload")
    settings = {"monetary_basis": dataset.cleaned.report.monetary_basis, **(settings or {})}
    if "currency" not in settings and not stored_settings(workspace).get("currency"):
        from metriqr.currency import detect_currency

        found = detect_currency(raw.frame, dataset.mapping)  # the first file that says it decides
        if found is not None:
            settings["currency"] = found.currency
    result = ingest(workspace, dataset.cleaned.transactions, name=shown, rows=dataset.cleaned.report.as_dict(),
                    mapping=mapping, headers=headers, settings=settings)
    return result, dataset


def stored_dataset(workspace: Workspace, *, mask: bool = False) -> Any:
    """The stored history as a Dataset, for everything that analyses an upload (no file behind it:
    `raw` is None; the report counts the stored lines, all used)."""
    from metriqr.cleaning import Cleaned, CleaningReport
    from metriqr.pipeline import Dataset

    with workspace._session(write=False) as con:
        transactions = _read_lines(con, mask=mask)
        options = json.loads(_meta(con, "settings") or "{}")
        mappings = json.loads(_meta(con, "mappings") or "[]")
    mapping = {role: header for role, header in (mappings[-1]["mapping"] if mappings else {}).items() if header}
    report = CleaningReport(rows_read=len(transactions), rows_used=len(transactions),
                            returns=int(transactions["is_return"].sum()), excluded={},
                            monetary_basis=options.get("monetary_basis", "amount"),
                            first_date=transactions["date"].min(), last_date=transactions["date"].max())
    return Dataset(raw=None, mapping=mapping, cleaned=Cleaned(transactions, report),
                   currency=options.get("currency"))


def _meta(con: Any, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def _set_meta(con: Any, key: str, value: str) -> None:
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])


def _remember_mapping(con: Any, headers: list[str], mapping: dict[str, str]) -> None:
    known = [entry for entry in json.loads(_meta(con, "mappings") or "[]") if entry["headers"] != headers]
    _set_meta(con, "mappings", json.dumps([*known, {"headers": headers, "mapping": mapping}][-20:]))


def remembered_mapping(workspace: Workspace, headers: Sequence[str]) -> dict[str, str] | None:
    """The column mapping used last time for a file with exactly these headers."""
    with workspace._session(write=False) as con:
        entries = json.loads(_meta(con, "mappings") or "[]")
    wanted = list(map(str, headers))
    return next((entry["mapping"] for entry in reversed(entries) if entry["headers"] == wanted), None)


def stored_settings(workspace: Workspace) -> dict[str, Any]:
    """The workspace's settings: monetary basis, currency."""
    with workspace._session(write=False) as con:
        return json.loads(_meta(con, "settings") or "{}")


def update_settings(workspace: Workspace, **values: Any) -> None:
    with workspace._session(write=True) as con:
        _merge_settings(con, values)


def _merge_settings(con: Any, values: dict[str, Any]) -> None:
    _set_meta(con, "settings", json.dumps({**json.loads(_meta(con, "settings") or "{}"), **values}))


def _history_info(con: Any) -> dict[str, Any]:
    first, last, lines, customers = con.execute(
        "SELECT min(date), max(date), count(*), count(DISTINCT customer) FROM lines").fetchone()
    return {"first": None if first is None else pd.Timestamp(first).normalize(),
            "last": None if last is None else pd.Timestamp(last).normalize(),
            "lines": int(lines), "customers": int(customers)}


def history_info(workspace: Workspace) -> dict[str, Any]:
    with workspace._session(write=False) as con:
        return _history_info(con)


def uploads(workspace: Workspace) -> pd.DataFrame:
    with workspace._session(write=False) as con:
        return con.execute("SELECT * FROM uploads ORDER BY upload").df()


def load_transactions(workspace: Workspace, *, mask: bool = False) -> pd.DataFrame:
    """The stored history as cleaning hands it over: identifiers as categoricals with sorted
    categories, lines in date order. `mask` leaves out names and contact fields (ids only)."""
    with workspace._session(write=False) as con:
        return _read_lines(con, mask=mask)


def _read_lines(con: Any, *, mask: bool = False) -> pd.DataFrame:
    """Read as Arrow and dictionary-encoded there: only the distinct values are sorted, never the
    million texts (pandas' factorize(sort=True) took 4 s of 8 on a million lines)."""
    described = {row[0]: row[1] for row in con.execute("DESCRIBE lines").fetchall() if row[0] != "upload"}
    present = {c for c, in con.execute(
        "SELECT column_name FROM (UNPIVOT (SELECT " + ", ".join(
            f"count({_quoted(c)}) AS {_quoted(c)}" for c in described) + " FROM lines) "
        "ON COLUMNS(*) INTO NAME column_name VALUE n) WHERE n > 0").fetchall()}
    columns = [c for c in described if c in present and not (mask and c in CONTACT_COLUMNS)]
    # lines of an upload without order numbers: one occasion per customer and day, as without the column
    select = [f"coalesce(\"order\", customer || '@' || strftime(date, '%Y-%m-%d')) AS \"order\""
              if c == "order" else _quoted(c) for c in columns]
    table = con.sql(f"SELECT {', '.join(select)} FROM lines ORDER BY date, upload, rowid").to_arrow_table()
    if table.num_rows == 0:
        raise WorkspaceError("workspace_no_history")
    frame = pd.DataFrame({name: _categorical(table.column(name)) if described[name] == "VARCHAR"
                          else table.column(name).to_numpy() for name in columns})
    frame["date"] = frame["date"].astype("datetime64[ns]")
    frame["is_return"] = frame["is_return"].astype(bool)
    if "product" in frame and "product_name" not in frame:
        frame["product_name"] = frame["product"]
    return frame


def _store_ledger(con: Any) -> None:
    """Rebuild the stored ledger (metriqr.aggregates.Ledger: one row per customer and day) from the
    lines, inside the write's transaction, so the ledger and the lines never disagree.

    Built by DuckDB where the lines lie, never read into Python: the rules of `build_ledger` over the
    lines as `_read_lines` gives them (an order column only when some line has a number; a line without
    one is its customer-day's order), in SQL; money in integer cents as `to_cents` rounds them."""
    con.execute("DROP TABLE IF EXISTS ledger")
    present = {row[0] for row in con.execute("DESCRIBE lines").fetchall()}
    counts = con.execute("SELECT count(*), " + ", ".join(f"count({_quoted(c)})" if c in present else "0"
                                                         for c in ("order", "quantity")) + " FROM lines").fetchone()
    if not counts[0]:
        return
    filled = {c for c, n in zip(("order", "quantity"), counts[1:]) if n}  # as _read_lines: empty columns are absent
    item = "coalesce(abs(quantity), 1.0)" if "quantity" in filled else "1.0"  # a NaN is stored as NULL
    scaled = "round_even(amount * 100 * 1000000, 0) / 1000000"
    order = "coalesce(\"order\", customer || '@' || strftime(date, '%Y-%m-%d'))" if "order" in filled else "NULL"
    lines = (f"WITH l AS (SELECT customer, date, CAST(date AS DATE) AS day, is_return, "
             f"CAST(sign({scaled}) * floor(abs({scaled}) + 0.5) AS BIGINT) AS cents, {item} AS item, {order} AS ord "
             f"FROM lines)")
    days = ("SELECT customer, day, CAST(sum(CASE WHEN NOT is_return THEN 1 ELSE 0 END) AS BIGINT) AS lines, "
            "CAST(sum(CASE WHEN is_return THEN 1 ELSE 0 END) AS BIGINT) AS returns, CAST(sum(cents) AS BIGINT) AS cents, "
            "sum(CASE WHEN NOT is_return THEN item ELSE 0.0 END) AS items, "
            "CAST(min(CASE WHEN NOT is_return THEN date END) AS TIMESTAMP_NS) AS first_time, "
            "CAST(max(CASE WHEN NOT is_return THEN date END) AS TIMESTAMP_NS) AS last_time "
            "FROM l GROUP BY customer, day")
    if "order" in filled:  # an order opens on its first purchase day and closes on its last
        con.execute(f"""CREATE TABLE ledger AS {lines}, d AS ({days}),
            p AS (SELECT customer, min(day) AS d0, max(day) AS d1 FROM l WHERE NOT is_return GROUP BY customer, ord),
            o AS (SELECT customer, d0 AS day, count(*) AS n FROM p GROUP BY customer, d0),
            c AS (SELECT customer, d1 AS day, count(*) AS n FROM p GROUP BY customer, d1)
            SELECT d.customer, d.day, CAST(coalesce(o.n, 0) AS BIGINT) AS orders,
                   CAST(coalesce(c.n, 0) AS BIGINT) AS orders_closed, d.cents, d.lines, d.returns, d.items,
                   d.first_time, d.last_time
            FROM d LEFT JOIN o ON d.customer = o.customer AND d.day = o.day
                   LEFT JOIN c ON d.customer = c.customer AND d.day = c.day""")
    else:  # an occasion is a purchase day
        con.execute(f"""CREATE TABLE ledger AS {lines} SELECT customer, day,
            CAST(CASE WHEN lines > 0 THEN 1 ELSE 0 END AS BIGINT) AS orders,
            CAST(CASE WHEN lines > 0 THEN 1 ELSE 0 END AS BIGINT) AS orders_closed,
            cents, lines, returns, items, first_time, last_time FROM ({days}) d""")


def load_ledger(workspace: Workspace) -> Any:
    """The stored ledger: what segmentation and migration need, without reading the lines."""
    from metriqr.aggregates import Ledger

    with workspace._session(write=False) as con:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ledger'").fetchall()[0][0]:
            raise WorkspaceError("workspace_no_history")
        return Ledger.from_frame(con.sql("SELECT * FROM ledger").df())


def _categorical(column: Any) -> pd.Categorical:
    """An Arrow text column as a pandas categorical with sorted categories (missing → code −1)."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks())
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()  # byte order of UTF-8 = code point order
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    categories = encoded.dictionary.take(order).to_numpy(zero_copy_only=False).astype(object)
    return pd.Categorical.from_codes(rank[indices], categories=pd.Index(categories, dtype=object))


def forget_customers(workspace: Workspace, customers: Sequence[str]) -> tuple[int, int]:
    """Erase people everywhere (LGPD): their lines, their rows in saved runs and in campaigns. Returns
    (customers found and forgotten, lines removed)."""
    wanted = sorted({str(c).strip() for c in customers if str(c).strip()})
    with workspace._session(write=True) as con:
        con.register("wanted", pd.DataFrame({"customer": pd.Series(wanted, dtype=object)}))
        con.execute(_CAMPAIGN_SCHEMA)  # campaign members are forgotten too
        found = con.execute("SELECT count(*) FROM wanted WHERE customer IN (SELECT customer FROM lines) "
                            "OR customer IN (SELECT customer FROM run_customers) "
                            "OR customer IN (SELECT customer FROM campaign_members)").fetchone()[0]
        lines = con.execute("SELECT count(*) FROM lines WHERE customer IN (SELECT customer FROM wanted)").fetchone()[0]
        con.execute("DELETE FROM lines WHERE customer IN (SELECT customer FROM wanted)")
        con.execute("DELETE FROM run_customers WHERE customer IN (SELECT customer FROM wanted)")
        con.execute("DELETE FROM campaign_members WHERE customer IN (SELECT customer FROM wanted)")
        con.unregister("wanted")
        _store_ledger(con)
    _compact(workspace)
    return int(found), int(lines)


def _compact(workspace: Workspace) -> None:
    """Rewrite the database file so deleted rows are gone from the disk too, not only hidden
    (a deletion leaves the old values in the file's blocks). The copy replaces the file by an
    atomic rename: a crash leaves the old file, complete."""
    fresh = workspace.path / f".compact-{secrets.token_hex(4)}.duckdb"
    with _locked(workspace.path):
        con = _connect(workspace.db, read_only=False)
        try:
            current = con.execute("SELECT current_database()").fetchone()[0]
            quoted = str(fresh).replace("'", "''")
            con.execute(f"ATTACH '{quoted}' AS fresh")
            con.execute(f'COPY FROM DATABASE "{current}" TO fresh')
            con.execute("DETACH fresh")
        except BaseException:
            fresh.unlink(missing_ok=True)
            raise
        finally:
            con.close()
        os.replace(fresh, workspace.db)


# --- saved segmentations (runs) ----------------------------------------------------------------

RUN_COLUMNS = ("recency_days", "frequency", "monetary", "r", "f", "m", "segment")


def save_run(workspace: Workspace, segmentation: Any) -> int:
    """Store a segmentation as the user saw it: reference date, method, window, thresholds,
    every customer's measures, scores and segment."""
    customers = segmentation.customers
    frame = pd.DataFrame({"customer": customers.index})
    for column in RUN_COLUMNS:
        values = customers[column]
        frame[column] = values.astype(str).to_numpy() if column == "segment" else values.to_numpy()
    thresholds = {measure: [float(v) for v in edges] for measure, edges in segmentation.scorer.edges_.items()}
    with workspace._session(write=True) as con:
        run = con.execute("SELECT coalesce(max(run), 0) + 1 FROM runs").fetchone()[0]
        con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run, segmentation.as_of.date(), segmentation.scorer.method, segmentation.window_days,
                     json.dumps(thresholds), len(frame), _now(), segmentation.first_date, segmentation.last_date,
                     segmentation.occasions, segmentation.revenue])
        con.register("incoming", frame)
        con.execute(f"INSERT INTO run_customers SELECT ?, customer, {', '.join(RUN_COLUMNS)} FROM incoming", [run])
        con.unregister("incoming")
    return int(run)


def list_runs(workspace: Workspace) -> pd.DataFrame:
    """Saved runs, oldest reference date first: run, as_of, method, window_days, customers, saved_at."""
    with workspace._session(write=False) as con:
        frame = con.execute("SELECT run, as_of, method, window_days, customers, saved_at, thresholds "
                            "FROM runs ORDER BY as_of, run").df()
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    return frame


def run_customers(workspace: Workspace, run: int) -> pd.DataFrame:
    """One saved run's customers (index customer), as saved."""
    with workspace._session(write=False) as con:
        if con.execute("SELECT count(*) FROM runs WHERE run = ?", [int(run)]).fetchone()[0] == 0:
            raise WorkspaceError("run_missing", run=int(run))
        frame = con.execute(f"SELECT customer, {', '.join(RUN_COLUMNS)} FROM run_customers WHERE run = ? "
                            "ORDER BY customer", [int(run)]).df()
    return frame.set_index("customer")


def saved_segmentation(workspace: Workspace, run: int) -> Any:
    """A saved run as a Segmentation, exactly as it was saved (its own thresholds and segments)."""
    from metriqr.scoring import RFMScorer
    from metriqr.segmentation import Segmentation
    from metriqr.segments import SEGMENT_KEYS, fm_score

    customers = run_customers(workspace, run)
    with workspace._session(write=False) as con:
        as_of, method, window, thresholds, first, last, occasions, revenue = con.execute(
            "SELECT as_of, method, window_days, thresholds, first_date, last_date, occasions, revenue "
            "FROM runs WHERE run = ?", [int(run)]).fetchone()
    as_of = pd.Timestamp(as_of)
    scorer = RFMScorer(method=method)
    scorer.edges_ = {measure: np.asarray(edges, dtype=float) for measure, edges in json.loads(thresholds).items()}
    frame = pd.DataFrame({
        "last_purchase": (as_of - pd.to_timedelta(customers["recency_days"], unit="D")).astype("datetime64[ns]"),
        "recency_days": customers["recency_days"].astype(np.int64), "frequency": customers["frequency"].astype(np.int64),
        "monetary": customers["monetary"].astype(float), "r": customers["r"].astype(np.int8),
        "f": customers["f"].astype(np.int8), "m": customers["m"].astype(np.int8)}, index=customers.index)
    frame["fm"] = fm_score(frame["f"].to_numpy(), frame["m"].to_numpy())
    frame["segment"] = pd.Categorical(customers["segment"], categories=SEGMENT_KEYS)
    return Segmentation(customers=frame, as_of=as_of, window_days=None if pd.isna(window) else int(window),
                        scorer=scorer, first_date=pd.Timestamp(first), last_date=pd.Timestamp(last),
                        occasions=int(occasions), revenue=float(revenue))


def all_run_segments(workspace: Workspace) -> pd.DataFrame:
    """Every saved run's segment per customer: run, as_of, customer, segment (for sizes over time)."""
    with workspace._session(write=False) as con:
        frame = con.execute("SELECT r.run, r.as_of, c.customer, c.segment FROM run_customers c "
                            "JOIN runs r USING (run) ORDER BY r.as_of, r.run").df()
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    return frame


def segment_tenure(saved: pd.DataFrame, current: pd.Series, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each customer's previous segment and the reference date since which they have been in
    their current one, across the saved runs dated before `as_of` (`saved`: all_run_segments).

    previous_segment: the segment of the last earlier run in which they were elsewhere (empty if
    never different); segment_since: the first reference date of the unbroken streak in the
    current segment that ends at `as_of` (a run where they were absent breaks the streak).
    """
    earlier = saved[saved["as_of"] < as_of]
    customers = current.index
    now = current.astype(str).to_numpy(dtype=object)
    if earlier.empty:
        return pd.DataFrame({"previous_segment": "", "segment_since": as_of}, index=current.index)
    runs = earlier.drop_duplicates("run")[["run", "as_of"]].reset_index(drop=True)
    grid = earlier.pivot(index="customer", columns="run", values="segment").reindex(
        index=customers, columns=runs["run"]).to_numpy(dtype=object)
    differs = grid != now[:, None]  # absent (None) differs too
    present_differs = differs & pd.notna(grid)
    n = grid.shape[1]
    positions = np.arange(n)
    last_diff = np.where(differs, positions, -1).max(axis=1)
    last_other = np.where(present_differs, positions, -1).max(axis=1)
    dates = np.append(runs["as_of"].to_numpy(dtype="datetime64[ns]"), np.datetime64(as_of, "ns"))
    since = dates[last_diff + 1]
    previous = np.where(last_other >= 0, grid[np.arange(len(grid)), np.maximum(last_other, 0)], "")
    return pd.DataFrame({"previous_segment": previous.astype(object), "segment_since": since}, index=current.index)


def tenure(workspace: Workspace, segmentation: Any) -> pd.DataFrame:
    """segment_tenure of a segmentation against this workspace's saved runs."""
    return segment_tenure(all_run_segments(workspace), segmentation.customers["segment"], segmentation.as_of)


def with_tenure(listing: pd.DataFrame, tenure: pd.DataFrame) -> pd.DataFrame:
    """A customer list (column `customer`) with `previous_segment` and `segment_since` (a date)."""
    rows = tenure.loc[listing["customer"].to_numpy()]
    out = listing.copy()
    out["previous_segment"] = rows["previous_segment"].to_numpy()
    out["segment_since"] = rows["segment_since"].dt.date.to_numpy()
    return out


# --- share links ---------------------------------------------------------------------------------

def _link_folder(workspace: Workspace) -> None:
    """Make the workspace reachable by id from the data directory (the app finds it there)."""
    entry = data_dir() / workspace.id
    if entry.exists() or entry.is_symlink():
        return
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.symlink_to(workspace.path.resolve(), target_is_directory=True)


def issue_token(workspace: Workspace, *, role: str = "read", expires_days: int | None = None,
                mask: bool = False) -> str:
    """A new link token; only its hash is stored."""
    if role not in ROLES:
        raise ValueError(role)
    secret = secrets.token_urlsafe(24)
    expires = None if not expires_days else _now() + pd.Timedelta(days=int(expires_days))
    with workspace._session(write=True) as con:
        con.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, NULL)", [_hash(secret), role, mask, _now(), expires])
    _link_folder(workspace)
    return f"{workspace.id}.{secret}"


def revoke_token(workspace: Workspace, token: str) -> bool:
    """Revoke a link of this workspace; False if it is not one of its links."""
    _, _, secret = str(token).strip().partition(".")
    with workspace._session(write=True) as con:
        hit = con.execute("SELECT count(*) FROM tokens WHERE hash = ? AND revoked_at IS NULL",
                          [_hash(secret or str(token))]).fetchone()[0]
        con.execute("UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL",
                    [_now(), _hash(secret or str(token))])
    return bool(hit)


def revoke_hash(workspace: Workspace, token_hash: str) -> None:
    with workspace._session(write=True) as con:
        con.execute("UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL", [_now(), token_hash])


def list_tokens(workspace: Workspace) -> pd.DataFrame:
    """The links of a workspace (hashes only, never secrets): for the owner to see and revoke."""
    with workspace._session(write=False) as con:
        return con.execute("SELECT hash, role, mask, created_at, expires_at, revoked_at FROM tokens "
                           "ORDER BY created_at").df()


def resolve(token: object) -> Access:
    """The workspace and role a link token gives, or `not_found` — the same for every failure."""
    text = str(token or "").strip()
    workspace_id, _, secret = text.partition(".")
    if not _ID.match(workspace_id) or not _SECRET.match(secret):
        raise WorkspaceError("not_found")
    folder = data_dir() / workspace_id
    if not (folder / DB_NAME).is_file():
        raise WorkspaceError("not_found")
    workspace = Workspace(folder, workspace_id)
    try:
        with workspace._session(write=False) as con:  # one opening: identity, links and version
            stored = _stored_id(con, folder)
            rows = con.execute("SELECT hash, role, mask, expires_at, revoked_at FROM tokens").fetchall()
            version = int(_meta(con, "version") or 0)
    except WorkspaceError:
        raise WorkspaceError("not_found") from None
    if stored != workspace_id:
        raise WorkspaceError("not_found")
    wanted = _hash(secret)
    match = None
    for token_hash, role, mask, expires_at, revoked_at in rows:  # a few links per workspace
        if hmac.compare_digest(token_hash, wanted):
            match = (role, bool(mask), expires_at, revoked_at)
    if match is None or match[3] is not None or (match[2] is not None and pd.Timestamp(match[2]) <= _now()):
        raise WorkspaceError("not_found")
    return Access(workspace=workspace, role=match[0], mask=match[1] if match[0] == "read" else False,
                  version=version)


def share_path(token: str, page: str = "segmentacao") -> str:
    """The URL path and query that opens a link on the app served with the same data directory."""
    return f"/{page}?ws={token}"


# --- campaigns (issue 15) ------------------------------------------------------------------------
# Created by the first campaign (IF NOT EXISTS), so workspaces saved before campaigns existed keep
# working; a read of a workspace without them sees no campaign.

_CAMPAIGN_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (name VARCHAR PRIMARY KEY, created TIMESTAMP, as_of DATE, source VARCHAR,
                                      control_share DOUBLE, seed BIGINT, channel VARCHAR, method VARCHAR,
                                      window_days INTEGER, thresholds VARCHAR, targeted BIGINT, control BIGINT);
CREATE TABLE IF NOT EXISTS campaign_members (campaign VARCHAR, customer VARCHAR, "group" VARCHAR, segment VARCHAR);
"""
MAX_CAMPAIGN_NAME = 100


def _has_campaigns(con: Any) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'campaigns'")
                .fetchone()[0])


def campaign_name(name: object) -> str:
    """A campaign's name: stripped, 1 to MAX_CAMPAIGN_NAME printable characters."""
    text = str(name or "").strip()
    if not text or len(text) > MAX_CAMPAIGN_NAME or not text.isprintable():
        raise WorkspaceError("camp_bad_name", limit=MAX_CAMPAIGN_NAME)
    return text


def create_campaign(workspace: Workspace, *, name: str, as_of: pd.Timestamp, source: dict[str, Any],
                    control_share: float, seed: int, channel: str, method: str, window_days: int | None,
                    thresholds: dict[str, list[float]], members: pd.DataFrame) -> dict[str, Any]:
    """Store a campaign and its members (customer, group, segment at creation) in one transaction.
    A campaign is never changed afterwards: the split stays what the user downloaded."""
    name = campaign_name(name)
    frame = pd.DataFrame({"customer": members["customer"].astype(str).to_numpy(dtype=object),
                          "group": members["group"].to_numpy(dtype=object),
                          "segment": (members["segment"].astype(object).where(members["segment"].notna(), None)
                                      if "segment" in members else None)})
    targeted = int((frame["group"] == "target").sum())
    row = {"name": name, "created": _now(), "as_of": pd.Timestamp(as_of).normalize(), "source": source,
           "control_share": float(control_share), "seed": int(seed), "channel": str(channel or "").strip(),
           "method": method, "window_days": window_days, "thresholds": thresholds,
           "targeted": targeted, "control": int(len(frame) - targeted)}
    with workspace._session(write=True) as con:
        con.execute(_CAMPAIGN_SCHEMA)
        if con.execute("SELECT count(*) FROM campaigns WHERE name = ?", [name]).fetchone()[0]:
            raise WorkspaceError("camp_duplicate", name=name)
        con.execute("INSERT INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [name, row["created"], row["as_of"].date(), json.dumps(source), row["control_share"], row["seed"],
                     row["channel"], method, window_days, json.dumps(thresholds), targeted, row["control"]])
        con.register("incoming", frame)
        con.execute('INSERT INTO campaign_members SELECT ?, customer, "group", segment FROM incoming', [name])
        con.unregister("incoming")
    return row


def list_campaigns(workspace: Workspace) -> list[dict[str, Any]]:
    """Every campaign (newest first) as stored: name, created, as_of, source, control_share, seed,
    channel, method, window_days, thresholds, targeted, control."""
    with workspace._session(write=False) as con:
        if not _has_campaigns(con):
            return []
        # the counts of the members as they are now (a forgotten customer is gone from them)
        rows = con.execute(
            'SELECT c.* REPLACE (coalesce(m.targeted, 0) AS targeted, coalesce(m.control, 0) AS control) '
            "FROM campaigns c LEFT JOIN (SELECT campaign, count(*) FILTER (WHERE \"group\" = 'target') AS targeted, "
            "count(*) FILTER (WHERE \"group\" = 'control') AS control FROM campaign_members GROUP BY campaign) m "
            "ON m.campaign = c.name ORDER BY c.created DESC, c.name").df()
    return [_campaign_row(row) for row in rows.to_dict("records")]


def _campaign_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "created": pd.Timestamp(row["created"]), "as_of": pd.Timestamp(row["as_of"]),
            "source": json.loads(row["source"]), "thresholds": json.loads(row["thresholds"]),
            "seed": int(row["seed"]), "targeted": int(row["targeted"]), "control": int(row["control"]),
            "window_days": None if pd.isna(row["window_days"]) else int(row["window_days"])}


def load_campaign(workspace: Workspace, name: str) -> tuple[dict[str, Any], pd.DataFrame]:
    """One campaign and its members (customer, group, segment), customers sorted."""
    with workspace._session(write=False) as con:
        rows = con.execute("SELECT * FROM campaigns WHERE name = ?", [str(name).strip()]).df() \
            if _has_campaigns(con) else pd.DataFrame()
        if rows.empty:
            raise WorkspaceError("camp_unknown", name=str(name))
        members = con.execute('SELECT customer, "group", segment FROM campaign_members WHERE campaign = ? '
                              "ORDER BY customer", [str(name).strip()]).df()
    return _campaign_row(rows.to_dict("records")[0]), members
