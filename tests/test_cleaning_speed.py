"""The faster identifier tidying and duplicate check of metriqr.cleaning (issue 11) give the same answers
as the straightforward pandas versions they replaced, on any text, numbers and dates."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metriqr.cleaning import _text, _value_codes

IDS = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list(" \t\u00a0 0123456789.aAbBçÇãé-_/")), max_size=8),
                st.sampled_from(["17850", "17850.0", " 17850", "0.0", "", "   ", "Ação", "ação", "B", "b"]))


def reference_text(series: pd.Series) -> pd.Categorical:
    """The pandas version: strip, `N.0` → `N`, blank → missing, categories the sorted distinct values."""
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if (whole == np.floor(whole)).all():
            series = series.astype("Int64")
    codes, uniques = pd.factorize(series)
    tidy = pd.Series(np.asarray(uniques, dtype=object)).astype("string").str.strip()
    tidy = tidy.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    tidy = tidy.mask(tidy == "").astype(object)
    merged, distinct = pd.factorize(tidy, sort=True)
    return pd.Categorical.from_codes(np.append(merged, -1)[codes], categories=pd.Index(distinct, dtype=object))


def same(a: pd.Categorical, b: pd.Categorical) -> bool:
    return list(a.categories) == list(b.categories) and a.categories.dtype == b.categories.dtype \
        and np.array_equal(a.codes, b.codes)


@settings(max_examples=300, deadline=None)
@given(st.lists(IDS, max_size=30), st.sampled_from(["object", "string"]))
def test_tidy_ids_as_before_on_any_text(values: list[str | None], dtype: str) -> None:
    series = pd.Series(values, dtype=dtype)
    assert same(_text(series), reference_text(series))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-10**6, 10**6).map(float),
                          st.floats(-1e6, 1e6, allow_nan=False)), max_size=30))
def test_tidy_numeric_ids_as_before(values: list[float | None]) -> None:
    series = pd.Series(values, dtype="float64")
    assert same(_text(series), reference_text(series))
    integers = pd.Series([int(v) for v in values if v is not None and v == int(v)], dtype="int64")
    assert same(_text(integers), reference_text(integers))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from([0.0, -0.0, 1.5, 2.0, float("nan"), 1e300])), max_size=20))
def test_duplicate_keys_of_numbers_are_equal_exactly_where_the_values_are(values: list[float | None]) -> None:
    assert_same_partition(pd.Series(values, dtype="float64"))


def assert_same_partition(series: pd.Series) -> None:
    """Two rows get the same key exactly when pd.factorize gives them the same code (missing alike)."""
    codes, factorized = _value_codes(series), pd.factorize(series)[0]
    equal = codes[:, None] == codes[None, :]
    assert np.array_equal(equal, factorized[:, None] == factorized[None, :])


def test_duplicate_keys_of_dates_integers_and_text() -> None:
    assert_same_partition(pd.Series(pd.to_datetime(["2024-01-01 10:00", None, "2024-01-01 10:00", "2024-01-02 00:00"])))
    assert_same_partition(pd.Series([3, -1, 3, 2**40, -1], dtype="int64"))
    assert_same_partition(pd.Series([True, False, True]))
    assert_same_partition(pd.Series(["a", None, "a", "b", None], dtype=object))


def test_tidy_numeric_id_columns_of_every_type() -> None:
    for series in (pd.Series([0.0, -0.0, np.nan, 17850.0, 3.0]), pd.Series([1.5, np.nan, 2.0, -0.0]),
                   pd.Series([2**63 + 5, 1, 2**63 + 5], dtype="uint64"), pd.Series([5, None, -3], dtype="Int64"),
                   pd.Series([-7, 0, 12], dtype="int32"), pd.Series([True, False, True]),
                   pd.Series([np.nan, np.nan]), pd.Series([], dtype="float64")):
        assert same(_text(series), reference_text(series)), series.dtype


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3"]), st.sampled_from(["C1", "C2"]),
                          st.sampled_from(["A", "B", " A"]), st.sampled_from(["01/02/2025", "02/02/2025"]),
                          st.sampled_from(["10,00", "12,50"])), min_size=1, max_size=25),
       st.booleans())
def test_exact_duplicate_lines_are_found_as_pandas_finds_them(rows: list[tuple[str, ...]], with_product: bool) -> None:
    from metriqr.pipeline import clean_raw
    from metriqr.reading import read_table

    header = "Pedido;Cliente;Produto;Data;Valor" if with_product else "Pedido;Cliente;Obs;Data;Valor"
    text = "\n".join([header, *(";".join(row) for row in rows)]) + "\n"
    raw = read_table(text.encode(), name="vendas.csv")
    expected = int(raw.frame.duplicated().sum())
    report = clean_raw(raw).cleaned.report
    assert report.excluded.get("duplicate", 0) == expected
