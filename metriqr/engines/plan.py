"""The ledger from raw lines, as SQL that DuckDB and Spark both run: one expression, two engines.

Every step that touches raw lines runs in the engine: the cleaning policy of `metriqr.cleaning` and
the ledger of `metriqr.aggregates` (one row per customer and day). What the engine hands back is
small: the distinct values of the text columns it must read (ids, dates written as text, amounts
written as text, statuses), and the ledger itself. The distinct values are read by the very
functions the in-memory path uses (`cleaning._text`, `parsing`), so an id, a date or an amount is
read identically whatever the engine; their readings go back to the engine as small tables and are
joined there. Counts of rows read, used and excluded per reason follow the same rules, so the
report and the ledger are the memory engine's, to the cent.

The SQL keeps to what both dialects share; the few functions that differ are in `Dialect`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from metriqr.cleaning import (_CANCELLED, _CONTROL, _NO_CUSTOMER, _TOTAL_LINE, MAX_AMOUNT, REASONS, TEXT_ROLES,
                              CleaningReport, _contains, _matches, _starts, _text)
from metriqr.columns import NUMERIC_ROLES, ColumnMapping
from metriqr.parsing import _finish, _read_unique_dates, _read_unique_numbers, read_dates

KINDS = ("text", "number", "time", "other")  # how the engine typed a column
# Control characters in an identifier (cleaning._CONTROL), written for RE2 and Java alike.
CONTROL_RE = "[\\x{00}-\\x{08}\\x{0B}\\x{0C}\\x{0E}-\\x{1F}\\x{7F}]"
# Whitespace Python's str.strip removes: a cell of only these is missing (reading.text._blank_to_nan).
BLANK_RE = ("^[\\s\\x{0B}\\x{1C}-\\x{1F}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
            "\\x{202F}\\x{205F}\\x{3000}]*$")
# Arrow's utf8_trim_whitespace, as cleaning._text trims ids (order numbers are trimmed in the engine).
TRIM_RE = ("^[\\s\\x{0B}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}"
           "\\x{3000}]+|[\\s\\x{0B}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
           "\\x{205F}\\x{3000}]+$")
REASON = {key: i for i, key in enumerate(REASONS)}
# The identifiers the cleaned lines carry besides the customer (cleaning.clean_transactions' columns).
LINE_ROLES = ("order", "product", "product_name", "customer_name", "email", "phone")
# Ledgers up to this many customer-days come back sorted by the engine within the small memory it keeps while
# they stream out (DuckDB: 768 MB; 16.5 million rows at 50 million lines); larger ones are sorted in numpy.
ENGINE_SORT_ROWS = 20_000_000


@dataclass(frozen=True)
class Dialect:
    """The few spellings DuckDB and Spark SQL do not share."""
    name: str
    regex: str          # "{x} matches {p} anywhere"
    replace: str        # "{x} with every match of {p} replaced by {r}"
    rint: str           # round half to even, to a whole number, as numpy.rint
    hash: str           # a 64-bit hash of one or more values
    wall: str           # an instant as the wall-clock time of time zone {tz}

    def matches(self, value: str, pattern: str) -> str:
        return self.regex.format(x=value, p=_literal(pattern))

    def replaced(self, value: str, pattern: str, by: str) -> str:
        return self.replace.format(x=value, p=_literal(pattern), r=_literal(by))


DUCKDB = Dialect("duckdb", regex="regexp_matches({x}, {p})", replace="regexp_replace({x}, {p}, {r}, 'g')",
                 rint="round_even({x}, 0)", hash="hash({x})", wall="timezone({tz}, {x})")
SPARK = Dialect("spark", regex="({x} RLIKE {p})", replace="regexp_replace({x}, {p}, {r})", rint="rint({x})",
                hash="xxhash64({x})", wall="from_utc_timestamp({x}, {tz})")


def _literal(text: str) -> str:
    """A string literal read as written by both (Spark runs with spark.sql.parser.escapedStringLiterals)."""
    if "'" in text:
        raise ValueError("patterns hold no quote")
    return f"'{text}'"


class Runner(Protocol):
    """What an engine offers the plan: SQL in, Arrow out, small Arrow tables in."""
    dialect: Dialect

    def table(self, sql: str) -> pa.Table: ...

    def batches(self, sql: str, order: tuple[str, ...] = ()) -> Any: ...

    def release(self) -> None: ...

    def register(self, name: str, table: pa.Table) -> None: ...

    def materialize(self, name: str, sql: str) -> None: ...

    def view(self, name: str, sql: str) -> None: ...


@dataclass
class Source:
    """The raw table as the engine sees it: view `src` with columns c0…cN, their headers (named as the
    memory reader names them) and kinds, and a sample of the first rows as the memory reader types them."""
    headers: list[str]
    kinds: list[str]
    sample: pd.DataFrame
    blank_text: bool = False  # text cells of only whitespace are missing (CSV, as the memory reader)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EngineResult:
    ledger: Any  # metriqr.aggregates.Ledger
    report: CleaningReport
    mapping: ColumnMapping
    lines: pd.DataFrame | None = None  # the cleaned lines, when asked for


def run_plan(runner: Runner, source: Source, mapping: ColumnMapping, *, date_order: str | None = None,
             dayfirst: bool = True, lines: bool = False) -> EngineResult:
    """Clean the lines of view `src` and build the ledger in the engine; same rules as cleaning.py.

    `lines`: also hand back the cleaned lines themselves, as `clean_transactions` gives them (the
    per-product purchases recommendations learn from, the lines a workspace stores)."""
    d = runner.dialect
    col = {role: f"c{source.headers.index(header)}" for role, header in mapping.items()}
    kind = {role: source.kinds[source.headers.index(header)] for role, header in mapping.items()}
    columns = [f"c{i}" for i in range(len(source.headers))]
    listed = ", ".join(columns)
    has_order = "order" in col

    # 1. identical lines (export duplicates) only matter with an order column. A 64-bit hash of the whole
    # line finds the few lines that may repeat; only those are grouped column by column (exact), with
    # their count `w`; every other line stands for itself.
    if has_order:
        row_hash = d.hash.format(x=listed)
        # identical lines share their order and product: only lines whose pair repeats are candidates
        pair = d.hash.format(x=", ".join(col[r] for r in ("order", "product") if r in col))
        runner.materialize("dupkeys", f"SELECT {row_hash} AS h FROM src WHERE {pair} IN (SELECT h FROM (SELECT {pair} AS h FROM src) x "
                                      f"GROUP BY h HAVING count(*) > 1) GROUP BY {row_hash} HAVING count(*) > 1")
        runner.view("grp", (
            f"SELECT {listed}, CAST(1 AS BIGINT) AS w FROM src LEFT JOIN dupkeys k ON {row_hash} = k.h WHERE k.h IS NULL "
            f"UNION ALL SELECT {listed}, CAST(count(*) AS BIGINT) AS w FROM "
            f"(SELECT {listed} FROM src JOIN dupkeys k ON {row_hash} = k.h) x GROUP BY {listed}"))
    else:
        runner.view("grp", f"SELECT {listed}, CAST(1 AS BIGINT) AS w FROM src")

    # 2. the distinct values of text columns, read in Python by cleaning's own functions; customers become
    # integer codes into their sorted cleaned ids (what the Ledger keeps), so the engine groups integers.
    joins: list[str] = []
    select: list[str] = []
    customer = _distinct(runner, col["customer"])
    cust_values = customer.column("raw").to_pandas()
    categorical = _text(cust_values, (np.arange(len(cust_values)), cust_values.array))
    ids = np.asarray(categorical.categories, dtype=object)
    runner.register("v_customer", pa.table({
        "raw": customer.column("raw"),
        "code": pa.array(categorical.codes.astype(np.int64), mask=categorical.codes < 0),
        "c_total": pa.array(_matches(categorical, _TOTAL_LINE)),
        "c_none": pa.array((categorical.codes == -1) | _matches(categorical, _NO_CUSTOMER)),
        "c_ctrl": pa.array(_contains((np.arange(len(cust_values)), cust_values.array), _CONTROL))}))
    del customer, cust_values, categorical  # the engine holds the table; Python keeps the sorted ids only
    joins.append(f"LEFT JOIN v_customer vc ON g.{col['customer']} = vc.raw")
    select += ["vc.code AS id", "coalesce(vc.c_total, false) AS c_total", "coalesce(vc.c_none, true) AS c_none",
               "coalesce(vc.c_ctrl, false) AS c_ctrl"]
    texts = {role: _text_codes(runner, role, col[role], joins, select) for role in LINE_ROLES if lines and role in col}

    if kind["date"] == "text":
        dates = _in_file_order(_distinct(runner, col["date"]), source.sample[mapping["date"]])
        raw = dates.column("raw").to_pandas()
        weights = dates.column("n").to_numpy()
        parsed = _read_unique_dates(pd.Series(raw.array), weights, order=date_order,
                                    default="dmy" if dayfirst else "mdy")
        reading = _finish(pd.RangeIndex(len(raw)), parsed.seconds, parsed.status, format=parsed.format,
                          order=parsed.order, order_reason=parsed.reason, evidence=parsed.evidence,
                          other_evidence=parsed.other_evidence, ambiguous=int(weights[parsed.swappable].sum()))
        runner.register("v_date", pa.table({"raw": dates.column("raw"),
                                            "ts": pa.array(reading.values.to_numpy(), type=pa.timestamp("us")),
                                            "ds": pa.array(reading.status.astype(np.int32))}))
        joins.append(f"LEFT JOIN v_date vd ON g.{col['date']} = vd.raw")
        select += ["vd.ts AS ts", "coalesce(vd.ds, 1) AS ds"]
    elif kind["date"] == "time":
        # native datetimes: whole seconds, 1900–2199 (parsing._native_seconds and _finish)
        reading = read_dates(source.sample[mapping["date"]])
        # instants with a time zone are read at that zone's wall-clock time, as parsing._native_seconds does
        tz = getattr(source.sample[mapping["date"]].dtype, "tz", None)
        column = f"g.{col['date']}"
        x = (f"CAST({column} AS TIMESTAMP)" if tz is None else
             f"CAST({d.wall.format(x=column, tz=_literal(str(tz)))} AS TIMESTAMP)")
        select += [f"CASE WHEN {x} >= TIMESTAMP '1900-01-01 00:00:00' AND {x} < TIMESTAMP '2200-01-01 00:00:00' "
                   f"THEN date_trunc('second', {x}) END AS ts",
                   f"CASE WHEN {x} IS NULL THEN 1 WHEN {x} < TIMESTAMP '1900-01-01 00:00:00' "
                   f"OR {x} >= TIMESTAMP '2200-01-01 00:00:00' THEN 3 ELSE 0 END AS ds"]
    else:
        from metriqr.engines import EngineError

        raise EngineError("engine_date_type", header=mapping["date"])

    decimal = ""
    conflicts: list[str] = []
    numbers: dict[str, str] = {}
    for role in NUMERIC_ROLES:
        if role not in col:
            continue
        if kind[role] == "text":
            values = _distinct(runner, col[role])
            raw = values.column("raw").to_pandas()
            parsed, conflict, mark = _read_unique_numbers(pd.Series(raw.array))
            decimal = decimal or mark
            runner.register(f"v_{role}", pa.table({"raw": values.column("raw"),
                                                   "x": pa.array(parsed, type=pa.float64(), from_pandas=True),
                                                   "k": pa.array(conflict)}))
            joins.append(f"LEFT JOIN v_{role} v_{role} ON g.{col[role]} = v_{role}.raw")
            select += [f"v_{role}.x AS n_{role}", f"coalesce(v_{role}.k, false) AS k_{role}"]
        elif kind[role] == "number":
            x = f"CAST(g.{col[role]} AS DOUBLE)"
            select += [f"CASE WHEN isnan({x}) THEN NULL ELSE {x} END AS n_{role}", f"false AS k_{role}"]
        else:
            from metriqr.engines import EngineError

            raise EngineError("engine_number_type", header=mapping[role])
        numbers[role] = f"n_{role}"
        conflicts.append(f"k_{role}")

    if "status" in col:
        status = _distinct(runner, col["status"])
        raw = status.column("raw").to_pandas()
        cat = _text(raw, (np.arange(len(raw)), raw.array))
        runner.register("v_status", pa.table({"raw": status.column("raw"), "x": pa.array(_matches(cat, _CANCELLED))}))
        joins.append(f"LEFT JOIN v_status vs ON g.{col['status']} = vs.raw")
        select.append("coalesce(vs.x, false) AS cancelled")
    else:
        select.append("false AS cancelled")

    if has_order:  # an order number only needs to be told apart from the customer's others: a 64-bit hash
        x = f"g.{col['order']}"
        if kind["order"] == "text":
            tidy = d.replaced(d.replaced(x, TRIM_RE, ""), "^(\\d+)\\.0$", "$1" if d.name == "spark" else "\\1")
            plain = (f"NOT ({x} LIKE '%.0' OR ascii({x}) <= 32 OR ascii({x}) >= 127 OR ascii(right({x}, 1)) <= 32 "
                     f"OR ascii(right({x}, 1)) >= 127)")  # most numbers need no tidying: skip the regexes
            key = f"CASE WHEN {plain} THEN {x} WHEN {tidy} = '' THEN NULL ELSE {tidy} END"
        elif kind["order"] == "number":
            key = f"CASE WHEN isnan(CAST({x} AS DOUBLE)) THEN NULL ELSE CAST({x} AS STRING) END"
        else:
            key = f"CAST({x} AS STRING)"
        select.append(f"CASE WHEN {key} IS NULL THEN NULL ELSE {d.hash.format(x=key)} END AS okey")
    control = ["vc.c_ctrl"] + [d.matches(f"g.{col[r]}", CONTROL_RE) for r in TEXT_ROLES
                               if r in col and kind[r] == "text" and r != "customer"]
    select.append(f"coalesce({' OR '.join(control)}, false) AS control" if control else "false AS control")
    blank = " AND ".join(f"g.{c} IS NULL" for c in columns)
    select.append(f"({blank}) AS blank")
    labels = [r for r in ("order", "date", "product", "product_name", "customer_name") if r in col and kind[r] == "text"]
    select += [f"g.{col[r]} AS l_{r}" for r in labels]
    select += ["g.w AS w"]
    base = f"SELECT {', '.join(select)} FROM grp g {' '.join(joins)}"

    # 3. the line's value and its first exclusion reason (cleaning's order); the totals label of another
    # column (step 4) is only looked for on rows without a customer or a date, kept aside here.
    amount = _amount_expression(numbers)
    basis = _basis(numbers)
    q = numbers.get("quantity")
    huge = f"(NOT (abs({amount}) <= {MAX_AMOUNT!r})" + (f" OR NOT (abs({q}) <= {MAX_AMOUNT!r}))" if q else ")")
    conflict = " OR ".join(conflicts) if conflicts else "false"
    pre = (f"CASE WHEN blank THEN {REASON['blank']} WHEN control THEN {REASON['control_chars']} "
           f"WHEN c_total THEN {REASON['total_line']} WHEN c_none THEN {REASON['no_customer']} "
           f"WHEN ds = 1 THEN {REASON['bad_date']} WHEN ds = 3 THEN {REASON['date_out_of_range']} "
           f"WHEN ds = 2 THEN {REASON['date_order']} "
           f"WHEN {amount} IS NULL AND ({conflict}) THEN {REASON['amount_format']} "
           f"WHEN {amount} IS NULL THEN {REASON['bad_amount']} WHEN {huge} THEN {REASON['amount_out_of_range']} "
           f"WHEN cancelled THEN {REASON['cancelled']} END")
    is_return = f"({amount} < 0" + (f" OR coalesce({q} < 0, false))" if q else ")")
    scaled = f"({d.rint.format(x=f'abs({amount}) * 100 * 1000000')} / 1000000)"
    # only an amount in range has cents (an `inf` or `1e308` line is excluded above, and casts to no integer)
    cents = f"CASE WHEN abs({amount}) <= {MAX_AMOUNT!r} THEN CAST(floor({scaled} + 0.5) AS BIGINT) END"
    # 4. One table of fixed-width columns per line (or group of identical lines): all later steps read it.
    # The text of columns that may hold a totals label is kept only on rows without a customer or a date
    # (the only rows where cleaning looks for one; missing elsewhere, so it costs nothing).
    suspect = "(c_total OR id IS NULL OR ds <> 0)"
    runner.materialize("stage", (
        f"SELECT CAST({pre} AS TINYINT) AS pre, CAST(id AS INTEGER) AS id, ts, CAST(w AS INTEGER) AS w, "
        f"{is_return} AS is_return, CASE WHEN {is_return} THEN -{cents} ELSE {cents} END AS cents, "
        f"{amount} = 0 AS zero" + (f", abs({q}) AS qty" if q else "") + (", okey" if has_order else "")
        + "".join(f", CASE WHEN {suspect} THEN l_{r} END AS l_{r}" for r in labels)
        + (f", {amount} AS amount" + (f", {q} AS quantity" if q else "") + "".join(f", t_{r}" for r in texts)
           if lines else "") + f" FROM ({base}) b"))
    fields = "id, ts, w, is_return, cents, zero" + (", qty" if q else "") + (", okey" if has_order else "")
    if lines:
        fields += ", amount" + (", quantity" if q else "") + "".join(f", t_{r}" for r in texts)

    # totals lines: their distinct labels read by cleaning's own pattern, the (rare) hits joined back
    hits, hit_joins = [], []
    for role in labels:
        values = runner.table(f"SELECT DISTINCT l_{role} AS raw FROM stage WHERE l_{role} IS NOT NULL").column("raw")
        hit = _starts(values.to_pandas(), _TOTAL_LINE) if len(values) else np.zeros(0, bool)
        if hit.any():
            runner.register(f"v_label_{role}", pa.table({"raw": values.filter(pa.array(hit))}))
            hit_joins.append(f"LEFT JOIN v_label_{role} t_{role} ON s.l_{role} = t_{role}.raw")
            hits.append(f"t_{role}.raw IS NOT NULL")
    if hits:
        first = (REASON["blank"], REASON["control_chars"])
        runner.view("fin", f"SELECT CASE WHEN pre IN {first} THEN pre WHEN {' OR '.join(hits)} THEN "
                           f"CAST({REASON['total_line']} AS TINYINT) ELSE pre END AS pre, {fields} FROM stage s "
                           + " ".join(hit_joins))
    else:
        runner.view("fin", f"SELECT pre, {fields} FROM stage")
    qty = "qty" if q else "CAST(NULL AS DOUBLE)"
    okey = "okey" if has_order else "CAST(NULL AS BIGINT)"

    # 5. duplicates: with an order column, each group of identical lines still in use keeps one line.
    # The lines kept are reduced per customer and day at once; a customer with no purchase among them has
    # returns only, which reach no customer list (cleaning's "return_only"): their days are left out.
    dup = "w - 1" if has_order else "0"
    one = "1" if has_order else "w"
    runner.view("kept", f"SELECT id, ts, is_return, cents, {qty} AS qty, {okey} AS okey FROM fin "
                        f"WHERE pre IS NULL AND NOT zero")
    # an order opens on the day of its first purchase line and closes on that of its last: those events are
    # summed with the lines, per customer and day, in the same reduction
    if has_order:
        runner.materialize("pairs", "SELECT id, min(CAST(ts AS DATE)) AS d0, max(CAST(ts AS DATE)) AS d1 FROM kept "
                                    "WHERE NOT is_return AND okey IS NOT NULL GROUP BY id, okey")
        events = ("UNION ALL SELECT id, d0, NULL, NULL, 0, NULL, 1, 0 FROM pairs "
                  "UNION ALL SELECT id, d1, NULL, NULL, 0, NULL, 0, 1 FROM pairs")
    else:
        events = ""
    purchase = "is_return = false"
    runner.materialize("days_all", (
        f"SELECT id, day, CAST(sum(CASE WHEN {purchase} THEN 1 ELSE 0 END) AS BIGINT) AS lines, "
        "CAST(sum(CASE WHEN is_return THEN 1 ELSE 0 END) AS BIGINT) AS returns, CAST(sum(cents) AS BIGINT) AS cents, "
        f"sum(CASE WHEN {purchase} THEN coalesce(qty, CAST(1 AS DOUBLE)) ELSE CAST(0 AS DOUBLE) END) AS items, "
        f"min(CASE WHEN {purchase} THEN ts END) AS first_time, max(CASE WHEN {purchase} THEN ts END) AS last_time, "
        "min(ts) AS first_any, max(ts) AS last_any, CAST(sum(o) AS BIGINT) AS opened, CAST(sum(c) AS BIGINT) AS closed "
        "FROM (SELECT id, CAST(ts AS DATE) AS day, ts, is_return, cents, qty, 0 AS o, 0 AS c FROM kept "
        f"{events}) x GROUP BY id, day"))
    runner.materialize("buyers", "SELECT id FROM days_all GROUP BY id HAVING sum(lines) > 0")
    runner.view("days", "SELECT d.* FROM days_all d JOIN buyers b ON d.id = b.id")
    runner.view("returns_only", "SELECT d.id, d.returns FROM days_all d LEFT JOIN buyers b ON d.id = b.id "
                                "WHERE b.id IS NULL")

    # 6. the report: rows per reason, returns, lost customers.
    counts = runner.table(
        f"SELECT pre AS reason, CAST(sum(w) AS BIGINT) AS n FROM fin WHERE pre IS NOT NULL GROUP BY pre "
        f"UNION ALL SELECT {REASON['duplicate']}, CAST(sum({dup}) AS BIGINT) FROM fin WHERE pre IS NULL "
        f"UNION ALL SELECT {REASON['zero_amount']}, CAST(sum({one}) AS BIGINT) FROM fin WHERE pre IS NULL AND zero "
        f"UNION ALL SELECT {REASON['return_only']}, CAST(sum(returns) AS BIGINT) FROM returns_only").to_pandas()
    counts = counts.dropna().groupby("reason")["n"].sum()
    per = {int(k): int(v) for k, v in counts.items() if v}
    used_stats = runner.table("SELECT CAST(sum(lines + returns) AS BIGINT) AS n, CAST(sum(returns) AS BIGINT) AS r, "
                              "min(first_any) AS first, max(last_any) AS last FROM days").to_pylist()[0]
    blank_rows = per.pop(REASON["blank"], 0)
    excluded = {key: per[i] for i, key in enumerate(REASONS) if per.get(i)}
    if blank_rows:
        excluded = {"blank": blank_rows, **excluded}
    lost, lost_examples = _lost_customers(runner, dup, one, ids)
    rows_used = int(used_stats["n"] or 0)
    read = rows_used + sum(excluded.values())
    report = CleaningReport(
        rows_read=read, rows_used=rows_used, returns=int(used_stats["r"] or 0), excluded=excluded, examples={},
        monetary_basis=basis, date_format=reading.format, date_order=reading.order,
        date_order_reason=reading.order_reason, date_evidence=reading.evidence,
        date_other_evidence=reading.other_evidence, date_ambiguous=reading.ambiguous, decimal_mark=decimal,
        first_date=None if used_stats["first"] is None else pd.Timestamp(used_stats["first"]),
        last_date=None if used_stats["last"] is None else pd.Timestamp(used_stats["last"]),
        lost_customers=lost, lost_examples=lost_examples)
    ledger = _ledger(runner, has_order, ids) if rows_used else None
    return EngineResult(ledger=ledger, report=report, mapping=mapping,
                        lines=_lines(runner, has_order, ids, texts, quantity=bool(q)) if lines and rows_used else None)


def _text_codes(runner: Runner, role: str, column: str, joins: list[str], select: list[str]) -> np.ndarray:
    """An identifier column read as cleaning reads it (`cleaning._text`, on its distinct values): the
    engine joins each raw value to its code into the sorted cleaned texts, which are returned."""
    values = _distinct(runner, column)
    raw = values.column("raw").to_pandas()
    categorical = _text(raw, (np.arange(len(raw)), raw.array))
    runner.register(f"v_t_{role}", pa.table({"raw": values.column("raw"), "code": pa.array(
        categorical.codes.astype(np.int32), mask=categorical.codes < 0)}))
    joins.append(f"LEFT JOIN v_t_{role} vt_{role} ON g.{column} = vt_{role}.raw")
    select.append(f"vt_{role}.code AS t_{role}")
    return np.asarray(categorical.categories, dtype=object)


def _lines(runner: Runner, has_order: bool, ids: np.ndarray, texts: dict[str, np.ndarray], *,
           quantity: bool) -> pd.DataFrame:
    """cleaning.clean_transactions' lines: those in use, one of each group of identical lines when there
    is an order column (every one without), customers with returns only left out; sorted by time and
    customer (the file's order is the engine's own)."""
    extra = (", quantity" if quantity else "") + "".join(f", t_{r}" for r in texts)
    table = runner.table(f"SELECT f.id, f.ts, f.is_return, f.amount, f.w{extra} FROM fin f JOIN buyers b ON f.id = b.id "
                         f"WHERE f.pre IS NULL AND NOT f.zero ORDER BY f.ts, f.id{extra}")
    take = np.arange(table.num_rows) if has_order else np.repeat(np.arange(table.num_rows),
                                                                   table.column("w").to_numpy())

    def column(name: str, dtype: Any = None) -> np.ndarray:
        values = table.column(name).to_numpy(zero_copy_only=False)
        return (values if dtype is None else values.astype(dtype))[take]

    is_return = column("is_return", bool)
    amount = column("amount", np.float64)
    out: dict[str, Any] = {
        "customer": pd.Categorical.from_codes(column("id", np.int64), categories=pd.Index(ids, dtype=object)),
        "date": column("ts", "datetime64[ns]"),
        "amount": np.where(is_return, -np.abs(amount), amount), "is_return": is_return}
    if quantity:
        out["quantity"] = column("quantity", np.float64)
    for role, categories in texts.items():
        codes = table.column(f"t_{role}").fill_null(-1).to_numpy().astype(np.int64)[take]
        out[role] = pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))
    if "product" in out and "product_name" not in out:
        out["product_name"] = out["product"]
    return pd.DataFrame(out)


def _in_file_order(values: pa.Table, sample: pd.Series) -> pa.Table:
    """Distinct values in the order the file first shows them, as far as the sample (the first rows) tells;
    the rest after, sorted. The examples a reading quotes ("evidence": its first values that prove the
    day/month order) are then the memory engine's whenever they occur in the first rows."""
    seen = pd.Index(pd.unique(sample.dropna().astype(str)))
    raw = values.column("raw").to_pandas().astype(str)
    rank = seen.get_indexer(raw)
    order = np.lexsort((raw.to_numpy(dtype=object).astype(str), np.where(rank < 0, len(seen), rank)))
    return values.take(pa.array(order))


