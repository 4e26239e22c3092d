"""What real exports need (issue 10, items 5 and 6): the person's column, marketplace statuses,
a warning when nearly everyone bought once, and no customer disappearing without a word."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pandas as pd

from metriqr import cli
from metriqr.cleaning import clean_transactions
from metriqr.columns import customer_column_note, detect_columns, resolve_mapping

# An Olist-like marketplace export: customer_id is minted per order, customer_unique_id is the person.
OLIST = pd.DataFrame({
    "order_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
    "customer_id": ["k1", "k2", "k3", "k4", "k5", "k6"],
    "customer_unique_id": ["p1", "p1", "p2", "p3", "p3", "p4"],
    "customer_zip_code_prefix": ["01001", "01001", "02002", "03003", "03003", "01001"],
    "customer_city": ["sao paulo", "sao paulo", "campinas", "santos", "santos", "sao paulo"],
    "order_status": ["delivered", "shipped", "invoiced", "approved", "processing", "delivered"],
    "order_purchase_timestamp": ["2017-10-02 10:56:33", "2018-07-24 20:41:37", "2018-08-08 08:38:49",
                                 "2017-11-18 19:28:06", "2018-02-13 21:18:39", "2017-07-09 21:57:05"],
    "payment_value": ["38.71", "141.46", "179.12", "72.20", "28.62", "175.26"],
}, dtype=object)


def _run(*args: object) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli.main([str(a) for a in args])
    return status, out.getvalue()


def test_marketplace_export_is_segmented_by_the_person():
    mapping = detect_columns(OLIST)
    assert mapping["customer"] == "customer_unique_id"
    assert (mapping["order"], mapping["amount"], mapping["status"]) == ("order_id", "payment_value", "order_status")
    assert customer_column_note(OLIST, mapping) == ("customer_id", "person")
    cleaned = clean_transactions(OLIST, mapping)
    assert cleaned.transactions["customer"].nunique() == 4  # four people, not six one-time "customers"


def test_values_decide_when_the_headers_do_not():
    """Two id columns, neither named as the person: the one giving repeat customers wins over the one
    that gives every customer exactly one order; a city is never the customer."""
    frame = OLIST.rename(columns={"customer_unique_id": "customer_number"})
    mapping = detect_columns(frame)
    assert mapping["customer"] == "customer_number"
    assert customer_column_note(frame, mapping) == ("customer_id", "repeats")
    only_city = OLIST.drop(columns="customer_unique_id")
    assert detect_columns(only_city)["customer"] == "customer_id"
    assert customer_column_note(only_city, detect_columns(only_city)) is None


def test_user_choice_of_the_customer_column_gets_no_note():
    mapping = resolve_mapping(OLIST, {"customer": "customer_id"})
    assert mapping["customer"] == "customer_id" and customer_column_note(OLIST, mapping) is None


def test_marketplace_statuses_in_english():
    statuses = ["canceled", "cancelled", "unavailable", "delivered", "shipped", "invoiced", "approved", "processing"]
    frame = pd.DataFrame({"Cliente": [f"c{i}" for i in range(8)], "Data": ["05/01/2024"] * 8,
                          "Valor": ["10,00"] * 8, "Status": statuses}, dtype=object)
    cleaned = clean_transactions(frame, {"customer": "Cliente", "date": "Data", "amount": "Valor", "status": "Status"})
    assert cleaned.report.excluded == {"cancelled": 3}
    assert sorted(cleaned.transactions["customer"].astype(str)) == ["c3", "c4", "c5", "c6", "c7"]


def test_warning_when_nearly_every_customer_bought_once(tmp_path):
    path = tmp_path / "orders.csv"
    OLIST.drop(columns="customer_unique_id").to_csv(path, index=False)
    status, out = _run("segment", path, "--lang", "en")
    assert status == 0 and "Warning: 100.0% of customers bought only once" in out
    record = json.loads(_run("segment", path, "--json")[1])
    assert record["warnings"] == ["one_occasion"] and record["one_occasion_share"] == 1.0
    person = tmp_path / "people.csv"
    OLIST.to_csv(person, index=False)
    status, out = _run("segment", person, "--lang", "en")
    assert "bought only once" not in out
    assert "Customers are identified by the column “customer_unique_id”, not “customer_id”" in out


def test_customers_seen_only_in_excluded_lines_are_counted_with_the_reason(tmp_path):
    frame = pd.DataFrame({
        "Cliente": ["ana", "bia", "bia", "caio", "caio", "duda", "", "eva"],
        "Data": ["05/01/2024", "06/01/2024", "07/01/2024", "07/01/2024", "08/01/2024", "31/02/2024",
                 "08/01/2024", "09/01/2024"],
        "Valor": ["10,00", "0,00", "0,00", "0,00", "5,00", "3,00", "4,00", "abc"],
    }, dtype=object)
    cleaned = clean_transactions(frame, {"customer": "Cliente", "date": "Data", "amount": "Valor"})
    report = cleaned.report
    assert sorted(cleaned.transactions["customer"].unique()) == ["ana", "caio"]
    # bia: free items only; duda: unreadable date; eva: unreadable amount; the line without a customer is no one
    assert report.lost_customers == {"bad_date": 1, "bad_amount": 1, "zero_amount": 1}
    assert report.lost_examples == ("bia", "duda", "eva")
    path = tmp_path / "vendas.csv"
    frame.to_csv(path, index=False, sep=";")
    status, out = _run("segment", path)
    assert status == 0
    assert "Clientes que só aparecem em linhas excluídas (fora da contagem de clientes): 3" in out
    assert "valor zero (brinde ou ajuste): 1" in out
    assert json.loads(_run("segment", path, "--json")[1])["customers_only_in_excluded_lines"] == \
        {"bad_date": 1, "bad_amount": 1, "zero_amount": 1}
