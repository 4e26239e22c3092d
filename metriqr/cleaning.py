"""Raw rows → transactions, with a report in which every row read is used or excluded by reason.

Policy (shown in the interface):
- a row without a customer (or with a placeholder such as "Consumidor final") cannot be
  attributed, and totals lines ("TOTAL GERAL") are not sales;
- unreadable dates and amounts are excluded and shown with examples; so are dates outside
  1900–2199, dates only readable in the other day/month order than the column's, amounts written
  in the other decimal convention than the column's, and amounts that are not finite or above
  a trillion (no output may carry NaN or infinity);
- a line whose identifiers (customer, order, product, names, status) hold control characters
  (NUL, ESC…) comes from a corrupt or binary file: it is excluded, never read as a new customer;
- rows of an order marked as cancelled in a status column are excluded (the sale did not happen);
- a line repeated identically within the same order is an export duplicate (only checked
  when the data has an order column: without one, two identical rows are two purchases);
- zero-value lines (free items) are not purchases;
- returns (negative quantity or amount) are used: they reduce the customer's net spend but
  are never counted as a purchase occasion. Returns of a customer with no purchase among the
  used lines reach no customer list, so they are excluded with their own reason: the value
  used is then the value in the outputs.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metriqr.columns import NUMERIC_ROLES, ColumnMapping
from metriqr.errors import ColumnError
from metriqr.parsing import BAD, OTHER_ORDER, OUT_OF_RANGE, NumberReading, read_dates, read_numbers
from metriqr.texts import Reasons

# Exclusion reasons, in the order they are tested (a row gets the first that applies).
REASONS = ("blank", "malformed", "control_chars", "total_line", "no_customer", "bad_date", "date_out_of_range",
           "date_order", "bad_amount", "amount_format", "amount_out_of_range", "cancelled", "duplicate",
           "zero_amount", "return_only")

# Only a totals label is a totals line: "Total", "TOTAL GERAL: 1.234,56", "Subtotal da página" —
# never a customer that merely starts with the word ("Total Express Ltda", "Soma Engenharia").
_TOTAL_LINE = re.compile(
    r"^\s*(sub-?\s*tota(l|is)\b.*|(total|totais|soma|grand total)(\s+(geral|general|do dia|da p[aá]gina|"
    r"do m[eê]s|do per[ií]odo|da loja|loja\s*\d+|total))?\s*[:=.]?[\s\d.,R$()-]*)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_AMOUNT = 1e12  # a line worth more than a trillion is a corrupt cell, and sums of such lose the cents
_NO_CUSTOMER = re.compile(
    r"^\s*(consumidor( final)?|cliente (nao|não) identificado|n(a|ã)o identificado|sem cadastro|"
    r"an(o|ô)nimo|avulso|balc(a|ã)o|guest|anonymous|walk-?in|unknown|n/?a|-+|0+|null|none|nan)\s*$",
    re.IGNORECASE)
# Marketplace statuses count too: canceled/cancelled/unavailable are not sales (delivered,
# shipped, invoiced, approved, processing are).
_CANCELLED = re.compile(r".*(cancel|estorn|devolvid|void|refunded|unavailable|indispon)", re.IGNORECASE)
MAX_EXAMPLES = 5
TEXT_ROLES = ("customer", "status", "order", "product", "product_name", "customer_name", "email", "phone")  # identifiers, read as text


@dataclass(frozen=True)
class CleaningReport:
    rows_read: int
    rows_used: int
    returns: int
    excluded: dict[str, int]
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    monetary_basis: str = "amount"  # amount | quantity_x_price | items
    date_format: str = ""
    # How day and month were told apart (see parsing.DateReading): "dmy" / "mdy" / "" and why
    # ("user", "evidence", "ambiguous", "mixed"), with values that show it.
    date_order: str = ""
    date_order_reason: str = ""
    date_evidence: tuple[str, ...] = ()
    date_other_evidence: tuple[str, ...] = ()
    date_ambiguous: int = 0
    decimal_mark: str = ""  # "," or "." when the money column is text
    first_date: pd.Timestamp | None = None
    last_date: pd.Timestamp | None = None
    # Customers whose every line was excluded, so they are missing from the customer count:
    # per reason (the most frequent among their lines; ties: the earlier in REASONS), and a few ids.
    lost_customers: dict[str, int] = field(default_factory=dict)
    lost_examples: tuple[str, ...] = ()

    @property
    def rows_excluded(self) -> int:
        return sum(self.excluded.values())

    @property
    def date_order_warning(self) -> bool:
        """The day/month order is a guess worth checking (mixed orders, or every value ambiguous)."""
        return self.date_order_reason == "mixed" or (self.date_order_reason == "ambiguous" and self.date_ambiguous > 0)

    def dates_dict(self) -> dict:
        """How the dates were read, for the command line's JSON."""
        return {"format": self.date_format, "order": self.date_order or None,
                "order_reason": self.date_order_reason or None, "evidence": list(self.date_evidence),
                "other_order_examples": list(self.date_other_evidence), "ambiguous_rows": self.date_ambiguous,
                "warning": self.date_order_warning}

    def as_dict(self) -> dict:
        return {"read": self.rows_read, "used": self.rows_used, "returns": self.returns,
                "excluded": dict(self.excluded)}