def _distinct(runner: Runner, column: str) -> pa.Table:
    """A column's distinct non-missing values and how many lines hold each (duplicates included, as the
    memory engine reads a column before it drops any line)."""
    return runner.table(f"SELECT {column} AS raw, CAST(count(*) AS BIGINT) AS n FROM src WHERE {column} IS NOT NULL "
                        f"GROUP BY {column}")


def _amount_expression(numbers: dict[str, str]) -> str:
    """cleaning._amounts: the amount, else (or where unreadable) quantity × unit price, …, else 1."""
    q, p, a = numbers.get("quantity"), numbers.get("unit_price"), numbers.get("amount")
    product = f"({q} * {p})" if q and p else None
    if a:
        return f"coalesce({a}, {product})" if product else a
    return product or p or q or "CAST(1.0 AS DOUBLE)"


def _basis(numbers: dict[str, str]) -> str:
    if "amount" in numbers:
        return "amount"
    if "quantity" in numbers and "unit_price" in numbers:
        return "quantity_x_price"
    return "amount" if "unit_price" in numbers else "items"


def _lost_customers(runner: Runner, dup: str, one: str, ids: np.ndarray) -> tuple[dict[str, int], tuple[str, ...]]:
    """cleaning._lost_customers: customers seen only on excluded lines (that had a customer): per
    customer the most frequent reason (ties: the earlier in REASONS), counted per reason."""
    attributable = (REASON["control_chars"], REASON["total_line"], REASON["no_customer"], REASON["blank"])
    lines = (f"SELECT id, pre AS reason, w AS n FROM fin WHERE pre IS NOT NULL AND pre NOT IN {attributable} "
             f"UNION ALL SELECT id, {REASON['duplicate']}, {dup} FROM fin WHERE pre IS NULL "
             f"UNION ALL SELECT id, {REASON['zero_amount']}, {one} FROM fin WHERE pre IS NULL AND zero "
             f"UNION ALL SELECT id, {REASON['return_only']}, returns FROM returns_only")
    frame = runner.table(
        f"SELECT x.id, x.reason, CAST(sum(x.n) AS BIGINT) AS n FROM ({lines}) x LEFT JOIN buyers b ON x.id = b.id "
        f"WHERE x.id IS NOT NULL AND b.id IS NULL GROUP BY x.id, x.reason HAVING sum(x.n) > 0").to_pandas()
    if frame.empty:
        return {}, ()
    frame = frame.sort_values(["id", "n", "reason"], ascending=[True, False, True], kind="stable")
    main = frame.drop_duplicates("id")
    per_reason = main["reason"].value_counts()
    lost = {key: int(per_reason[i]) for i, key in enumerate(REASONS) if per_reason.get(i, 0)}
    return lost, tuple(str(ids[code]) for code in np.sort(main["id"].to_numpy())[:5])  # codes sort as ids


