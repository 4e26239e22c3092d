"""Raw rows → transactions, every row accounted for (metriqr.cleaning)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metriqr.cleaning import REASONS, clean_transactions, require_rows
from metriqr.errors import ColumnError
from metriqr.texts import CATALOGUE


def raw(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=object)


def accounted(report) -> bool:
    return report.rows_read == report.rows_used + sum(report.excluded.values())


BASIC = {"customer": "Cliente", "date": "Data", "amount": "Valor"}


# --- one literal table per reason --------------------------------------------------------

def test_clean_table_is_used_whole():
    frame = raw(Cliente=["Ana", "Bia"], Data=["05/01/2024", "21/02/2024"], Valor=["R$ 1.103,48", "12,50"])
    cleaned = clean_transactions(frame, BASIC)
    report = cleaned.report
    assert (report.rows_read, report.rows_used, report.excluded, report.returns) == (2, 2, {}, 0)
    tx = cleaned.transactions
    assert tx["customer"].tolist() == ["Ana", "Bia"]
    assert tx["date"].tolist() == [pd.Timestamp(2024, 1, 5), pd.Timestamp(2024, 2, 21)]
    assert tx["amount"].tolist() == pytest.approx([1103.48, 12.5])
    assert tx["is_return"].tolist() == [False, False]
    assert report.monetary_basis == "amount" and report.date_format == "dd/mm/aaaa"
    assert (report.first_date, report.last_date) == (pd.Timestamp(2024, 1, 5), pd.Timestamp(2024, 2, 21))


def test_no_customer_and_placeholders():
    frame = raw(Cliente=["Ana", None, "Consumidor final", "CONSUMIDOR", "  ", "Não identificado", "0", "Bia"],
                Data=["05/01/2024"] * 8, Valor=["10,00"] * 8)
    report = clean_transactions(frame, BASIC).report
    assert report.excluded == {"no_customer": 6}
    assert report.rows_used == 2 and accounted(report)
    assert "4: “Consumidor final”" in report.examples["no_customer"]


def test_totals_line_labelled_in_the_order_column():
    frame = raw(Pedido=["1", "2", "TOTAL GERAL"], Cliente=["Ana", "Bia", None],
                Data=["05/01/2024", "06/01/2024", None], Valor=["10,00", "20,00", "30,00"])
    report = clean_transactions(frame, {**BASIC, "order": "Pedido"}).report
    assert report.excluded == {"total_line": 1}
    assert report.examples["total_line"] == ("4: “TOTAL GERAL”",)


def test_totals_line_labelled_in_the_customer_column():
    """A "TOTAL GERAL" row is never a customer, and the report shows the label that gave it away."""
    frame = raw(Pedido=["1", "2", None], Cliente=["Ana", "Bia", "TOTAL GERAL"],
                Data=["05/01/2024", "06/01/2024", None], Valor=["10,00", "20,00", "30,00"])
    cleaned = clean_transactions(frame, {**BASIC, "order": "Pedido"})
    assert cleaned.report.excluded == {"total_line": 1}
    assert "TOTAL GERAL" not in cleaned.transactions["customer"].tolist()
    assert cleaned.report.examples["total_line"] == ("4: “TOTAL GERAL”",)


@pytest.mark.parametrize("label", ["Total", "TOTAL GERAL", "Subtotal", "sub-total loja 2", "Totais", "Grand total"])
def test_totals_labels(label):
    frame = raw(Cliente=["Ana", label], Data=["05/01/2024", "05/01/2024"], Valor=["10,00", "10,00"])
    assert clean_transactions(frame, BASIC).report.excluded == {"total_line": 1}


def test_a_customer_called_totalidade_is_not_a_totals_line():
    frame = raw(Cliente=["Totalidade Ltda"], Data=["05/01/2024"], Valor=["10,00"])
    assert clean_transactions(frame, BASIC).report.rows_used == 1


def test_unreadable_date_shows_its_value():
    frame = raw(Cliente=["Ana", "Bia", "Caio"], Data=["05/01/2024", "31/02/2024", "ontem"],
                Valor=["10,00", "10,00", "10,00"])
    report = clean_transactions(frame, BASIC).report
    assert report.excluded == {"bad_date": 2}
    assert report.examples["bad_date"] == ("3: “31/02/2024”", "4: “ontem”")


def test_unreadable_amount_shows_its_value():
    frame = raw(Cliente=["Ana", "Bia", "Caio"], Data=["05/01/2024"] * 3, Valor=["10,00", "dez reais", None])
    report = clean_transactions(frame, BASIC).report
    assert report.excluded == {"bad_amount": 2}
    assert report.examples["bad_amount"] == ("3: “dez reais”", "4: “”")


def test_examples_use_the_files_line_numbers():
    frame = raw(Cliente=["Ana", "Bia"], Data=["05/01/2024", "xx"], Valor=["1,00", "1,00"])
    report = clean_transactions(frame, BASIC, line_numbers=np.array([8, 9])).report
    assert report.examples["bad_date"] == ("9: “xx”",)


def test_cancelled_status():
    frame = raw(Cliente=["Ana", "Bia", "Caio", "Duda"], Data=["05/01/2024"] * 4, Valor=["10,00"] * 4,
                Situação=["Concluído", "Cancelado", "Pedido cancelado pelo cliente", "Estornado"])
    cleaned = clean_transactions(frame, {**BASIC, "status": "Situação"})
    assert cleaned.report.excluded == {"cancelled": 3}
    assert cleaned.transactions["customer"].tolist() == ["Ana"]
    assert cleaned.report.examples["cancelled"][0] == "3: “Cancelado”"


def test_duplicate_line_within_an_order():
    frame = raw(Pedido=["1", "1", "1", "2"], Cliente=["Ana"] * 4, Data=["05/01/2024"] * 4,
                Produto=["x", "x", "y", "x"], Valor=["10,00"] * 4)
    cleaned = clean_transactions(frame, {**BASIC, "order": "Pedido", "product": "Produto"})
    assert cleaned.report.excluded == {"duplicate": 1}
    assert cleaned.report.examples["duplicate"] == ("3: “1 | Ana | 05/01/2024 | x | 10,00”",)  # the whole line
    assert cleaned.transactions["order"].tolist() == ["1", "1", "2"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["1", "2", " 2", "3"]), st.sampled_from(["Ana", "Bia"]),
                          st.sampled_from(["x", "y", None]), st.sampled_from(["10,00", "10,0", "7"]),
                          st.sampled_from(["BR", "PT", None])), min_size=1, max_size=30))
def test_exactly_the_repeated_rows_are_duplicates(rows):
    """Every column counts, the unmapped ones too, and "10,00" is not "10,0": the same as pandas' duplicated()."""
    frame = raw(Pedido=[r[0] for r in rows], Cliente=[r[1] for r in rows], Data=["05/01/2024"] * len(rows),
                Produto=[r[2] for r in rows], Valor=[r[3] for r in rows], Pais=[r[4] for r in rows])
    cleaned = clean_transactions(frame, {**BASIC, "order": "Pedido", "product": "Produto"})
    assert cleaned.report.excluded.get("duplicate", 0) == int(frame.duplicated().sum())
    assert accounted(cleaned.report)