@dataclass(frozen=True)
class Cleaned:
    transactions: pd.DataFrame
    report: CleaningReport


def _text(series: pd.Series, factor: tuple[np.ndarray, object] | None = None) -> pd.Categorical:
    """Identifiers as clean strings: `17850.0` (a float cell) reads as `17850`; blanks are missing.

    Returned as a categorical (codes into the sorted distinct values): ids repeat heavily, and
    every later group-by works on the integer codes. `factor` is the column's pd.factorize when
    already made (the duplicate check makes it too).
    """
    codes, uniques = factor if factor is not None else pd.factorize(series)
    if pd.api.types.is_float_dtype(series):
        values = np.asarray(uniques, dtype=np.float64)  # the distinct values: NaN is left out by factorize
        if (values == np.floor(values)).all():
            uniques = pd.array(values).astype("Int64")
    # The distinct values are tidied and sorted in Arrow: no Python string per value (issue 11).
    tidy = pc.utf8_trim_whitespace(_arrow_strings(uniques))
    if pc.any(pc.ends_with(tidy, ".0")).as_py():
        tidy = pc.replace_substring_regex(tidy, r"^(\d+)\.0$", r"\1")
    tidy = pc.if_else(pc.equal(tidy, ""), pa.scalar(None, pa.string()), tidy)
    # tidying can merge two raw values ("17850", " 17850") or blank one: number them again, in the
    # order of the sorted distinct values (Arrow compares UTF-8 bytes, which is Python's code point order)
    distinct = pc.unique(tidy.drop_null())
    distinct = distinct.take(pc.array_sort_indices(distinct))
    merged = pc.index_in(tidy, value_set=distinct).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    categories = pd.Index(distinct.to_numpy(zero_copy_only=False), dtype=object)
    return pd.Categorical.from_codes(np.append(merged, -1)[codes], categories=categories)


def _arrow_strings(uniques: object) -> pa.Array:
    """A factorize's distinct values as one Arrow string array (zero-copy when they are Arrow strings)."""
    values = getattr(uniques, "array", uniques)
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        array = pa.array(values)
    elif pd.api.types.is_integer_dtype(values.dtype):  # Arrow writes whole numbers as str() does
        array = pa.array(np.asarray(values, dtype=getattr(values.dtype, "numpy_dtype", values.dtype))).cast(pa.string())
    else:
        array = pa.array(pd.Series(np.asarray(values, dtype=object), dtype=object).astype("string[pyarrow]").array)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array if array.type == pa.string() else array.cast(pa.string())


