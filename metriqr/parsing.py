"""Read numbers and dates as people type them in spreadsheets, column at a time.

Brazilian exports write `R$ 1.103,48` and `23/11/2026`; English ones `1,103.48` and
`2026-11-23 10:00`. The convention is decided once per column from its values, then every
value is read by it, vectorised over the distinct values. Unreadable cells become NaN / NaT
and each value says why it was not read (a status), so the cleaning report can name them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# Dates a sale can carry. Outside this range a date is a typing or export error (`31/12/2999`,
# `15/06/1600`); it is excluded with its own reason rather than read as some other year.
DATE_MIN = np.datetime64("1900-01-01", "s")
DATE_MAX = np.datetime64("2200-01-01", "s")  # exclusive
DATE_RANGE_TEXT = "1900–2199"

# Per-value status of a date: read, unreadable, readable only in the other day/month order,
# outside DATE_MIN … DATE_MAX.
OK, BAD, OTHER_ORDER, OUT_OF_RANGE = 0, 1, 2, 3
ORDERS = ("dmy", "mdy")

# An optional time of day: `14:30`, `14h30`, `14:30:15.123`, `2:30 PM`, an ISO `T` and a UTC
# offset (dropped: the shop's wall-clock time is what matters for a purchase day).
_TIME = (r"(?:(?:[ T]+|,\s*)(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
         r"\s*(?P<P>[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?")
_DAY_MONTH = r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})" + _TIME + "$"
_YEAR_FIRST = r"^(?P<y>\d{4})(?P<sep>[/.\-])(?P<b>\d{1,2})[/.\-](?P<a>\d{1,2})" + _TIME + "$"


def by_unique(series: pd.Series, parse) -> tuple[np.ndarray, object]:
    """Apply `parse` to the distinct values only, then spread back: columns of dates,
    codes and prices repeat heavily, so this is many times faster than parsing every cell.
    `parse(uniques: pd.Series) -> (values: Series, extra)`; missing cells map to NaN/NaT.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    parsed, extra = parse(pd.Series(uniques, dtype=object if series.dtype == object else None))
    values = np.asarray(parsed)
    missing = np.array([np.nan], dtype=values.dtype) if values.dtype.kind == "f" else \
        np.array(["NaT"], dtype=values.dtype) if values.dtype.kind == "M" else np.array([None], dtype=object)
    return np.concatenate([values, missing])[codes], extra


def _as_text(series: pd.Series) -> pd.Series:
    """Strings with surrounding spaces removed; missing stays missing."""
    return series.astype("string").str.strip()


def _text_mask(uniques: pd.Series) -> np.ndarray:
    """Which distinct values are text (an object column from a workbook mixes numbers and text)."""
    if uniques.dtype != object:
        return np.full(len(uniques), pd.api.types.is_string_dtype(uniques.dtype))
    if pd.api.types.infer_dtype(uniques, skipna=True) == "string":
        return np.ones(len(uniques), dtype=bool)
    return uniques.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)


# --- numbers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NumberReading:
    """A column of numbers as read: values (NaN where unreadable) and which cells were written
    in the other decimal convention than the column's (`1,234.56` among `1.234,56`)."""
    values: pd.Series
    conflict: np.ndarray
    decimal: str = ""  # "," or "." for text columns; "" for native numbers


# Whole values (after the currency, spaces and sign are taken off) in each convention.
_COMMA_VALID = r"\d+|\d{1,3}(?:\.\d{3})+|\d*,\d+|\d+,|\d{1,3}(?:\.\d{3})+,\d*"
_POINT_VALID = r"\d+|\d{1,3}(?:,\d{3})+|\d*\.\d+|\d+\.|\d{1,3}(?:,\d{3})+\.\d*"
# Values that only one convention reads that way: a decimal part not of three digits, both marks
# with the other one last, or several thousands groups.
_COMMA_PROOF = r"\d*,(?:\d{1,2}|\d{4,})|\d{1,3}(?:\.\d{3})+,\d*|\d{1,3}(?:\.\d{3}){2,}"
_POINT_PROOF = r"\d*\.(?:\d{1,2}|\d{4,})|\d{1,3}(?:,\d{3})+\.\d*|\d{1,3}(?:,\d{3}){2,}"
_SCIENTIFIC = r"\d+(?:\.\d+)?[eE][+-]?\d+"