def test_identical_rows_without_an_order_column_are_two_purchases():
    frame = raw(Cliente=["Ana", "Ana"], Data=["05/01/2024"] * 2, Produto=["x", "x"], Valor=["10,00"] * 2)
    cleaned = clean_transactions(frame, {**BASIC, "product": "Produto"})
    assert cleaned.report.excluded == {} and cleaned.report.rows_used == 2


def test_zero_amount_is_not_a_purchase():
    frame = raw(Cliente=["Ana", "Bia"], Data=["05/01/2024"] * 2, Valor=["10,00", "0,00"])
    report = clean_transactions(frame, BASIC).report
    assert report.excluded == {"zero_amount": 1}
    assert report.examples["zero_amount"] == ("3: “0,00”",)


def test_first_reason_wins():
    # no customer AND an unreadable date AND an unreadable amount: counted once, as no customer
    frame = raw(Cliente=[None], Data=["xx"], Valor=["yy"])
    report = clean_transactions(frame, BASIC).report
    assert report.excluded == {"no_customer": 1}


def test_every_reason_on_one_table():
    frame = raw(
        Pedido=["1", "1", "1", "2", "3", "4", "5", "6", "7", None, "8", "9", "10"],
        Cliente=["A", "A", "A", "B", None, "Consumidor final", "C", "D", "E", "TOTAL GERAL", "F", "G", "A"],
        Data=["05/01/2024", "05/01/2024", "05/01/2024", "06/01/2024", "07/01/2024", "07/01/2024", "31/02/2024",
              "08/01/2024", "09/01/2024", None, "10/01/2024", "11/01/2024", "12/01/2024"],
        Produto=["x", "x", "y", "x", "x", "x", "x", "x", "x", None, "x", "x", "x"],
        Valor=["10,00", "10,00", "5,00", "20,00", "1,00", "2,00", "3,00", "abc", "7,00", "99,00", "0,00", "8,00",
               "-4,00"],
        Status=["ok"] * 8 + ["Cancelado", None, "ok", "ok", "ok"])
    mapping = {"order": "Pedido", "customer": "Cliente", "date": "Data", "product": "Produto", "amount": "Valor",
               "status": "Status"}
    cleaned = clean_transactions(frame, mapping)
    report = cleaned.report
    assert report.excluded == {"total_line": 1, "no_customer": 2, "bad_date": 1, "bad_amount": 1, "cancelled": 1,
                               "duplicate": 1, "zero_amount": 1}
    assert list(report.excluded) == [r for r in REASONS if r in report.excluded]  # report order = policy order
    assert (report.rows_read, report.rows_used, report.rows_excluded, report.returns) == (13, 5, 8, 1)
    assert report.as_dict() == {"read": 13, "used": 5, "returns": 1, "excluded": report.excluded}
    assert cleaned.transactions["customer"].tolist() == ["A", "A", "B", "G", "A"]


