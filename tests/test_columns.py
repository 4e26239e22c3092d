"""Which column plays which role (metriqr.columns): real header sets, overrides, errors."""
from __future__ import annotations

import pandas as pd
import pytest

from metriqr.columns import (ROLES, SYNONYMS, detect_columns, normalise_header, parse_column_options,
                             resolve_mapping)
from metriqr.errors import ColumnError

ONLINE_RETAIL = pd.DataFrame({
    "InvoiceNo": ["536365", "536365", "C536379"],
    "StockCode": ["85123A", "71053", "D"],
    "Description": ["WHITE HANGING HEART T-LIGHT HOLDER", "WHITE METAL LANTERN", "Discount"],
    "Quantity": ["6", "6", "-1"],
    "InvoiceDate": ["2010-12-01 08:26:00", "2010-12-01 08:26:00", "2010-12-01 09:41:00"],
    "UnitPrice": ["2.55", "3.39", "27.5"],
    "CustomerID": ["17850", "17850", "14527"],
    "Country": ["United Kingdom", "United Kingdom", "United Kingdom"],
}, dtype=object)

GROCERIES = pd.DataFrame({
    "Member_number": ["1808", "2552", "2300"],
    "Date": ["21-07-2015", "05-01-2015", "19-09-2015"],
    "itemDescription": ["tropical fruit", "whole milk", "pip fruit"],
}, dtype=object)

ERP = pd.DataFrame({
    "Nº do Pedido": ["1001", "1001", "1002"],
    "Código do Cliente": ["C01", "C01", "C02"],
    "Cliente": ["Ana Souza", "Ana Souza", "Bruno Lima"],
    "Data da Compra": ["05/01/2024", "05/01/2024", "21/02/2024"],
    "Produto": ["Camiseta", "Saia", "Ração 10kg"],
    "Qtd": ["2", "1", "1"],
    "Preço Unitário": ["R$ 49,90", "R$ 89,00", "R$ 1.103,48"],
    "Valor Total": ["R$ 99,80", "R$ 89,00", "R$ 1.103,48"],
    "Situação": ["Concluído", "Concluído", "Cancelado"],
}, dtype=object)


def test_online_retail_headers():
    assert detect_columns(ONLINE_RETAIL) == {
        "customer": "CustomerID", "date": "InvoiceDate", "quantity": "Quantity", "unit_price": "UnitPrice",
        "order": "InvoiceNo", "product": "StockCode", "product_name": "Description",
    }


def test_groceries_headers():
    assert detect_columns(GROCERIES) == {"customer": "Member_number", "date": "Date", "product": "itemDescription"}


def test_brazilian_erp_headers_with_accents():
    assert detect_columns(ERP) == {
        "customer": "Código do Cliente", "date": "Data da Compra", "amount": "Valor Total", "quantity": "Qtd",
        "unit_price": "Preço Unitário", "order": "Nº do Pedido", "product": "Produto",
        "customer_name": "Cliente", "status": "Situação",
    }


def test_valor_unitario_is_a_unit_price_not_the_amount():
    frame = pd.DataFrame({"Cliente": ["Ana", "Bia"], "Data": ["05/01/2024", "06/01/2024"],
                          "Valor Unitário": ["10,00", "5,00"], "Quantidade": ["1", "2"]}, dtype=object)
    mapping = detect_columns(frame)
    assert mapping["unit_price"] == "Valor Unitário"
    assert "amount" not in mapping
    with_total = frame.assign(**{"Valor Total": ["10,00", "10,00"]})
    mapping = detect_columns(with_total)
    assert mapping["unit_price"] == "Valor Unitário" and mapping["amount"] == "Valor Total"


def test_other_brazilian_and_english_exports():
    pt = pd.DataFrame({"CPF": ["123"], "Emissão": ["05/01/2024"], "Valor": ["10,00"], "Nota": ["1"],
                       "Descrição": ["a"], "Código": ["p1"]}, dtype=object)
    assert detect_columns(pt) == {"customer": "CPF", "date": "Emissão", "amount": "Valor", "order": "Nota",
                                  "product": "Código", "product_name": "Descrição"}
    en = pd.DataFrame({"email": ["a@x.com"], "order_date": ["2024-01-05"], "revenue": ["1.00"], "order_id": ["1"],
                       "sku": ["A"], "product": ["Tee"], "qty": ["1"], "price": ["1.00"], "status": ["paid"]},
                      dtype=object)
    assert detect_columns(en) == {"customer": "email", "date": "order_date", "amount": "revenue",
                                  "quantity": "qty", "unit_price": "price", "order": "order_id", "product": "sku",
                                  "product_name": "product", "status": "status",
                                  "email": "email"}  # the e-mail is the id and the contact: both roles


