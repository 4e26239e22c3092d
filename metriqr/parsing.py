"""Read numbers and dates as people type them in spreadsheets, column at a time.

Brazilian exports write `R$ 1.103,48` and `23/11/2026`; English ones `1,103.48` and
`2026-11-23 10:00`. The convention is decided once per column from its values, then
applied vectorised. Unreadable cells become NaN / NaT so the cleaning report can name them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# Candidate date formats, tried on the distinct values of a column.
_DAYFIRST_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d-%m-%Y %H:%M",
                     "%d-%m-%Y %H:%M:%S", "%d.%m.%Y", "%d/%m/%y", "%d/%m/%y %H:%M")
_MONTHFIRST_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m-%d-%Y", "%m/%d/%y",
                       "%m/%d/%y %H:%M")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


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


def parse_numbers(series: pd.Series) -> pd.Series:
    """Floats from native numbers or text, parsed once per distinct value."""
    if pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    values, _ = by_unique(series, lambda u: (_parse_numbers(u), None))
    return pd.Series(values, index=series.index, dtype="float64")


def _parse_numbers(series: pd.Series) -> pd.Series:
    """Floats from native numbers or text such as `R$ 1.103,48`, `1,103.48`, `(12,50)`, `12,50-`."""
    direct = pd.to_numeric(series, errors="coerce")
    pending = direct.isna() & series.notna()
    if not pending.any():
        return direct.astype("float64")
    text = _as_text(series[pending])
    text = text.str.replace(r"[R$£€\s\u00a0]|US\$", "", regex=True)
    negative = text.str.match(r"^\(.*\)$|^.*-$", na=False)
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.replace(r"-$", "", regex=True)
    text = text.str.replace(r"^\+", "", regex=True)
    if _decimal_comma(text):
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    values = values.where(~negative.fillna(False).astype(bool), -values)
    out = direct.astype("float64").copy()
    out[pending] = values.astype("float64")
    return out


def _decimal_comma(text: pd.Series) -> bool:
    """Decide the column's decimal mark: the mark after the last separator is the decimal."""
    sample = text.dropna().drop_duplicates().head(5000)
    comma_last = sample.str.contains(r"\.\d{3},\d*$", regex=True).sum()
    point_last = sample.str.contains(r",\d{3}\.\d*$", regex=True).sum()
    if comma_last or point_last:
        return bool(comma_last >= point_last)
    has_comma = sample.str.contains(",", regex=False)
    if has_comma.any():
        # `12,5` / `12,50` are decimals; only `1,234` / `12,345,678` read as English thousands
        thousands_only = sample[has_comma].str.fullmatch(r"-?\d{1,3}(,\d{3})+").all()
        return not thousands_only
    # Only points: `1.234.567` (several points) is Brazilian thousands; `3.99` is a decimal point
    return bool(sample.str.fullmatch(r"-?\d{1,3}(\.\d{3}){2,}").any())


def parse_dates(series: pd.Series, *, dayfirst: bool = True) -> tuple[pd.Series, str]:
    """Timestamps from native datetimes, Excel serials or text, parsed once per distinct value."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return _parse_dates(series, dayfirst=dayfirst)
    values, used = by_unique(series, lambda u: _parse_dates(u, dayfirst=dayfirst))
    return pd.Series(values, index=series.index, dtype="datetime64[ns]"), used


def _parse_dates(series: pd.Series, *, dayfirst: bool = True) -> tuple[pd.Series, str]:
    """Timestamps from native datetimes, Excel serial numbers or text; returns (values, format used).

    Day-first unless the file says otherwise: month-first is chosen only when it reads
    clearly more of the values (e.g. `12/31/2025` exists) or `dayfirst=False`.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        return pd.to_datetime(series).dt.tz_localize(None) if getattr(series.dt, "tz", None) else series, "native"
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    native = pd.Series(False, index=series.index)
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) != "string":
        native = series.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"),
                            na_action="ignore").fillna(False).astype(bool)
        if native.any():
            out[native] = pd.to_datetime(series[native], errors="coerce")
    rest = series[~native & series.notna()]
    if rest.empty:
        return out, "native"
    # Text first (the common case); only what it cannot read is tried as an Excel serial number.
    parsed, used = _parse_unique_dates(_as_text(rest).fillna(""), dayfirst=dayfirst)
    out[rest.index] = parsed.to_numpy(dtype="datetime64[ns]")
    left = rest[out[rest.index].isna().to_numpy()]
    if len(left):
        numbers = pd.to_numeric(left, errors="coerce")
        serial = numbers.between(20000, 80000)  # Excel serial days: 1954 … 2119
        if serial.any():
            out[serial[serial].index] = _EXCEL_EPOCH + pd.to_timedelta(numbers[serial], unit="D")
            used = used if used != "?" else "excel"
    return out, used


def _parse_unique_dates(values: pd.Series, *, dayfirst: bool) -> tuple[pd.Series, str]:
    """Try candidate formats, best first; later candidates fill what earlier ones missed."""
    iso = pd.to_datetime(values.where(values.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")), format="ISO8601",
                         errors="coerce")
    if iso.notna().all():
        return iso, "ISO"
    rest = values[iso.isna()]
    slash = _DAYFIRST_FORMATS + _MONTHFIRST_FORMATS if dayfirst else _MONTHFIRST_FORMATS + _DAYFIRST_FORMATS
    attempts = [(fmt, pd.to_datetime(rest, format=fmt, errors="coerce")) for fmt in slash]
    day_hits = sum(int(p.notna().sum()) for f, p in attempts if f.startswith("%d"))
    month_hits = sum(int(p.notna().sum()) for f, p in attempts if f.startswith("%m"))
    # When day-first reads clearly fewer values, the file is month-first (and vice versa).
    prefer_month = (month_hits > day_hits) if dayfirst else not (day_hits > month_hits)
    attempts.sort(key=lambda a: (a[0].startswith("%m") != prefer_month))
    result, used = iso, "ISO" if iso.notna().any() else ""
    for fmt, parsed in attempts:
        if result.notna().all():
            break
        if parsed.notna().any():
            result = result.fillna(parsed.reindex(result.index))
            used = used or fmt
    return result, (used or "?").replace("%d", "dd").replace("%m", "mm").replace("%Y", "aaaa").replace(
        "%y", "aa").replace("%H", "hh").replace("%M", "mm").replace("%S", "ss")
