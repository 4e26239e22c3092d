"""A `RawTable` as Arrow IPC bytes and back, without loss and without pickle.

Typed columns (numbers, dates, text) go through Arrow with pandas' own metadata.
Workbook columns may mix Python types (17850 and "C17850" in one column, dates and
text): such object columns are sent as one small type code per cell plus one Arrow
column per type present, and rebuilt cell by cell into the same Python objects.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from collections import defaultdict

import numpy as np
import pandas as pd
import pyarrow as pa

from metriqr.reading.table import RawTable

_META = b"metriqr"
# Type code -> (Python type, Arrow type); code 0 is a missing cell (None, NaT, NA).
_KINDS: dict[int, tuple[type, pa.DataType]] = {
    1: (str, pa.large_string()),
    2: (int, pa.int64()),
    3: (float, pa.float64()),
    4: (bool, pa.bool_()),
    5: (dt.datetime, pa.timestamp("us")),
    6: (dt.date, pa.date32()),
    7: (dt.time, pa.time64("us")),
    8: (dt.timedelta, pa.duration("us")),
    9: (bytes, pa.large_binary()),
    10: (pd.Timestamp, pa.timestamp("ns")),
}
_AS_TEXT = 11  # anything else travels as text; Decimal and huge ints come back as themselves
_CODE = defaultdict(lambda: _AS_TEXT, {cls: code for code, (cls, _) in _KINDS.items()})
_REVIVE = {"Decimal": decimal.Decimal, "int": int}


def encode(raw: RawTable) -> bytes:
    sink = pa.BufferOutputStream()
    write(raw, sink)
    return sink.getvalue().to_pybytes()


def write(raw: RawTable, sink) -> None:
    """Write the table's IPC streams to `sink` (an Arrow output stream or a binary file):
    the worker writes straight into its pipe, with no copy of the whole answer in memory."""
    frame = raw.frame
    typed = {}
    extra: list[tuple[str, pa.Array]] = []
    layout = []
    for pos in range(frame.shape[1]):
        series = frame.iloc[:, pos]
        if series.dtype == object:
            layout.append(["object", _encode_objects(series.to_numpy(), f"o{pos}", extra)])
        else:
            typed[f"c{pos}"] = series.array
            layout.append(["typed", f"c{pos}"])
    body = pd.DataFrame(typed, index=frame.index) if typed else pd.DataFrame(index=frame.index)
    table = pa.Table.from_pandas(body, preserve_index=True)
    for name, array in extra:
        if name.endswith("k"):  # one type code per row
            table = table.append_column(name, array)
    # The values of each type, as long as that type's count: one list cell per array.
    values = pa.table({name: pa.LargeListArray.from_arrays(pa.array([0, len(array)], pa.int64()), array)
                       for name, array in extra if not name.endswith("k")} or {"none": pa.array([None])})
    meta = {
        "columns": [str(c) for c in frame.columns], "layout": layout,
        "raw": {"name": raw.name, "sheet": raw.sheet, "sheets": list(raw.sheets), "header_row": raw.header_row,
                "blank_rows": raw.blank_rows, "malformed_rows": raw.malformed_rows,
                "malformed_examples": list(raw.malformed_examples), "file_format": raw.file_format,
                "encoding": raw.encoding, "separator": raw.separator},
    }
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META: json.dumps(meta).encode()})
    for part in (table, values):
        with pa.ipc.new_stream(sink, part.schema) as writer:
            writer.write_table(part)


def _encode_objects(values: np.ndarray, prefix: str, extra: list[tuple[str, pa.Array]]) -> dict:
    """One type code per cell, then for each type the values of that type only, in order."""
    codes = np.fromiter(map(_CODE.__getitem__, map(type, values)), dtype="int8", count=len(values))
    missing = np.asarray(pd.isna(values), dtype=bool) if len(values) else np.zeros(0, bool)
    codes[missing & (codes != 3)] = 0  # None, NaT, NA; a float NaN stays a float
    for code in sorted(set(np.unique(codes).tolist()) - {0, _AS_TEXT}):
        mask = codes == code
        try:
            extra.append((f"{prefix}v{code}", pa.array(values[mask], type=_KINDS[code][1], from_pandas=False)))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
            codes[mask] = _AS_TEXT  # e.g. an int beyond 64 bits: sent as text, revived by its type
    text_types: list[str] = []
    as_text = codes == _AS_TEXT
    if as_text.any():
        picked = values[as_text]
        names = [type(v).__name__ for v in picked]
        text_types = sorted(set(names))
        extra.append((f"{prefix}t", pa.array([str(v) for v in picked], type=pa.large_string())))
        extra.append((f"{prefix}n", pa.array([text_types.index(n) for n in names], type=pa.int16())))
    extra.append((f"{prefix}k", pa.array(codes)))
    return {"prefix": prefix, "text_types": text_types}


def decode(payload: bytes) -> RawTable:
    stream = pa.BufferReader(pa.py_buffer(payload))
    table = pa.ipc.open_stream(stream).read_all()
    values = pa.ipc.open_stream(stream).read_all()
    meta = json.loads(table.schema.metadata[_META])
    present = set(values.column_names)
    typed_names = [n for n in table.column_names if n.startswith("c") or n.startswith("__index")]
    body = table.select([n for n in table.column_names if n in typed_names]).to_pandas()
    columns = []
    for kind, spec in meta["layout"]:
        if kind == "typed":
            columns.append(body[spec])
            continue
        prefix = spec["prefix"]
        codes = table.column(f"{prefix}k").to_numpy()
        out = np.full(len(codes), None, dtype=object)
        for code in _KINDS:
            name = f"{prefix}v{code}"
            if name in present:
                out[codes == code] = _objects(values.column(name)[0].values, code)
        if spec["text_types"]:
            texts = _objects(values.column(f"{prefix}t")[0].values, 1)
            kinds = values.column(f"{prefix}n")[0].values.to_numpy()
            for k, type_name in enumerate(spec["text_types"]):
                reviver = _REVIVE.get(type_name)
                if reviver is not None:
                    texts[kinds == k] = [reviver(v) for v in texts[kinds == k]]
            out[codes == _AS_TEXT] = texts
        columns.append(pd.Series(out, index=body.index, dtype=object))
    frame = pd.DataFrame({k: c.array for k, c in enumerate(columns)}, index=body.index)
    frame.columns = meta["columns"]
    frame.index.name = None
    info = meta["raw"]
    return RawTable(frame=frame, name=info["name"], sheet=info["sheet"], sheets=tuple(info["sheets"]),
                    header_row=info["header_row"], blank_rows=info["blank_rows"],
                    malformed_rows=info["malformed_rows"], malformed_examples=tuple(info["malformed_examples"]),
                    file_format=info["file_format"], encoding=info["encoding"], separator=info["separator"])


def _objects(array: pa.Array, code: int) -> np.ndarray:
    """The Python objects of one type, converted in bulk (numpy's own object casts are C loops)."""
    values = np.empty(len(array), dtype=object)
    if code in (2, 3, 4):  # int, float, bool: numpy scalars -> Python numbers
        values[:] = array.to_numpy(zero_copy_only=False).tolist()
    elif code in (1, 9):  # str, bytes
        values[:] = array.to_numpy(zero_copy_only=False)
    elif code in (5, 6, 8):  # datetime, date, timedelta
        values[:] = array.to_numpy(zero_copy_only=False).astype(object)
    else:
        values[:] = array.to_pylist()
    return values