def read_numbers(series: pd.Series, *, factor: tuple[np.ndarray, object] | None = None) -> NumberReading:
    """Floats from native numbers or text such as `R$ 1.103,48`, `1,103.48`, `(12,50)`, `12,50-`.

    The column's decimal mark is decided first, from the values only one convention can
    read (`12,50`, `1.234,56`, `1.234.567` say comma; `3.99`, `1,234.56` say point; the
    majority wins, a currency sign `R$` tips a column with no such value to comma). Then
    every value is read by it: `2.500` is two thousand five hundred in a comma column, and
    a value only the other convention reads is marked a conflict (NaN), never guessed.
    `factor` is the column's pd.factorize when the caller has it already.
    """
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return NumberReading(series.astype("float64"), np.zeros(len(series), dtype=bool))
    codes, uniques = factor if factor is not None else pd.factorize(series, use_na_sentinel=True)
    uniques = pd.Series(uniques, dtype=object if series.dtype == object else None)
    values, conflict, decimal = _read_unique_numbers(uniques)
    values = np.append(values, np.nan)[codes]
    conflict = np.append(conflict, False)[codes]
    return NumberReading(pd.Series(values, index=series.index, dtype="float64"), conflict, decimal)


def parse_numbers(series: pd.Series) -> pd.Series:
    """Floats from native numbers or text, parsed once per distinct value (see read_numbers)."""
    return read_numbers(series).values


def _read_unique_numbers(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray, str]:
    n = len(uniques)
    values = np.full(n, np.nan)
    conflict = np.zeros(n, dtype=bool)
    is_text = _text_mask(uniques)
    if (~is_text).any():  # native numbers in an object column
        values[~is_text] = pd.to_numeric(uniques[~is_text], errors="coerce").to_numpy(dtype="float64")
    if not is_text.any():
        return values, conflict, ""
    raw = _as_text(uniques[is_text])
    currency = raw.str.contains(r"R\$", regex=True).fillna(False).to_numpy(dtype=bool)
    text = raw.str.replace(r"US\$|[R$£€\s\u00a0]", "", regex=True)
    negative = text.str.match(r"^\(.*\)$|^.*-$|^-", na=False).fillna(False).to_numpy(dtype=bool)
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.replace(r"-$|^[-+]", "", regex=True)
    text = text.fillna("")

    def matches(pattern: str) -> np.ndarray:
        return text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)

    comma_proof, point_proof = matches(_COMMA_PROOF), matches(_POINT_PROOF)
    comma, point = int(comma_proof.sum()), int(point_proof.sum())
    if comma != point:
        decimal = "," if comma > point else "."
    elif comma:
        decimal = ","  # as many of each: the Brazilian convention, and the others are reported
    elif currency.any():
        decimal = ","
    else:
        # No value decides: `1,234` reads as English thousands, `3.990` as a decimal point.
        decimal = "."
    valid, other = (_COMMA_VALID, _POINT_VALID) if decimal == "," else (_POINT_VALID, _COMMA_VALID)
    readable = matches(valid)
    scientific = matches(_SCIENTIFIC)
    special = text.str.fullmatch(r"[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN]").fillna(False).to_numpy(dtype=bool)
    thousands, mark = (".", ",") if decimal == "," else (",", ".")
    plain = text.where(readable, "").str.replace(thousands, "", regex=False).str.replace(mark, ".", regex=False)
    parsed = pd.to_numeric(plain.where(readable), errors="coerce").to_numpy(dtype="float64")
    direct = pd.to_numeric(text.where(scientific | special), errors="coerce").to_numpy(dtype="float64")
    parsed = np.where(scientific | special, direct, parsed)
    parsed = np.where(negative, -parsed, parsed)
    values[is_text] = parsed
    conflict[is_text] = ~readable & ~scientific & ~special & matches(other)
    return values, conflict, decimal


