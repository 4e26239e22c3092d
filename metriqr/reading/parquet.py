"""Parquet with its own types; its unpacked size is bounded like a workbook's."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

from metriqr.errors import InputFileError
from metriqr.reading.guards import Limits, short, too_large, too_wide
from metriqr.reading.header import finish
from metriqr.reading.table import RawTable

def read_parquet(data: bytes, *, shown: str, limits: Limits) -> RawTable:
    """Read Parquet with its own types; its unpacked size is bounded like a workbook's.

    Nested columns (struct, list, map) hold no single value per row: they are named in a
    message rather than read into cells no later step can use.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta = parquet.metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        schema = parquet.schema_arrow
    except Exception as exc:
        raise InputFileError("parquet_corrupt", name=shown, detail=short(exc)) from exc
    if unpacked > limits.unpacked:
        raise too_large(shown, unpacked, limits.unpacked)
    if len(schema) > limits.max_columns:
        raise too_wide(shown, len(schema), limits)
    nested = [f.name for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise InputFileError("parquet_nested", name=shown, columns=", ".join(f"“{n}”" for n in nested[:5]))
    try:
        frame = parquet.read().to_pandas()
    except Exception as exc:
        raise InputFileError("parquet_corrupt", name=shown, detail=short(exc)) from exc
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()  # a saved index is data (often the customer id)
    header = [str(c) for c in frame.columns]
    columns = [frame.iloc[:, k].reset_index(drop=True) for k in range(frame.shape[1])]
    if not columns:
        raise InputFileError("file_empty", name=shown)
    out, blank_rows = finish(columns, header, np.arange(len(frame)) + 1)
    return RawTable(
        frame=out,
        name=shown,
        sheet=None,
        sheets=(),
        header_row=0,
        blank_rows=blank_rows,
        file_format="parquet",
    )