def test_header_is_rejected_when_values_cannot_play_the_role():
    frame = pd.DataFrame({"Cliente": ["Ana", "Bia"], "Data": ["abc", "def"], "Emissão": ["05/01/2024", "06/01/2024"],
                          "Valor": ["x", "y"], "Total": ["10,00", "5,00"]}, dtype=object)
    assert detect_columns(frame) == {"customer": "Cliente", "date": "Emissão", "amount": "Total"}


def test_date_found_from_values_when_no_header_says_so():
    frame = pd.DataFrame({"cliente": ["1", "2"], "quando": ["05/01/2024", "06/01/2024"]}, dtype=object)
    assert detect_columns(frame)["date"] == "quando"


def test_a_name_column_alone_identifies_the_customer():
    frame = pd.DataFrame({"Nome": ["Ana"], "Data": ["05/01/2024"], "Valor": ["1,00"]}, dtype=object)
    assert detect_columns(frame) == {"customer": "Nome", "date": "Data", "amount": "Valor"}


def test_each_header_plays_one_role():
    for frame in (ONLINE_RETAIL, GROCERIES, ERP):
        mapping = detect_columns(frame)
        assert len(set(mapping.values())) == len(mapping)
        assert set(mapping) <= set(ROLES)


@pytest.mark.parametrize("header, expected", [
    ("Código do Cliente", "codigo do cliente"),
    ("CustomerID", "customer id"),
    ("Nº do Pedido", "no do pedido"),
    ("  Preço   Unitário ", "preco unitario"),
    ("itemDescription", "item description"),
    ("Member_number", "member number"),
])
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


def test_synonyms_are_written_normalised():
    for role, synonyms in SYNONYMS.items():
        assert role in ROLES
        for synonym in synonyms:
            assert normalise_header(synonym) == synonym, (role, synonym)


# --- the user's corrections -------------------------------------------------------------

def test_resolve_mapping_applies_an_override_and_frees_the_header():
    mapping = resolve_mapping(ERP, {"customer": "Cliente"})
    assert mapping["customer"] == "Cliente"
    assert "customer_name" not in mapping  # "Cliente" cannot also be the name column


def test_resolve_mapping_empty_override_removes_a_role():
    mapping = resolve_mapping(ERP, {"status": ""})
    assert "status" not in mapping and mapping["customer"] == "Código do Cliente"


def test_resolve_mapping_with_meaningless_headers():
    frame = pd.DataFrame({"A": ["a"], "B": ["05/01/2024"], "C": ["1,00"]}, dtype=object)
    assert resolve_mapping(frame, {"customer": "A", "date": "B", "amount": "C"}) == \
        {"customer": "A", "date": "B", "amount": "C"}


def test_resolve_mapping_unknown_column():
    with pytest.raises(ColumnError) as info:
        resolve_mapping(ERP, {"amount": "Valor"})
    assert info.value.key == "unknown_column"
    assert info.value.params["header"] == "Valor" and "Valor Total" in info.value.params["headers"]
    assert "Valor" in info.value.message("pt") and "Valor Total" in info.value.message("en")


def test_resolve_mapping_unknown_role():
    with pytest.raises(ColumnError) as info:
        resolve_mapping(ERP, {"colour": "Cliente"})
    assert info.value.key == "unknown_role" and info.value.params["role"] == "colour"


def test_missing_columns_names_what_was_found():
    frame = pd.DataFrame({"foo": ["1"], "bar": ["x"]}, dtype=object)
    with pytest.raises(ColumnError) as info:
        resolve_mapping(frame)
    error = info.value
    assert error.key == "missing_columns"
    assert error.params == {"roles": "customer, date", "headers": "foo, bar"}
    for lang in ("pt", "en"):
        message = error.message(lang)
        assert "foo, bar" in message and "customer, date" in message
    assert "Colunas encontradas: foo, bar" in error.message("pt")