def test_blank_and_malformed_lines_from_the_reader_are_counted():
    frame = raw(Cliente=["Ana"], Data=["05/01/2024"], Valor=["1,00"])
    report = clean_transactions(frame, BASIC, blank_rows=2, malformed_rows=1,
                                malformed_examples=("7: “a;b;c;d;e”",)).report
    assert report.excluded == {"blank": 2, "malformed": 1}
    assert list(report.excluded) == ["blank", "malformed"]
    assert report.rows_read == 4 and accounted(report)
    assert report.examples["malformed"] == ("7: “a;b;c;d;e”",)


# --- amounts, returns and identifiers ------------------------------------------------------

def test_amount_is_quantity_times_unit_price_without_an_amount_column():
    frame = raw(Cliente=["Ana", "Bia"], Data=["05/01/2024"] * 2, Qtd=["3", "2"], Preco=["R$ 2,50", "1.000,00"])
    cleaned = clean_transactions(frame, {"customer": "Cliente", "date": "Data", "quantity": "Qtd",
                                         "unit_price": "Preco"})
    assert cleaned.transactions["amount"].tolist() == pytest.approx([7.5, 2000.0])
    assert cleaned.transactions["quantity"].tolist() == [3.0, 2.0]
    assert cleaned.report.monetary_basis == "quantity_x_price"


def test_unreadable_amount_cell_falls_back_to_quantity_times_price():
    frame = raw(Cliente=["Ana"], Data=["05/01/2024"], Valor=["-"], Qtd=["2"], Preco=["5,00"])
    cleaned = clean_transactions(frame, {**BASIC, "quantity": "Qtd", "unit_price": "Preco"})
    assert cleaned.transactions["amount"].tolist() == [10.0]
    assert cleaned.report.monetary_basis == "amount"