# --- dates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class DateReading:
    """A column of dates as read, with what decided the day/month order.

    `status` says per cell why it was not read (OK, BAD, OTHER_ORDER, OUT_OF_RANGE).
    `order` is "dmy" or "mdy" when day and month could be confused, "" otherwise (ISO dates,
    the workbook's own dates, Excel serials). `order_reason`: "user" (chosen by the user),
    "evidence" (values such as 31/12 prove it), "ambiguous" (no value proves either order:
    the default was used) or "mixed" (values prove both: the majority was used and the
    others are OTHER_ORDER). `ambiguous` counts cells whose day and month could be swapped.
    """
    values: pd.Series
    status: np.ndarray
    format: str
    order: str = ""
    order_reason: str = ""
    evidence: tuple[str, ...] = ()
    other_evidence: tuple[str, ...] = ()
    ambiguous: int = 0

    @property
    def warn(self) -> bool:
        """The order is a guess the user should check."""
        return self.order_reason == "mixed" or (self.order_reason == "ambiguous" and self.ambiguous > 0)


def parse_dates(series: pd.Series, *, dayfirst: bool = True) -> tuple[pd.Series, str]:
    """Timestamps from native datetimes, Excel serials or text; returns (values, format used)."""
    reading = read_dates(series, default="dmy" if dayfirst else "mdy")
    return reading.values, reading.format


def read_dates(series: pd.Series, *, order: str | None = None, default: str = "dmy",
               factor: tuple[np.ndarray, object] | None = None) -> DateReading:
    """Read a date column; `order` ("dmy"/"mdy") is the user's choice, else decided from the values.

    Day-first unless the values say otherwise: month-first is chosen only when more cells
    can only be month-first (`12/31/2025`) than can only be day-first. The decision is made
    once for the column from its distinct values (no second parse); the text is matched
    with one regular expression per layout and the date computed arithmetically, so a
    column of a million distinct timestamps costs about as much as one of a thousand days.
    `factor` is the column's pd.factorize when the caller has it already.
    """
    if order is not None and order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    if pd.api.types.is_datetime64_any_dtype(series):
        seconds, status = _native_seconds(series)
        return _finish(series.index, seconds, status, format="native")
    codes, uniques = factor if factor is not None else pd.factorize(series, use_na_sentinel=True)
    weights = np.bincount(codes[codes >= 0], minlength=len(uniques))
    parsed = _read_unique_dates(pd.Series(uniques, dtype=object if series.dtype == object else None),
                                weights, order=order, default=default)
    seconds = np.append(parsed.seconds, 0)[codes]
    status = np.append(parsed.status, BAD).astype(np.int8)[codes]
    return _finish(series.index, seconds, status, format=parsed.format, order=parsed.order,
                   order_reason=parsed.reason, evidence=parsed.evidence, other_evidence=parsed.other_evidence,
                   ambiguous=int(weights[parsed.swappable].sum()))


def _finish(index: pd.Index, seconds: np.ndarray, status: np.ndarray, **info) -> DateReading:
    """Range check, then nanosecond timestamps (every value left is within datetime64[ns])."""
    status = status.astype(np.int8, copy=True)
    stamps = seconds.astype("datetime64[s]")
    status[(status == OK) & ((stamps < DATE_MIN) | (stamps >= DATE_MAX))] = OUT_OF_RANGE
    values = np.where(status == OK, stamps, np.datetime64("NaT", "s")).astype("datetime64[ns]")
    return DateReading(pd.Series(values, index=index, dtype="datetime64[ns]"), status, **info)