def _ledger(runner: Runner, has_order: bool, ids: np.ndarray) -> Any:
    """aggregates.build_ledger's result: one row per customer (code into the sorted `ids`) and day. The rows
    arrive sorted by day and customer (the engine sorts, out of core) in batches, each written straight
    into the Ledger's arrays: never two copies of the ledger at once; the engine first gives back the
    memory it cached."""
    from metriqr.aggregates import Ledger

    counted = ("d.opened AS orders, d.closed AS orders_closed" if has_order else
               "CAST(CASE WHEN d.lines > 0 THEN 1 ELSE 0 END AS BIGINT) AS orders, "
               "CAST(CASE WHEN d.lines > 0 THEN 1 ELSE 0 END AS BIGINT) AS orders_closed")
    rows = int(runner.table("SELECT count(*) AS n FROM days").column("n")[0].as_py())
    names = {"code": np.int64, "day": np.int64, "orders": np.int64, "orders_closed": np.int64, "cents": np.int64,
             "lines": np.int64, "returns": np.int64, "items": np.float64, "first_time": "datetime64[ns]",
             "last_time": "datetime64[ns]"}
    out = {name: np.empty(rows, dtype=dtype) for name, dtype in names.items()}
    runner.release()
    at = 0
    engine_sorts = rows <= ENGINE_SORT_ROWS or runner.dialect.name == "spark"  # Spark sorts on its executors
    for batch in runner.batches(f"SELECT d.id AS code, d.day, {counted}, d.cents, d.lines, d.returns, d.items, "
                                f"d.first_time, d.last_time FROM days d", order=("day", "code") if engine_sorts else ()):
        size = batch.num_rows
        for name in names:
            values = batch.column(name)
            if name in ("first_time", "last_time"):
                values = values.cast(pa.timestamp("ns"))
            values = values.to_numpy(zero_copy_only=False)
            out[name][at:at + size] = values.astype("datetime64[D]").astype(np.int64) if name == "day" else values
        at += size
    if not engine_sorts:  # beyond what DuckDB sorts in its small budget: numpy, a column at a time
        key = out["day"] - out["day"].min(initial=0)
        key *= np.int64(len(ids))
        key += out["code"]
        order = np.argsort(key)
        del key
        for name in names:
            out[name] = out[name][order]
        del order
    present = np.bincount(out["code"], minlength=len(ids)) > 0  # customers with a ledger row, renumbered
    out["code"] = (np.cumsum(present) - 1)[out["code"]]
    return Ledger(customers=pd.Index(ids[present], name="customer"), **out)