def test_without_any_money_column_each_line_counts_its_items():
    frame = raw(Cliente=["Ana", "Ana"], Data=["05/01/2024", "06/01/2024"], Item=["leite", "pão"])
    cleaned = clean_transactions(frame, {"customer": "Cliente", "date": "Data", "product": "Item"})
    assert cleaned.transactions["amount"].tolist() == [1.0, 1.0]
    assert cleaned.report.monetary_basis == "items"
    with_quantity = clean_transactions(frame.assign(Qtd=["2", "3"]),
                                       {"customer": "Cliente", "date": "Data", "quantity": "Qtd"})
    assert with_quantity.transactions["amount"].tolist() == [2.0, 3.0]
    assert with_quantity.report.monetary_basis == "items"


def test_returns_are_used_negative_and_flagged():
    frame = raw(Cliente=["Ana", "Ana", "Ana"], Data=["05/01/2024", "06/01/2024", "07/01/2024"],
                Qtd=["2", "-1", "-1"], Valor=["20,00", "10,00", "-10,00"])
    cleaned = clean_transactions(frame, {**BASIC, "quantity": "Qtd"})
    tx = cleaned.transactions
    # a negative quantity makes the line a return even when the amount is written positive
    assert tx["amount"].tolist() == [20.0, -10.0, -10.0]
    assert tx["is_return"].tolist() == [False, True, True]
    assert cleaned.report.returns == 2 and cleaned.report.rows_used == 3


def test_customer_ids_from_float_cells_lose_the_dot_zero():
    frame = pd.DataFrame({"CustomerID": [17850.0, np.nan, 12346.0], "Data": ["05/01/2024"] * 3,
                          "Valor": ["1,00"] * 3})
    cleaned = clean_transactions(frame, {"customer": "CustomerID", "date": "Data", "amount": "Valor"})
    assert cleaned.transactions["customer"].tolist() == ["17850", "12346"]
    assert cleaned.report.excluded == {"no_customer": 1}


def test_customer_ids_typed_as_text_with_dot_zero():
    frame = raw(Cliente=["17850.0", " 17850 ", "A-17850.0"], Data=["05/01/2024"] * 3, Valor=["1,00"] * 3)
    assert clean_transactions(frame, BASIC).transactions["customer"].tolist() == ["17850", "17850", "A-17850.0"]


def test_optional_columns_are_carried_to_transactions():
    frame = raw(Pedido=["1"], Cliente=["C1"], Nome=["Ana"], Data=["05/01/2024"], SKU=["p1"], Valor=["1,00"])
    tx = clean_transactions(frame, {**BASIC, "order": "Pedido", "customer_name": "Nome", "product": "SKU"}).transactions
    assert tx[["order", "customer_name", "product", "product_name"]].iloc[0].tolist() == ["1", "Ana", "p1", "p1"]


def test_require_rows_names_the_reasons():
    frame = raw(Cliente=[None, None, "Ana"], Data=["05/01/2024", "05/01/2024", "xx"], Valor=["1,00"] * 3)
    cleaned = clean_transactions(frame, BASIC)
    with pytest.raises(ColumnError) as info:
        require_rows(cleaned)
    assert info.value.key == "no_usable_rows"
    assert "sem cliente identificado: 2; data ilegível: 1" in info.value.message("pt")
    assert "no identified customer: 2; unreadable date: 1" in info.value.message("en")
    ok = clean_transactions(raw(Cliente=["Ana"], Data=["05/01/2024"], Valor=["1,00"]), BASIC)
    assert require_rows(ok) is ok


def test_every_reason_has_a_label_in_both_languages():
    for reason in REASONS:
        entry = CATALOGUE[f"reason.{reason}"]
        assert entry["pt"] and entry["en"]


# --- property: every row is accounted for ----------------------------------------------------

CUSTOMERS = st.sampled_from(["Ana", "Bia", "17850", "17850.0", None, "", "  ", "Consumidor final", "TOTAL GERAL",
                             "Total", "anônimo", "0", "=HYPERLINK(1)"])
DATES = st.sampled_from(["05/01/2024", "21/02/2024", "2024-03-01 10:00:00", "31/02/2024", "xx", None, "",
                         "Total", "45000", "12/31/2023"])
MONEY = st.sampled_from(["R$ 1.103,48", "12,50", "-5,00", "(3,00)", "0", "0,00", "abc", None, "", "7",
                         "1.234.567"])