def test_removing_a_required_role_is_an_error():
    with pytest.raises(ColumnError) as info:
        resolve_mapping(GROCERIES, {"date": ""})
    assert info.value.key == "missing_columns" and info.value.params["roles"] == "date"


def test_parse_column_options():
    assert parse_column_options(["customer=Cód. Cliente", " date = Data da Compra ", "amount=Valor=Total"]) == {
        "customer": "Cód. Cliente", "date": "Data da Compra", "amount": "Valor=Total"}


@pytest.mark.parametrize("option, key", [
    ("customer", "bad_column_option"),
    ("=Cliente", "bad_column_option"),
    ("  =Cliente", "bad_column_option"),
    ("cliente=Cliente", "unknown_role"),
])
def test_parse_column_options_errors(option, key):
    with pytest.raises(ColumnError) as info:
        parse_column_options([option])
    assert info.value.key == key
    assert info.value.message("en") and not info.value.message("en").startswith("error.")


def test_command_line_options_feed_resolve_mapping():
    overrides = parse_column_options(["customer=Cliente", "status="])
    assert overrides == {"customer": "Cliente", "status": ""}  # `ROLE=` with nothing after it removes the role
    mapping = resolve_mapping(ERP, overrides)
    assert mapping["customer"] == "Cliente" and "status" not in mapping


def test_merge_mapping_and_check_required_separately():
    from metriqr.columns import check_required, merge_mapping

    detected = {"customer": "Cliente", "date": "Data", "amount": "Valor"}
    headers = ["Cliente", "Data", "Valor", "Total"]
    assert merge_mapping(detected, {"amount": "Total"}, headers) == {"customer": "Cliente", "date": "Data",
                                                                       "amount": "Total"}
    assert merge_mapping(detected, {"customer_name": "Cliente"}, headers) == {"date": "Data", "amount": "Valor",
                                                                                "customer_name": "Cliente"}
    with pytest.raises(ColumnError) as info:
        check_required({"date": "Data"}, headers)
    assert info.value.params == {"roles": "customer", "headers": "Cliente, Data, Valor, Total"}
    check_required(detected, headers)  # complete: no error


# --- issue 9 item 16 / issue 12 item 2: say what is wrong with the date column -------------------

def test_a_date_column_without_dates_is_named_with_examples():
    """Not "missing required columns: date" while naming the very column."""
    frame = pd.DataFrame({"Cliente": ["Ana", "Bia", "Caio"], "Data": ["ontem", "amanhã", "ontem"],
                          "Valor": ["10,00", "20,00", "5,00"]}, dtype=object)
    with pytest.raises(ColumnError) as info:
        resolve_mapping(frame)
    assert info.value.key == "date_not_dates"
    assert info.value.params == {"header": "Data", "examples": "“ontem”, “amanhã”"}
    message = info.value.message("pt")
    assert "“Data” foi encontrada" in message and "não são datas" in message and "Faltam" not in message
    assert "was found for the date" in info.value.message("en")


def test_a_date_column_without_rows_says_so():
    frame = pd.DataFrame({"Cliente": [], "Data": [], "Valor": []}, dtype=object)
    with pytest.raises(ColumnError) as info:
        resolve_mapping(frame)
    assert info.value.key == "date_column_empty" and info.value.params == {"header": "Data"}


def test_an_amount_column_with_dash_placeholders_is_still_mapped():
    """Excel's accounting format writes `-` for zero: the valid values must not be lost."""
    frame = pd.DataFrame({"Cliente": ["Ana", "Bia", "Caio", "Duda", "Eva"], "Data": ["05/01/2024"] * 5,
                          "Valor": ["-", "-", "-", "10,00", "20,00"]}, dtype=object)
    assert resolve_mapping(frame)["amount"] == "Valor"


def test_a_column_of_only_dashes_is_not_an_amount():
    frame = pd.DataFrame({"Cliente": ["Ana", "Bia"], "Data": ["05/01/2024"] * 2, "Valor": ["-", "-"]}, dtype=object)
    assert "amount" not in resolve_mapping(frame)
