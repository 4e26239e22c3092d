"""Numbers and dates as people type them in spreadsheets (metriqr.parsing)."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metriqr.parsing import parse_dates, parse_numbers
from metriqr.texts import fmt_money


def numbers(*values) -> list[float]:
    return parse_numbers(pd.Series(list(values), dtype=object)).tolist()


def dates(*values, dayfirst: bool = True) -> tuple[list, str]:
    parsed, used = parse_dates(pd.Series(list(values), dtype=object), dayfirst=dayfirst)
    return [None if pd.isna(v) else pd.Timestamp(v) for v in parsed], used


# --- numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("R$ 1.103,48", 1103.48),
    ("R$1.103,48", 1103.48),
    ("1.103,48", 1103.48),
    ("1.234.567", 1234567.0),
    ("(12,50)", -12.5),
    ("12,50-", -12.5),
    ("-2,5", -2.5),
    ("12,5", 12.5),
    ("R$ 0,99", 0.99),
    ("R$\u00a01.103,48", 1103.48),  # non-breaking space, as Excel writes it
    ("  7  ", 7.0),
    ("1,103.48", 1103.48),
    ("3.99", 3.99),
    ("1,234", 1234.0),  # comma with exactly three digits and nothing else: English thousands
    ("+5", 5.0),
])
def test_number_text_conventions(text, expected):
    assert numbers(text) == [pytest.approx(expected)]


@pytest.mark.parametrize("text", ["abc", "R$", "1,2,3,4x", "--", "12/01/2024"])
def test_unreadable_number_is_nan(text):
    assert math.isnan(numbers(text)[0])


def test_brazilian_column_with_blanks_and_garbage():
    got = numbers("R$ 1.103,48", "12,50", "abc", None, "(3,00)")
    assert got[0] == pytest.approx(1103.48)
    assert got[1] == pytest.approx(12.5)
    assert math.isnan(got[2]) and math.isnan(got[3])
    assert got[4] == pytest.approx(-3.0)


def test_english_column():
    assert numbers("1,103.48", "2.50", "1,000,000.00") == [pytest.approx(1103.48), 2.5, 1_000_000.0]


def test_native_numbers_pass_through():
    out = parse_numbers(pd.Series([1, 2, 3]))
    assert out.dtype == "float64" and out.tolist() == [1.0, 2.0, 3.0]
    assert parse_numbers(pd.Series([1.5, np.nan])).iloc[0] == 1.5


def test_pandas_string_dtype_column():
    out = parse_numbers(pd.Series(["1.5", None, "2"], dtype="string"))
    assert out.iloc[0] == 1.5 and math.isnan(out.iloc[1]) and out.iloc[2] == 2.0


def test_index_is_kept():
    series = pd.Series(["1,5", "2,5"], index=[10, 20], dtype=object)
    assert parse_numbers(series).index.tolist() == [10, 20]


cents = st.integers(min_value=-10**10, max_value=10**10)


@settings(max_examples=150, deadline=None)
@given(st.lists(cents, min_size=1, max_size=8), st.sampled_from(["pt", "en"]))
def test_money_as_written_reads_back(values, lang):
    """Whatever the app writes as money (`R$ 1.103,48` / `R$ 1,103.48`) reads back to the same value."""
    amounts = [c / 100 for c in values]
    column = pd.Series([fmt_money(a, lang) for a in amounts], dtype=object)
    assert parse_numbers(column).tolist() == pytest.approx(amounts, abs=1e-6)


# --- dates -----------------------------------------------------------------------------

def test_slash_dates_are_day_first():
    got, used = dates("05/01/2015", "21/07/2015")
    assert got == [pd.Timestamp(2015, 1, 5), pd.Timestamp(2015, 7, 21)]
    assert used == "dd/mm/aaaa"


def test_only_ambiguous_values_stay_day_first():
    got, _ = dates("05/01/2015", "01/02/2015", "12/11/2015")
    assert got == [pd.Timestamp(2015, 1, 5), pd.Timestamp(2015, 2, 1), pd.Timestamp(2015, 11, 12)]


def test_dash_dates_day_first():
    got, used = dates("21-07-2015", "05-01-2015")
    assert got == [pd.Timestamp(2015, 7, 21), pd.Timestamp(2015, 1, 5)]
    assert used == "dd-mm-aaaa"


@pytest.mark.parametrize("text, expected", [
    ("05.01.2015", pd.Timestamp(2015, 1, 5)),
    ("05/01/15", pd.Timestamp(2015, 1, 5)),
    ("05/01/2015 14:30", pd.Timestamp(2015, 1, 5, 14, 30)),
    ("05/01/2015 14:30:15", pd.Timestamp(2015, 1, 5, 14, 30, 15)),
])
def test_other_day_first_layouts(text, expected):
    assert dates(text)[0] == [expected]


def test_iso_with_time():
    got, used = dates("2015-01-05 10:30:00", "2011-12-09 12:50:00")
    assert got == [pd.Timestamp(2015, 1, 5, 10, 30), pd.Timestamp(2011, 12, 9, 12, 50)]
    assert used == "ISO"


def test_month_first_only_when_a_value_proves_it():
    got, used = dates("05/01/2015", "12/31/2020")
    assert got == [pd.Timestamp(2015, 5, 1), pd.Timestamp(2020, 12, 31)]
    assert used == "mm/dd/aaaa"


def test_a_day_above_twelve_confirms_day_first():
    got, used = dates("05/01/2015", "31/12/2020")
    assert got == [pd.Timestamp(2015, 1, 5), pd.Timestamp(2020, 12, 31)]
    assert used == "dd/mm/aaaa"


def test_caller_can_say_month_first():
    got, used = dates("05/01/2015", dayfirst=False)
    assert got == [pd.Timestamp(2015, 5, 1)] and used == "mm/dd/aaaa"


def test_unreadable_dates_are_nat():
    got, _ = dates("xx", "05/01/2015", None, "31/02/2024")
    assert got == [None, pd.Timestamp(2015, 1, 5), None, None]


def test_excel_serials():
    got, used = parse_dates(pd.Series([42005, 42005.5]))
    assert got.tolist() == [pd.Timestamp(2015, 1, 1), pd.Timestamp(2015, 1, 1, 12)]
    assert used == "excel"
    text_serial, _ = parse_dates(pd.Series(["42005"], dtype=object))
    assert text_serial.tolist() == [pd.Timestamp(2015, 1, 1)]


def test_native_datetimes_in_object_column():
    series = pd.Series([dt.datetime(2015, 1, 5, 10), pd.Timestamp("2015-02-01"), dt.date(2015, 3, 4), None],
                       dtype=object)
    got, used = parse_dates(series)
    assert got.tolist()[:3] == [pd.Timestamp(2015, 1, 5, 10), pd.Timestamp(2015, 2, 1), pd.Timestamp(2015, 3, 4)]
    assert pd.isna(got.iloc[3])
    assert used == "native"


def test_datetime_column_passes_through():
    series = pd.Series([pd.Timestamp("2015-01-05 10:00"), pd.Timestamp("2015-02-01")])
    got, used = parse_dates(series)
    assert got.tolist() == series.tolist() and used == "native"


def test_timezone_aware_column_becomes_naive_local_time():
    series = pd.Series(pd.to_datetime(["2015-01-05 10:00"]).tz_localize("America/Sao_Paulo"))
    got, _ = parse_dates(series)
    assert got.dt.tz is None and got.iloc[0] == pd.Timestamp(2015, 1, 5, 10)


def test_mixed_serials_and_text():
    got, _ = parse_dates(pd.Series([42005, "05/01/2015"], dtype=object))
    assert got.tolist() == [pd.Timestamp(2015, 1, 1), pd.Timestamp(2015, 1, 5)]


days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))


@settings(max_examples=150, deadline=None)
@given(st.lists(days, min_size=1, max_size=12), st.sampled_from(["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M"]))
def test_day_first_text_reads_back_exactly(values, layout):
    """A column written day-first (or ISO) is never read month-first, whatever days it holds."""
    column = pd.Series([d.strftime(layout) for d in values], dtype=object)
    got, _ = parse_dates(column)
    assert got.tolist() == [pd.Timestamp(d) for d in values]


# --- issue 9: far dates, date order, amount conventions ---------------------------------------

from metriqr.parsing import BAD, OK, OTHER_ORDER, OUT_OF_RANGE, read_dates, read_numbers  # noqa: E402


def test_far_dates_are_out_of_range_never_wrapped_to_another_century():
    """`31/12/2999` once became 1830-11-22 and `15/06/1600` 2185-01-02 (a wrapped nanosecond cast)."""
    got, _ = dates("31/12/2999", "15/06/1600", "05/01/2024", "2999-12-31 10:00")
    assert got == [None, None, pd.Timestamp(2024, 1, 5), None]
    reading = read_dates(pd.Series(["31/12/2999", "15/06/1600", "05/01/2024"], dtype=object))
    assert reading.status.tolist() == [OUT_OF_RANGE, OUT_OF_RANGE, OK]


def test_far_native_datetimes_are_out_of_range():
    """A workbook's or Parquet file's own dates outside 1900–2199 (microsecond resolution) are not wrapped."""
    column = pd.Series(np.array(["2999-12-31", "1600-06-15", "2024-01-05"], dtype="datetime64[us]"))
    reading = read_dates(column)
    assert reading.status.tolist() == [OUT_OF_RANGE, OUT_OF_RANGE, OK]
    assert reading.values.isna().tolist() == [True, True, False]
    objects = pd.Series([dt.datetime(2999, 12, 31), dt.datetime(2024, 1, 5)], dtype=object)
    assert read_dates(objects).status.tolist() == [OUT_OF_RANGE, OK]


def test_mixed_day_month_orders_are_not_flipped_silently():
    """Day-first proven by 31/12: a value only readable month-first is not read, and says why."""
    reading = read_dates(pd.Series(["31/12/2020", "25/01/2021", "12/31/2020", "03/04/2021"], dtype=object))
    assert (reading.order, reading.order_reason) == ("dmy", "mixed")
    assert reading.status.tolist() == [OK, OK, OTHER_ORDER, OK]
    assert reading.values.iloc[3] == pd.Timestamp(2021, 4, 3)
    assert reading.other_evidence == ("12/31/2020",) and reading.ambiguous == 1 and reading.warn
    got, _ = dates("31/12/2020", "25/01/2021", "12/31/2020")
    assert got[2] is None


def test_all_ambiguous_dates_say_so_and_the_user_can_switch():
    column = pd.Series(["01/02/2024", "03/04/2024", "05/05/2024"], dtype=object)
    auto = read_dates(column)
    assert (auto.order, auto.order_reason, auto.ambiguous, auto.warn) == ("dmy", "ambiguous", 2, True)
    assert auto.values.tolist()[0] == pd.Timestamp(2024, 2, 1)
    chosen = read_dates(column, order="mdy")
    assert (chosen.order, chosen.order_reason) == ("mdy", "user")
    assert chosen.values.tolist()[:2] == [pd.Timestamp(2024, 1, 2), pd.Timestamp(2024, 3, 4)]


def test_evidence_names_the_values_that_decided():
    reading = read_dates(pd.Series(["01/02/2024", "01/13/2024"], dtype=object))
    assert (reading.order, reading.order_reason, reading.evidence) == ("mdy", "evidence", ("01/13/2024",))
    assert not reading.warn


def test_a_user_order_that_the_values_contradict_excludes_them():
    reading = read_dates(pd.Series(["31/12/2020", "01/02/2021"], dtype=object), order="mdy")
    assert reading.status.tolist() == [OTHER_ORDER, OK]
    assert reading.values.iloc[1] == pd.Timestamp(2021, 1, 2)


@pytest.mark.parametrize("text, expected", [
    ("1/2/2023 8:01 PM", pd.Timestamp(2023, 2, 1, 20, 1)),
    ("1/2/2023 12:15 AM", pd.Timestamp(2023, 2, 1, 0, 15)),
    ("2023-01-05T10:00:00Z", pd.Timestamp(2023, 1, 5, 10)),
    ("2023-01-05T10:00:00.250-03:00", pd.Timestamp(2023, 1, 5, 10)),
    ("2023/01/05", pd.Timestamp(2023, 1, 5)),
    ("05/01/2023 14h30", pd.Timestamp(2023, 1, 5, 14, 30)),
])
def test_more_time_layouts(text, expected):
    assert dates(text)[0] == [expected]


@pytest.mark.parametrize("text", ["29/02/2023", "05/01/2023 25:00", "05/01/2023 13:00 PM", "00/01/2023"])
def test_impossible_dates_and_times_are_unreadable(text):
    assert read_dates(pd.Series([text], dtype=object)).status.tolist() == [BAD]


def test_timestamps_format_names_the_time():
    _, used = dates("05/01/2023 14:30", "06/01/2023 09:12")
    assert used == "dd/mm/aaaa hh:mm"


def test_comma_column_reads_every_value_by_its_convention():
    """Issue 9 item 7: `1,234.56` once became 1.23456 and `2.500` became 2.5 among `1.234,56`."""
    column = pd.Series(["1.234,56", "R$ 99,90", "1,234.56", "2.500", "2.5", "12,5"], dtype=object)
    reading = read_numbers(column)
    assert reading.decimal == ","
    got = reading.values.tolist()
    assert got[0] == pytest.approx(1234.56) and got[1] == pytest.approx(99.9)
    assert math.isnan(got[2]) and got[3] == 2500.0 and math.isnan(got[4]) and got[5] == 12.5
    assert reading.conflict.tolist() == [False, False, True, False, True, False]


def test_point_column_reads_every_value_by_its_convention():
    column = pd.Series(["1,234.56", "3.99", "0.5", "2,500", "1.234,56", "12,5"], dtype=object)
    reading = read_numbers(column)
    assert reading.decimal == "."
    got = reading.values.tolist()
    assert got[:4] == [pytest.approx(1234.56), 3.99, 0.5, 2500.0] and math.isnan(got[4]) and math.isnan(got[5])
    assert reading.conflict.tolist() == [False, False, False, False, True, True]


def test_non_finite_numbers_are_read_as_such():
    """`inf` and `1e308` are read (cleaning excludes them with a reason), never a crash."""
    got = numbers("inf", "-inf", "1e308", "1,5e3")
    assert got[0] == math.inf and got[1] == -math.inf and got[2] == 1e308