QUANTITIES = st.sampled_from(["1", "2", "-1", "0", "x", None])
ORDERS = st.sampled_from(["1", "2", "3", None, "TOTAL"])
STATUSES = st.sampled_from(["ok", "Cancelado", "estornado", None, "pago"])
OPTIONAL = ("amount", "quantity", "unit_price", "order", "status")


@st.composite
def messy_tables(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    roles = draw(st.sets(st.sampled_from(OPTIONAL)))
    cells = {"customer": CUSTOMERS, "date": DATES, "amount": MONEY, "quantity": QUANTITIES,
             "unit_price": MONEY, "order": ORDERS, "status": STATUSES}
    columns = {role: draw(st.lists(cells[role], min_size=n, max_size=n)) for role in ("customer", "date", *sorted(roles))}
    frame = pd.DataFrame({f"col_{role}": values for role, values in columns.items()}, dtype=object)
    mapping = {role: f"col_{role}" for role in columns}
    blank = draw(st.integers(min_value=0, max_value=3))
    malformed = draw(st.integers(min_value=0, max_value=2))
    return frame, mapping, blank, malformed


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_tables())
def test_rows_read_equals_used_plus_excluded(table):
    frame, mapping, blank, malformed = table
    cleaned = clean_transactions(frame, mapping, blank_rows=blank, malformed_rows=malformed)
    report = cleaned.report
    assert report.rows_read == len(frame) + blank + malformed
    assert report.rows_read == report.rows_used + sum(report.excluded.values())
    assert len(cleaned.transactions) == report.rows_used
    assert set(report.excluded) <= set(REASONS) and all(count > 0 for count in report.excluded.values())
    assert set(report.examples) <= set(report.excluded)
    tx = cleaned.transactions
    assert tx["customer"].notna().all() and tx["date"].notna().all()
    assert np.isfinite(tx["amount"]).all() and (tx["amount"] != 0).all()
    assert ((tx["amount"] < 0) == tx["is_return"]).all()
    assert report.returns == int(tx["is_return"].sum())


# --- real data ---------------------------------------------------------------------------------

@pytest.mark.realdata
def test_online_retail_every_row_accounted_for(online_retail_cleaned):
    mapping, cleaned = online_retail_cleaned
    assert mapping == {"customer": "CustomerID", "date": "InvoiceDate", "quantity": "Quantity",
                       "unit_price": "UnitPrice", "order": "InvoiceNo", "product": "StockCode",
                       "product_name": "Description"}
    report = cleaned.report
    assert report.rows_read == 541_909
    assert report.rows_read == report.rows_used + sum(report.excluded.values())
    # Hand-checked with plain pandas on the raw file: 406,829 rows have a CustomerID; among them
    # 5,225 repeat an earlier row exactly (same invoice), and 40 have UnitPrice 0; 88 return lines
    # belong to 33 customers who never bought (they would reach no customer list).
    assert report.excluded == {"no_customer": 135_080, "duplicate": 5_225, "zero_amount": 40, "return_only": 88}
    assert report.rows_used == 401_476
    # every one of the 8,784 remaining negative-quantity lines is on a "C" invoice: the returns
    assert report.returns == 8_784
    assert report.monetary_basis == "quantity_x_price" and report.date_format == "ISO"
    assert report.first_date == pd.Timestamp("2010-12-01 08:26")
    assert report.last_date == pd.Timestamp("2011-12-09 12:50")
    returns = cleaned.transactions[cleaned.transactions["is_return"]]
    assert returns["order"].str.startswith("C").all()


@pytest.mark.realdata
def test_online_retail_returns_only_customers_have_their_own_line(online_retail_cleaned, online_retail_raw):
    """Issue 9 item 12: the value used equals the value in the customer lists (no −10,411.24 lost)."""
    from metriqr.segmentation import segment_customers

    _, cleaned = online_retail_cleaned
    tx = cleaned.transactions
    segmentation = segment_customers(tx)
    assert segmentation.customers["monetary"].sum() == pytest.approx(tx["amount"].sum(), abs=0.01)
    lines = np.array([int(e.split(":")[0]) for e in cleaned.report.examples["return_only"]])
    shown = online_retail_raw.loc[lines - 2]
    assert (shown["Quantity"].astype(float) < 0).all()
    assert not set(shown["CustomerID"]) & set(segmentation.customers.index)