def _native_seconds(values) -> tuple[np.ndarray, np.ndarray]:
    """Whole seconds of native datetimes (any resolution, time zone dropped: local wall time)."""
    values = pd.to_datetime(pd.Series(values), errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    stamps = values.to_numpy()
    missing = np.isnat(stamps)
    seconds = stamps.astype("datetime64[s]").astype(np.int64)
    return np.where(missing, 0, seconds), np.where(missing, BAD, OK).astype(np.int8)


@dataclass
class _Parsed:
    seconds: np.ndarray
    status: np.ndarray
    swappable: np.ndarray
    format: str = "?"
    order: str = ""
    reason: str = ""
    evidence: tuple[str, ...] = ()
    other_evidence: tuple[str, ...] = ()


def _read_unique_dates(uniques: pd.Series, weights: np.ndarray, *, order: str | None, default: str) -> _Parsed:
    n = len(uniques)
    out = _Parsed(np.zeros(n, dtype=np.int64), np.full(n, BAD, dtype=np.int8), np.zeros(n, dtype=bool))
    kind = np.zeros(n, dtype=np.int8)  # 0 unread, 1 native, 2 day/month, 3 year first, 4 Excel serial
    is_text = _text_mask(uniques)
    if (~is_text).any():
        others = uniques[~is_text]
        native = np.zeros(len(others), dtype=bool) if others.dtype != object else others.map(
            lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year")).to_numpy(dtype=bool)
        where = np.flatnonzero(~is_text)
        if native.any():
            out.seconds[where[native]], out.status[where[native]] = _native_seconds(others[native].to_numpy())
            kind[where[native]] = 1
    text_at = np.flatnonzero(is_text)
    text = pc.utf8_trim_whitespace(_arrow_text(uniques if is_text.all() else uniques[is_text])) \
        if len(text_at) else pa.array([], pa.string())
    day_month = _fields(text, _DAY_MONTH)
    year_first = _fields(text, _YEAR_FIRST, rows=np.flatnonzero(day_month["matched"] == 0))

    # Year first (ISO): no order to decide.
    at = day_month["matched"] == 0
    at &= year_first["matched"] == 1
    if at.any():
        seconds, valid = _compose(year_first, at, day=year_first["a"], month=year_first["b"])
        _store(out, text_at[at], seconds[at], valid[at])
        kind[text_at[at]] = 3

    at = day_month["matched"] == 1
    if at.any():
        a, b = day_month["a"], day_month["b"]
        as_dmy, dmy_ok = _compose(day_month, at, day=a, month=b)
        as_mdy, mdy_ok = _compose(day_month, at, day=b, month=a)
        dmy_ok &= at
        mdy_ok &= at
        w = weights[text_at]
        only_dmy, only_mdy = dmy_ok & ~mdy_ok, mdy_ok & ~dmy_ok
        n_dmy, n_mdy = int(w[only_dmy].sum()), int(w[only_mdy].sum())
        if order is not None:
            chosen, reason = order, "user"
        elif n_dmy and n_mdy:
            chosen, reason = ("mdy" if n_mdy > n_dmy else "dmy"), "mixed"
        elif n_dmy or n_mdy:
            chosen, reason = ("mdy" if n_mdy else "dmy"), "evidence"
        else:
            chosen, reason = default, "ambiguous"
        good, seconds, wrong = (dmy_ok, as_dmy, only_mdy) if chosen == "dmy" else (mdy_ok, as_mdy, only_dmy)
        proof = only_dmy if chosen == "dmy" else only_mdy
        _store(out, text_at[at], seconds[at], good[at])
        out.status[text_at[wrong]] = OTHER_ORDER
        out.swappable[text_at[dmy_ok & mdy_ok & (a != b)]] = True
        kind[text_at[at]] = 2
        out.order, out.reason = chosen, reason
        out.evidence, out.other_evidence = _first(text, proof), _first(text, wrong)

    # Excel serial day numbers (as numbers, or as text such as "42005").
    left = np.flatnonzero(kind == 0)
    if len(left):
        numbers = pd.to_numeric(uniques.iloc[left], errors="coerce").to_numpy(dtype="float64")
        serial = (numbers >= 20000) & (numbers <= 80000)  # Excel serial days: 1954 … 2119
        if serial.any():
            where = left[serial]
            out.seconds[where] = np.round((_EXCEL_EPOCH.value // 10**9) + numbers[serial] * 86_400).astype(np.int64)
            out.status[where] = OK
            kind[where] = 4

    out.format = _layout(kind, weights, day_month, year_first, text_at, out.order)
    return out


def _arrow_text(values: pd.Series) -> pa.Array:
    """Text values as an Arrow array: the column's own buffers when it is Arrow-backed (no copy)."""
    if values.dtype != object and pd.api.types.is_string_dtype(values.dtype):
        try:
            array = pa.array(values)
            return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            pass
    return pa.array(values.astype(object).to_numpy(), type=pa.string(), from_pandas=True)


def _first(text: pa.Array, mask: np.ndarray, k: int = 3) -> tuple[str, ...]:
    """The first `k` values where `mask` holds, for messages."""
    where = np.flatnonzero(mask)[:k]
    return tuple(text.take(pa.array(where, pa.int64())).to_pylist()) if len(where) else ()


def _fields(text: pa.Array, pattern: str, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The named groups of `pattern` as integers (−1 when absent), plus `matched` (0/1); only
    `rows` are tried when given (the others read as not matched)."""
    if rows is not None:
        part = _fields(text.take(pa.array(rows, pa.int64())), pattern) if len(rows) else None
        full = {"matched": np.zeros(len(text), np.int8), "year_digits": np.zeros(len(text), np.int64),
                "sep": np.full(len(text), "", dtype=object), "pm": np.zeros(len(text), bool),
                "ampm": np.zeros(len(text), bool), **{k: np.full(len(text), -1, np.int64) for k in "abyHMS"}}
        for key in full if part is not None else ():
            full[key][rows] = part[key]
        return full
    found = pc.extract_regex(text, pattern)
    fields = {"matched": found.is_valid().to_numpy(zero_copy_only=False).astype(np.int8)}
    for name in ("a", "b", "y", "H", "M", "S"):
        part = found.field(name)
        fields[name] = pc.cast(pc.if_else(pc.equal(part, ""), None, part), pa.int64()).fill_null(-1).to_numpy()
    fields["year_digits"] = pc.utf8_length(found.field("y")).fill_null(0).to_numpy()
    fields["sep"] = np.asarray(found.field("sep").fill_null("").to_numpy(zero_copy_only=False), dtype=object)
    fields["pm"] = pc.match_substring_regex(found.field("P"), r"^[Pp]").fill_null(False).to_numpy(
        zero_copy_only=False)
    fields["ampm"] = pc.not_equal(found.field("P"), "").fill_null(False).to_numpy(zero_copy_only=False)
    return fields


def _compose(fields: dict[str, np.ndarray], at: np.ndarray, *, day: np.ndarray,
             month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds since 1970 from year/month/day and time fields, and whether they form a real date."""
    year = fields["y"].copy()
    short = fields["year_digits"] == 2
    year[short] += np.where(year[short] < 69, 2000, 1900)  # as strptime's %y: 69–99 → 19xx, 00–68 → 20xx
    valid = at & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (year >= 1) & (year <= 9999)
    months = np.where(valid, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + np.where(valid, day - 1, 0)
    valid &= days.astype("datetime64[M]") == months  # 31/02 is not a date
    hour, minute, second = fields["H"], fields["M"], np.maximum(fields["S"], 0)
    timed = hour >= 0
    ampm = fields["ampm"]
    valid &= ~timed | ((minute <= 59) & (second <= 59) & np.where(ampm, (hour >= 1) & (hour <= 12), hour <= 23))
    hour = np.where(ampm, hour % 12 + np.where(fields["pm"], 12, 0), hour)
    seconds = days.astype(np.int64) * 86_400 + np.where(timed, hour * 3_600 + minute * 60 + second, 0)
    return seconds, valid


def _store(out: _Parsed, where: np.ndarray, seconds: np.ndarray, valid: np.ndarray) -> None:
    out.seconds[where] = np.where(valid, seconds, 0)
    out.status[where] = np.where(valid, OK, BAD)


def _layout(kind: np.ndarray, weights: np.ndarray, day_month: dict, year_first: dict, text_at: np.ndarray,
            order: str) -> str:
    """How most cells are written: `dd/mm/aaaa hh:mm`, `ISO`, `native`, `excel` (`?` when none is read)."""
    totals = np.bincount(kind, weights=weights, minlength=5)
    if not totals[1:].any():
        return "?"
    best = int(np.argmax(totals[1:])) + 1
    if best == 1:
        return "native"
    if best == 4:
        return "excel"
    fields = day_month if best == 2 else year_first
    w = weights[text_at][fields["matched"] == 1]

    def most(values: np.ndarray) -> object:
        codes, keys = pd.factorize(values)
        return keys[np.argmax(np.bincount(codes, weights=w))]

    rows = fields["matched"] == 1
    sep = most(fields["sep"][rows])
    time_kind = most(np.where(fields["H"][rows] < 0, 0, np.where(fields["S"][rows] < 0, 1, 2)))
    clock = ("", " hh:mm", " hh:mm:ss")[int(time_kind)]
    if best == 3:
        return "ISO" if sep == "-" else f"aaaa{sep}mm{sep}dd{clock}"
    year = "aaaa" if most(fields["year_digits"][rows]) == 4 else "aa"
    first, second = ("dd", "mm") if order == "dmy" else ("mm", "dd")
    return f"{first}{sep}{second}{sep}{year}{clock}"