def _typed(series: pd.Series) -> bool:
    """A column the file itself typed as numbers, booleans or dates (Parquet, workbooks): it holds no text."""
    return isinstance(series.dtype, np.dtype) and series.dtype.kind in "iufbM"


def _value_codes(series: pd.Series) -> np.ndarray:
    """Integers equal exactly where the values are equal, for the duplicate check: a numeric or
    datetime column's own bits (with every NaN alike and -0.0 as 0.0), anything else factorized."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return series.to_numpy().astype(np.int64)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy(dtype=np.float64) + 0.0  # -0.0 + 0.0 is 0.0
        return np.where(np.isnan(values), np.nan, values).view(np.int64)
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        return series.to_numpy().view(np.int64)  # NaT is one value
    return pd.factorize(series)[0]


def _row_keys(columns: Iterable[np.ndarray]) -> np.ndarray:
    """A 64-bit hash per row from its columns' factorize codes (given one column at a time, so
    only one is held), mixed column by column with splitmix64: two different rows collide with
    probability ~2⁻⁶⁴, and the texts are not hashed again."""
    key: np.ndarray | None = None
    for codes in columns:
        codes = codes.astype(np.int64).view(np.uint64)
        key = _mix(codes if key is None else key ^ codes)
    return key


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (integer arithmetic wraps modulo 2⁶⁴)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _starts(texts: pd.Series | pd.Index, pattern: re.Pattern) -> np.ndarray:
    """Which texts match `pattern` at their start (as re.match). Printable-ASCII texts go through
    Arrow's RE2 (pandas runs a compiled, case-insensitive pattern through Python's re one value at a
    time, ~8× slower); the others (accents, a non-breaking space, which RE2's `\\s` does not match)
    through Python's re itself, so the answers are re's."""
    strings = pd.Series(texts, dtype="string").fillna("").to_numpy(dtype=object)
    array = pa.array(strings, type=pa.string())
    hit = pc.match_substring_regex(array, f"^(?:{pattern.pattern})", ignore_case=bool(pattern.flags & re.IGNORECASE))
    hit = hit.to_numpy(zero_copy_only=False).astype(bool)
    other = np.flatnonzero(~pc.match_substring_regex(array, r"^[\x20-\x7e]*$").to_numpy(zero_copy_only=False))
    if len(other):  # distinct values (or a few suspect rows): a loop over them, never over the file
        hit[other] = [pattern.match(strings[i]) is not None for i in other]
    return hit


def _matches(values: pd.Categorical, pattern: re.Pattern) -> np.ndarray:
    """Rows whose text matches, testing each distinct value once."""
    return np.append(_starts(values.categories, pattern), False)[values.codes]


def _contains(factor: tuple[np.ndarray, object], pattern: re.Pattern) -> np.ndarray:
    """Rows whose text contains `pattern` anywhere, testing each distinct value once
    (`factor` is the column's pd.factorize)."""
    codes, uniques = factor
    dtype = getattr(uniques, "dtype", None)
    text = pd.Series(uniques) if dtype is not None and dtype != object and pd.api.types.is_string_dtype(dtype) \
        else pd.Series(np.asarray(uniques, dtype=object)).astype("string")
    hit = text.str.contains(pattern.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    return np.append(hit, False)[codes]


def _visible(text: str) -> str:
    """Control characters written as `\\x00`, so an example can be shown and exported."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _examples(values: pd.Series, lines: np.ndarray, mask: np.ndarray, width: int = 60) -> tuple[str, ...]:
    index = np.flatnonzero(mask)[:MAX_EXAMPLES]
    return tuple(f"{int(lines[i])}: “{'' if pd.isna(values.iloc[i]) else _visible(str(values.iloc[i]))[:width]}”"
                 for i in index)


WHOLE_LINE_WIDTH = 300


def _whole_lines(frame: pd.DataFrame, mask: np.ndarray) -> pd.Series:
    """Each of the first MAX_EXAMPLES flagged rows written out whole (`a | b | c`), so a user can
    check the line in the file; the other rows stay empty (only examples are ever shown)."""
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for i in np.flatnonzero(mask)[:MAX_EXAMPLES]:  # ≤ MAX_EXAMPLES rows, never per row of the file
        out.iloc[i] = " | ".join("" if pd.isna(v) else str(v) for v in frame.iloc[i].tolist())
    return out


def _lost_customers(customer: pd.Categorical, reason: np.ndarray, used: np.ndarray,
                    attributable: np.ndarray) -> tuple[dict[str, int], tuple[str, ...]]:
    """Customers seen only on excluded lines (that had a customer): count per reason, a few ids."""
    codes = customer.codes.astype(np.int64)
    seen = np.zeros(len(customer.categories) + 1, dtype=bool)
    seen[codes[used & (codes >= 0)]] = True
    only = ~used & attributable & (codes >= 0)
    only &= ~seen[np.where(codes >= 0, codes, len(customer.categories))]
    if not only.any():
        return {}, ()
    ids, which = np.unique(codes[only], return_inverse=True)
    counts = np.bincount(which * len(REASONS) + reason[only], minlength=len(ids) * len(REASONS))
    main = counts.reshape(len(ids), len(REASONS)).argmax(axis=1)  # first maximum: the earlier reason
    per_reason = np.bincount(main, minlength=len(REASONS))
    names = np.asarray(customer.categories, dtype=object)[ids[:MAX_EXAMPLES]]
    return {key: int(per_reason[i]) for i, key in enumerate(REASONS) if per_reason[i]}, tuple(map(str, names))


def clean_transactions(frame: pd.DataFrame, mapping: ColumnMapping, *, blank_rows: int = 0,
                       malformed_rows: int = 0, malformed_examples: tuple[str, ...] = (),
                       line_numbers: np.ndarray | None = None, dayfirst: bool = True,
                       date_order: str | None = None) -> Cleaned:
    """Apply the cleaning policy; `line_numbers` are the file's line numbers for examples.

    `date_order` ("dmy"/"mdy") is the user's choice of day/month order; by default it is
    decided from the values (day-first when they do not tell, or month-first with dayfirst=False).
    """
    n = len(frame)
    lines = np.asarray(line_numbers) if line_numbers is not None else np.arange(n) + 2
    col = {role: frame[header] for role, header in mapping.items()}
    factors: dict[object, tuple[np.ndarray, object]] = {}

    def factor(header: object) -> tuple[np.ndarray, object]:
        if header not in factors:
            factors[header] = pd.factorize(frame[header])
        return factors[header]

    def text(role: str) -> pd.Categorical:
        return _text(col[role], factor(mapping[role]))

    reason = np.full(n, -1, dtype=np.int8)
    examples: dict[str, tuple[str, ...]] = {}

    def exclude(key: str, mask: np.ndarray, shown: pd.Series | None, width: int = 60) -> None:
        new = mask & (reason == -1)
        reason[new] = REASONS.index(key)
        if new.any() and shown is not None:
            examples[key] = _examples(shown, lines, new, width)

    # Control characters in an identifier: a corrupt or binary file, not a customer or a product.
    control = np.zeros(n, dtype=bool)
    shown_control = pd.Series(None, index=frame.index, dtype=object)
    for role in TEXT_ROLES:
        if role in col:
            hit = _contains(factor(mapping[role]), _CONTROL)
            first = hit & ~control
            if first.any():
                shown_control[first] = col[role][first].to_numpy(dtype=object)
                control |= hit
    exclude("control_chars", control, shown_control)

    customer = text("customer")
    reading = read_dates(col["date"], order=date_order, default="dmy" if dayfirst else "mdy",
                         factor=None if pd.api.types.is_datetime64_any_dtype(col["date"]) else factor(mapping["date"]))
    dates, date_format = reading.values, reading.format
    # Totals lines: a "TOTAL" label in an identifying column. Only rows without a usable
    # customer or date can be one, so the other columns are searched on those rows only.
    customer_total = _matches(customer, _TOTAL_LINE)
    suspect = np.flatnonzero(customer_total | (customer.codes == -1) | dates.isna().to_numpy())
    total = customer_total.copy()
    label = pd.Series(None, index=frame.index, dtype=object)
    if customer_total.any():  # rarely: no million-row copy of the ids as Python strings otherwise
        label[customer_total] = np.asarray(customer[customer_total], dtype=object)
    for role in ("order", "date", "product", "product_name", "customer_name"):
        if role in col and len(suspect) and not _typed(col[role]):  # a number or a date is no label
            values = col[role].iloc[suspect]
            hit = suspect[_starts(values, _TOTAL_LINE)]
            label.iloc[hit[~total[hit]]] = values.loc[frame.index[hit[~total[hit]]]].to_numpy(dtype=object)
            total[hit] = True
    exclude("total_line", total, label)
    no_customer = (customer.codes == -1) | _matches(customer, _NO_CUSTOMER)
    exclude("no_customer", no_customer, col["customer"])

    exclude("bad_date", reading.status == BAD, col["date"])
    exclude("date_out_of_range", reading.status == OUT_OF_RANGE, col["date"])
    exclude("date_order", reading.status == OTHER_ORDER, col["date"])

    numbers = {role: read_numbers(col[role], factor=None if pd.api.types.is_numeric_dtype(col[role])
                                  else factor(mapping[role])) for role in NUMERIC_ROLES if role in col}
    quantity = numbers["quantity"].values.to_numpy() if "quantity" in numbers else None
    amount, basis = _amounts(col, quantity, numbers)
    shown_amount = col.get("amount", col.get("unit_price", col.get("quantity")))
    unreadable = np.isnan(amount)
    for role, reading_ in numbers.items():  # the column whose convention was contradicted is shown
        exclude("amount_format", unreadable & reading_.conflict, col[role])
    exclude("bad_amount", unreadable, shown_amount)
    huge = ~unreadable & ~(np.abs(amount) <= MAX_AMOUNT)
    if quantity is not None:
        huge |= ~np.isnan(quantity) & ~(np.abs(quantity) <= MAX_AMOUNT)
    exclude("amount_out_of_range", huge, shown_amount)
    amount = np.where(huge, np.nan, amount)
    is_return = (amount < 0) | ((quantity < 0) if quantity is not None else False)
    amount = np.where(is_return, -np.abs(amount), amount)

    if "status" in col:
        cancelled = _matches(text("status"), _CANCELLED)
        exclude("cancelled", cancelled, col["status"])
    if "order" in col:
        # Identical rows always get identical reasons above, so duplicates over the whole
        # frame are exactly the duplicates among the rows still in use.
        ids = {mapping[role] for role in TEXT_ROLES if role in mapping} | set(factors)  # factorized already
        # Two identical rows share their order (and product): only rows whose order/product pair repeats
        # are compared column by column (a few percent of a real export).
        pair = [factor(mapping[role])[0] for role in ("order", "product") if role in mapping]
        candidates = np.flatnonzero(pd.Series(_row_keys(iter(pair))).duplicated(keep=False).to_numpy())
        keys = _row_keys(factor(header)[0][candidates] if header in ids else _value_codes(frame[header].iloc[candidates])
                         for header in frame.columns)
        duplicate = np.zeros(n, dtype=bool)
        duplicate[candidates] = pd.Series(keys).duplicated(keep="first").to_numpy()
        exclude("duplicate", duplicate, _whole_lines(frame, duplicate & (reason == -1)), WHOLE_LINE_WIDTH)
    exclude("zero_amount", amount == 0, shown_amount)

    # Returns of customers with no purchase left in use reach no customer list: say so.
    in_use = reason == -1
    bought = np.zeros(len(customer.categories) + 1, dtype=bool)
    bought[customer.codes[in_use & ~is_return]] = True
    exclude("return_only", in_use & is_return & ~bought[customer.codes], col["customer"])

    used = reason == -1
    attributable = ~np.isin(reason, [REASONS.index(k) for k in ("control_chars", "total_line", "no_customer")])
    lost, lost_examples = _lost_customers(customer, reason, used, attributable)
    # Categoricals keep the distinct values of excluded rows among their categories; every
    # consumer factorizes or groups on observed values only, so they are never seen.
    columns = {"customer": customer[used], "date": dates.to_numpy()[used],
               "amount": amount[used], "is_return": is_return[used]}
    if quantity is not None:
        columns["quantity"] = quantity[used]
    for role in ("order", "product", "product_name", "customer_name", "email", "phone"):
        if role in col:
            columns[role] = text(role)[used]
    if "product" in columns and "product_name" not in columns:
        columns["product_name"] = columns["product"]
    tx = pd.DataFrame(columns)

    counts = np.bincount(reason[~used], minlength=len(REASONS)) if (~used).any() else np.zeros(len(REASONS), int)
    excluded = {key: int(counts[i]) for i, key in enumerate(REASONS) if counts[i]}
    if blank_rows:
        excluded = {"blank": int(blank_rows), **excluded}
    if malformed_rows:
        excluded = {**{k: v for k, v in excluded.items() if k == "blank"}, "malformed": int(malformed_rows),
                    **{k: v for k, v in excluded.items() if k != "blank"}}
        examples["malformed"] = tuple(malformed_examples[:MAX_EXAMPLES])
    report = CleaningReport(
        rows_read=n + blank_rows + malformed_rows, rows_used=int(used.sum()), returns=int(is_return[used].sum()),
        excluded=excluded, examples=examples, monetary_basis=basis, date_format=date_format,
        date_order=reading.order, date_order_reason=reading.order_reason, date_evidence=reading.evidence,
        date_other_evidence=reading.other_evidence, date_ambiguous=reading.ambiguous,
        decimal_mark=next((r.decimal for r in numbers.values() if r.decimal), ""),
        first_date=tx["date"].min() if len(tx) else None, last_date=tx["date"].max() if len(tx) else None,
        lost_customers=lost, lost_examples=lost_examples)
    return Cleaned(tx, report)


def _amounts(col: dict[str, pd.Series], quantity: np.ndarray | None,
             numbers: dict[str, NumberReading]) -> tuple[np.ndarray, str]:
    """Line value: the amount column, else (or where unreadable) quantity × unit price.

    Without any money column (e.g. a loyalty-card export of items), each line counts its
    quantity (or 1) and the report says the monetary value is a number of items. `quantity` is
    the already parsed quantity column (None without one).
    """
    price = numbers["unit_price"].values.to_numpy() if "unit_price" in numbers else None
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is excluded as out of range
        product = quantity * price if quantity is not None and price is not None else None
    if "amount" in col:
        amount = numbers["amount"].values.to_numpy()
        if product is not None:
            amount = np.where(np.isnan(amount), product, amount)
        return amount, "amount"
    if product is not None:
        return product, "quantity_x_price"
    if price is not None:
        return price, "amount"
    if quantity is not None:
        return quantity, "items"
    return np.ones(len(next(iter(col.values())))), "items"


def require_rows(cleaned: Cleaned) -> Cleaned:
    """Stop with a message naming the reasons when no row at all survived cleaning."""
    if cleaned.report.rows_used == 0:
        excluded = cleaned.report.excluded
        raise ColumnError("no_usable_rows", reasons=Reasons(excluded))
    return cleaned