@pytest.mark.realdata
def test_groceries_cleaned(groceries_raw):
    from metriqr.columns import resolve_mapping

    mapping = resolve_mapping(groceries_raw)
    assert mapping == {"customer": "Member_number", "date": "Date", "product": "itemDescription"}
    cleaned = clean_transactions(groceries_raw, mapping)
    report = cleaned.report
    # No order column: the 759 identical rows are two purchases of the same item, not export duplicates.
    assert (report.rows_read, report.rows_used, report.excluded) == (38_765, 38_765, {})
    assert report.monetary_basis == "items" and report.date_format == "dd-mm-aaaa"
    assert (report.first_date, report.last_date) == (pd.Timestamp(2014, 1, 1), pd.Timestamp(2015, 12, 30))
    # row 1 is "05-01-2015": 5 January, not 1 May
    assert groceries_raw["Date"].iloc[1] == "05-01-2015"
    assert cleaned.transactions["date"].iloc[1] == pd.Timestamp(2015, 1, 5)


def test_totals_label_in_a_product_column_is_found_on_rows_without_a_date():
    frame = pd.DataFrame({"Cliente": ["Ana", "Bia", None], "Data": ["05/01/2024", "06/01/2024", None],
                          "Produto": ["Café", "Pão", "Subtotal da página"], "Valor": ["10,00", "20,00", "30,00"]},
                         dtype=object)
    cleaned = clean_transactions(frame, {"customer": "Cliente", "date": "Data", "product": "Produto",
                                         "amount": "Valor"})
    assert cleaned.report.excluded == {"total_line": 1}
    assert cleaned.report.examples["total_line"] == ("4: “Subtotal da página”",)


# --- issue 9: what was read wrongly, silently ------------------------------------------------

def test_control_characters_in_an_id_exclude_the_line_with_a_reason():
    """A NUL before `C00018` once made a phantom customer; the example shows the character."""
    frame = raw(Cliente=["C00018", "\x00C00018", "Ana\x1b", "Bia"], Data=["05/01/2024"] * 4,
                Valor=["10,00"] * 4, Produto=["x", "x", "x", "caf\x00é"])
    cleaned = clean_transactions(frame, {**BASIC, "product": "Produto"})
    assert cleaned.report.excluded == {"control_chars": 3}
    assert cleaned.transactions["customer"].tolist() == ["C00018"]
    assert cleaned.report.examples["control_chars"][0] == "3: “\\x00C00018”"
    assert all("\x00" not in e and "\x1b" not in e for e in cleaned.report.examples["control_chars"])


def test_far_dates_are_excluded_with_their_own_reason():
    frame = raw(Cliente=["Ana", "Bia", "Caio"], Data=["31/12/2999", "15/06/1600", "05/01/2024"],
                Valor=["10,00"] * 3)
    cleaned = clean_transactions(frame, BASIC)
    assert cleaned.report.excluded == {"date_out_of_range": 2}
    assert cleaned.report.examples["date_out_of_range"] == ("2: “31/12/2999”", "3: “15/06/1600”")
    assert cleaned.report.last_date == pd.Timestamp(2024, 1, 5)


def test_dates_in_the_other_order_are_excluded_and_the_report_says_which_order():
    frame = raw(Cliente=["Ana", "Bia", "Caio", "Duda"], Data=["31/12/2023", "25/01/2024", "12/31/2023", "03/04/2024"],
                Valor=["10,00"] * 4)
    report = clean_transactions(frame, BASIC).report
    assert report.excluded == {"date_order": 1}
    assert report.examples["date_order"] == ("4: “12/31/2023”",)
    assert (report.date_order, report.date_order_reason, report.date_order_warning) == ("dmy", "mixed", True)
    assert report.dates_dict()["other_order_examples"] == ["12/31/2023"]


def test_the_user_chooses_the_date_order():
    frame = raw(Cliente=["Ana", "Bia"], Data=["01/02/2024", "03/04/2024"], Valor=["10,00"] * 2)
    auto = clean_transactions(frame, BASIC)
    assert (auto.report.date_order, auto.report.date_order_reason) == ("dmy", "ambiguous")
    assert auto.report.date_order_warning and auto.report.date_ambiguous == 2
    chosen = clean_transactions(frame, BASIC, date_order="mdy")
    assert chosen.transactions["date"].tolist() == [pd.Timestamp(2024, 1, 2), pd.Timestamp(2024, 3, 4)]
    assert (chosen.report.date_order, chosen.report.date_order_reason) == ("mdy", "user")


def test_amounts_in_the_other_convention_are_excluded_with_examples():
    frame = raw(Cliente=["Ana", "Bia", "Caio", "Duda", "Eva"], Data=["05/01/2024"] * 5,
                Valor=["1.234,56", "R$ 10,00", "1,234.56", "2.500", "abc"])
    cleaned = clean_transactions(frame, BASIC)
    assert cleaned.report.excluded == {"bad_amount": 1, "amount_format": 1}
    assert cleaned.report.examples["amount_format"] == ("4: “1,234.56”",)
    assert cleaned.transactions["amount"].tolist() == pytest.approx([1234.56, 10.0, 2500.0])
    assert cleaned.report.decimal_mark == ","


@pytest.mark.parametrize("values", [["inf", "1e308", "10,00"], [np.inf, 1e308, 10.0], ["-inf", "nan", "10"]])
def test_non_finite_or_absurd_amounts_are_excluded(values):
    frame = pd.DataFrame({"Cliente": ["Ana", "Bia", "Caio"], "Data": ["05/01/2024"] * 3, "Valor": values})
    cleaned = clean_transactions(frame, BASIC)
    assert cleaned.report.rows_used == 1 and sum(cleaned.report.excluded.values()) == 2
    assert np.isfinite(cleaned.transactions["amount"]).all()


def test_quantity_times_price_overflow_is_excluded():
    frame = raw(Cliente=["Ana", "Bia"], Data=["05/01/2024"] * 2, Qtd=["1e200", "2"], Preco=["1e200", "5"])
    cleaned = clean_transactions(frame, {"customer": "Cliente", "date": "Data", "quantity": "Qtd",
                                         "unit_price": "Preco"})
    assert cleaned.report.excluded == {"amount_out_of_range": 1}
    assert cleaned.transactions["amount"].tolist() == [10.0]


def test_returns_of_a_customer_who_never_bought_have_their_own_line():
    """Issue 9 item 12: those returns reach no customer list, so the value used is the value shown."""
    frame = raw(Cliente=["Ana", "Ana", "Bia", "Bia", "Caio"], Data=["05/01/2024"] * 5,
                Valor=["10,00", "-3,00", "-4,00", "-1,00", "abc"])
    cleaned = clean_transactions(frame, BASIC)
    assert cleaned.report.excluded == {"bad_amount": 1, "return_only": 2}
    assert cleaned.report.examples["return_only"] == ("4: “Bia”", "5: “Bia”")
    assert cleaned.transactions["amount"].sum() == pytest.approx(7.0)
    assert cleaned.report.returns == 1


@pytest.mark.parametrize("name", ["Total Express Ltda", "Soma Engenharia", "Totalmix Comércio", "Subtotalidade"])
def test_customers_whose_name_starts_like_a_total_are_customers(name):
    frame = raw(Cliente=[name], Data=["05/01/2024"], Valor=["10,00"])
    assert clean_transactions(frame, BASIC).report.rows_used == 1


@pytest.mark.parametrize("label", ["TOTAL:", "Total geral: 1.234,56", "Soma", "SOMA TOTAL", "Total do dia"])
def test_more_totals_labels(label):
    frame = raw(Cliente=["Ana", label], Data=["05/01/2024", "05/01/2024"], Valor=["10,00", "10,00"])
    assert clean_transactions(frame, BASIC).report.excluded == {"total_line": 1}
