"""Which column plays which role: detected from headers (pt/en) and checked against values.

The result is a plain mapping role → header that the user can correct in the Dados page
or with `--column ROLE=HEADER` on the command line.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from metriqr.errors import ColumnError
from metriqr.parsing import parse_dates, parse_numbers

REQUIRED_ROLES = ("customer", "date")
ROLES = ("customer", "date", "amount", "quantity", "unit_price", "order", "product", "product_name",
         "customer_name", "status", "email", "phone")
CONTACT_ROLES = ("customer_name", "email", "phone")  # travel into every customer list
NUMERIC_ROLES = ("amount", "quantity", "unit_price")

ColumnMapping = dict[str, str]

# Header synonyms per role, written normalised (lower case, no accents, words split on
# anything that is not a letter or digit).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": ("id cliente", "cod cliente", "codigo do cliente", "codigo cliente", "cliente id",
                 "cliente codigo", "cod do cliente", "cpf", "cnpj", "cpf cnpj", "email", "e mail",
                 "customer", "customer id", "customerid", "client id", "clientid", "member number",
                 "member", "user id", "userid", "buyer id", "id do cliente", "matricula", "cliente"),
    "customer_name": ("nome", "nome do cliente", "nome cliente", "customer name", "client name",
                      "razao social", "cliente nome", "cliente"),
    "date": ("data", "data da compra", "data compra", "data venda", "data da venda", "data do pedido",
             "data pedido", "data emissao", "data de emissao", "emissao", "dt", "dt venda", "date",
             "invoicedate", "invoice date", "order date", "orderdate", "purchase date", "transaction date",
             "sale date", "datetime", "timestamp", "data hora", "data e hora"),
    "amount": ("valor", "valor total", "total", "vlr total", "vl total", "valor liquido", "valor venda",
               "valor da venda", "total venda", "total da venda", "subtotal", "valor pago", "amount",
               "revenue", "sales", "total amount", "line total", "total price", "totalprice", "receita",
               "faturamento", "montante", "valor do item", "total item", "price total", "payment value",
               "payment amount", "valor do pagamento", "valor pagamento"),
    "quantity": ("quantidade", "qtd", "qtde", "qt", "quant", "quantity", "qty", "units", "unidades",
                 "itens", "qtd vendida", "quantidade vendida"),
    "unit_price": ("preco", "preco unitario", "preco unit", "valor unitario", "vlr unit", "vl unit",
                   "vlr unitario", "unitprice", "unit price", "price", "preco venda", "valor unit",
                   "preco de venda", "unit cost"),
    "order": ("pedido", "nota", "nota fiscal", "nf", "nfe", "nfce", "cupom", "cupom fiscal",
              "numero do pedido", "n do pedido", "no pedido", "num pedido", "n pedido", "numero pedido",
              "numero da nota", "id venda", "venda", "codigo da venda", "order", "order id", "orderid",
              "order number", "invoice", "invoiceno", "invoice no", "invoice number", "transaction id",
              "transaction", "receipt", "ticket", "documento", "doc", "id pedido", "id do pedido"),
    "product": ("sku", "codigo", "codigo do produto", "cod produto", "codigo produto", "cod do produto",
                "ref", "referencia", "stockcode", "stock code", "product id", "productid", "product code",
                "item code", "item id", "ean", "cod", "id produto", "id do produto", "cod item"),
    "product_name": ("produto", "descricao", "descricao do produto", "nome do produto", "item",
                     "description", "product", "product name", "itemdescription", "item description",
                     "mercadoria", "descricao produto", "nome produto", "item name", "artigo"),
    "email": ("email", "e mail", "email do cliente", "e mail do cliente", "customer email", "email address",
              "endereco de email", "correio eletronico"),
    "phone": ("whatsapp", "telefone", "celular", "fone", "tel", "telefone celular", "telefone do cliente",
              "phone", "phone number", "mobile", "cell", "cellphone", "whats", "zap", "contato telefone"),
    "status": ("status", "situacao", "estado do pedido", "status do pedido", "situacao do pedido",
               "order status"),
}


def normalise_header(header: object) -> str:
    """`Código do Cliente` → `codigo do cliente`: what synonyms are compared with."""
    text = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)  # CustomerID → Customer ID
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _header_score(role: str, header: str) -> float:
    """3 for an exact synonym; otherwise more the larger the share of the header a synonym covers."""
    norm = normalise_header(header)
    squashed = norm.replace(" ", "")
    tokens = set(norm.split())
    best = 0.0
    for position, synonym in enumerate(SYNONYMS[role]):
        # earlier synonyms are more specific: a tiny preference breaks ties between roles
        bonus = 0.01 * (1 - position / len(SYNONYMS[role]))
        if norm == synonym or squashed == synonym.replace(" ", ""):
            best = max(best, 3 + bonus)
        elif tokens and set(synonym.split()) <= tokens:
            best = max(best, 1 + len(synonym.split()) / len(tokens) + bonus)
    return best


# Cells that stand for "no value" in exports: `-` (Excel's accounting zero), `n/a`, `—`.
_PLACEHOLDER = r"\s*(-+|–|—|[nN]/?[aAdD]|[sS]/?[vV]|null|NULL|None|none|nan|NaN)?\s*"  # no inline flags: stays in Arrow


def _filled(values: pd.Series) -> pd.Series:
    """The cells that hold something: placeholders such as `-` do not count for or against a role."""
    values = values.dropna().head(5000)  # detection looks at a sample: never the whole column
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        placeholder = values.astype("string").str.fullmatch(_PLACEHOLDER).fillna(False).to_numpy(dtype=bool)
        values = values[~placeholder]
    return values


def _values_fit(role: str, values: pd.Series) -> bool:
    """Reject a header match when the values clearly cannot play the role."""
    sample = _filled(values).head(500)
    if sample.empty:  # no rows: the header decides, except for required roles; only `-`: not a number
        return role not in REQUIRED_ROLES and (values.dropna().empty or role not in NUMERIC_ROLES)
    if role == "date":
        return parse_dates(sample)[0].notna().mean() >= 0.5
    if role in NUMERIC_ROLES:
        return parse_numbers(sample).notna().mean() >= 0.8
    return True


def detect_columns(frame: pd.DataFrame, *, prefer_person: bool = True) -> ColumnMapping:
    """Best guess of role → header; each header plays at most one role. The customer column
    is the person's when a per-order customer id sits beside it (`choose_customer_column`)."""
    candidates = []
    for role in ROLES:
        for header in frame.columns:
            score = _header_score(role, header)
            if score > 0:
                candidates.append((score, role, header))
    mapping: ColumnMapping = {}
    used: set[str] = set()
    for score, role, header in sorted(candidates, key=lambda c: -c[0]):
        if role in mapping or header in used or not _values_fit(role, frame[header]):
            continue
        mapping[role] = header
        used.add(header)
    if "date" not in mapping:
        for header in frame.columns:
            if header not in used and _values_fit("date", frame[header]) and \
                    parse_dates(frame[header].dropna().head(500))[0].notna().mean() >= 0.9:
                mapping["date"] = header
                used.add(header)
                break
    if "customer" in mapping and prefer_person:
        mapping["customer"] = choose_customer_column(frame, mapping)[0]
    if "customer" not in mapping and "email" in mapping:
        # The e-mail is the identifier (many online stores): it plays both roles.
        mapping["customer"] = mapping["email"]
    if "customer" not in mapping and "customer_name" in mapping:
        # Only a name column: the name is the best identifier there is.
        mapping["customer"] = mapping.pop("customer_name")
    if "product" not in mapping and "product_name" in mapping:
        # A single product column (a name, as in many exports) is the product's key too.
        mapping["product"] = mapping.pop("product_name")
    return {role: mapping[role] for role in ROLES if role in mapping}


# --- the person, not the order ---------------------------------------------------------------
# Marketplace exports carry a customer id minted per order (Olist's `customer_id`) beside the
# person's id (`customer_unique_id`). Segmenting on the first makes every purchase a one-time
# "customer", so the person's column is preferred, by its header and by its values.

_PERSON_WORDS = frozenset({"unique", "cpf", "cnpj", "email", "mail", "person", "pessoa"})
_DOCUMENT_WORDS = frozenset({"documento", "document", "doc"})
_CUSTOMER_WORDS = frozenset({"cliente", "customer", "client", "comprador", "buyer", "consumidor"})
_ID_WORDS = frozenset({"id", "codigo", "cod", "code", "number", "numero", "key", "matricula", "member", "userid",
                       "customerid", "clientid"}) | _PERSON_WORDS | _DOCUMENT_WORDS
_NOT_AN_ID = frozenset({"city", "cidade", "state", "estado", "uf", "zip", "cep", "prefix", "country", "pais",
                        "name", "nome", "type", "tipo", "segment", "segmento", "status", "situacao"})


def _is_person_header(header: object) -> bool:
    """`customer_unique_id`, `CPF`, `E-mail do cliente`, `Documento do cliente`: the person."""
    tokens = set(normalise_header(header).split())
    return bool(tokens & _PERSON_WORDS) or bool(tokens & _DOCUMENT_WORDS and tokens & _CUSTOMER_WORDS)


def _customer_candidates(frame: pd.DataFrame, mapping: Mapping[str, str]) -> list[str]:
    """Headers that could identify the customer: a customer header with an id-like word (or the
    detected one), never a column another role took or a city/state/zip of the customer."""
    taken = {header for role, header in mapping.items() if role != "customer"}
    found = []
    for header in frame.columns:
        tokens = set(normalise_header(header).split())
        if header in taken or tokens & _NOT_AN_ID:
            continue
        if header == mapping.get("customer") or _is_person_header(header) or                 (_header_score("customer", header) > 0 and tokens & _ID_WORDS):
            found.append(header)
    return found


def _one_occasion_share(frame: pd.DataFrame, header: str, occasion: str | None) -> float:
    """Share of the column's ids seen on exactly one occasion (order, else date)."""
    ids = pd.factorize(frame[header])[0].astype(np.int64)
    if occasion is None:
        return float("nan")
    occasions = pd.factorize(frame[occasion])[0].astype(np.int64)
    known = (ids >= 0) & (occasions >= 0)
    if not known.any():
        return float("nan")
    ids, occasions = ids[known], occasions[known]
    pairs = pd.unique(ids * (int(occasions.max()) + 1) + occasions)
    per_id = np.bincount(pairs // (int(occasions.max()) + 1))
    per_id = per_id[per_id > 0]
    return float((per_id == 1).mean())


def choose_customer_column(frame: pd.DataFrame, mapping: Mapping[str, str]) -> tuple[str, str | None, str | None]:
    """(customer header, the header it replaces or None, why: "person" | "repeats" | None).

    A header naming the person (`unique`, `cpf`, `email`, `documento` of the customer) beats a
    per-order id. Then the values decide: when the chosen column gives every customer exactly
    one order (or purchase day) and another candidate gives repeat customers, the other wins.
    """
    detected = mapping["customer"]
    candidates = _customer_candidates(frame, mapping)
    if len(candidates) < 2:
        return detected, None, None
    chosen, why = detected, None
    if not _is_person_header(detected):
        person = [h for h in candidates if _is_person_header(h) and _values_fit("customer", frame[h])]
        if person:
            chosen, why = max(person, key=lambda h: _header_score("customer", h)), "person"
    occasion = mapping.get("order", mapping.get("date"))
    if _one_occasion_share(frame, chosen, occasion) == 1.0:
        repeats = [h for h in candidates if h != chosen and _values_fit("customer", frame[h])
                   and _one_occasion_share(frame, h, occasion) < 1.0]
        if repeats:
            chosen, why = max(repeats, key=lambda h: (_is_person_header(h), _header_score("customer", h))), "repeats"
    return chosen, (detected if chosen != detected else None), (why if chosen != detected else None)


def customer_column_note(frame: pd.DataFrame, mapping: Mapping[str, str]) -> tuple[str, str] | None:
    """(the header passed over, why) when the mapping's customer column is the one preferred over
    a per-order id; None otherwise (no competitor, or the user chose the column)."""
    if "customer" not in mapping:
        return None
    plain = detect_columns(frame, prefer_person=False)
    if "customer" not in plain:
        return None
    chosen, replaced, why = choose_customer_column(frame, plain)
    if replaced is None or chosen != mapping["customer"] or why is None:
        return None
    return replaced, why


def parse_column_options(options: Iterable[str]) -> ColumnMapping:
    """`["customer=Cód. Cliente", ...]` from the command line → mapping; `ROLE=` (empty) removes a role."""
    mapping: ColumnMapping = {}
    for option in options:
        role, sep, header = option.partition("=")
        role = role.strip()
        if not sep or not role:
            raise ColumnError("bad_column_option", value=option)
        if role not in ROLES:
            raise ColumnError("unknown_role", role=role, roles=", ".join(ROLES))
        mapping[role] = header.strip()
    return mapping


def merge_mapping(detected: Mapping[str, str], overrides: Mapping[str, str] | None,
                  headers: Iterable[object]) -> ColumnMapping:
    """The detected mapping with the user's corrections; an empty header removes the role.

    A header given to a role is taken away from any other role it had. Unknown roles or
    headers raise a ColumnError naming what exists.
    """
    headers = [str(h) for h in headers]
    mapping = dict(detected)
    for role, header in (overrides or {}).items():
        if role not in ROLES:
            raise ColumnError("unknown_role", role=role, roles=", ".join(ROLES))
        if not header:
            mapping.pop(role, None)
            continue
        if header not in headers:
            raise ColumnError("unknown_column", header=header, role=role, headers=", ".join(headers))
        for other in [r for r, h in mapping.items() if h == header and r != role]:
            del mapping[other]
        mapping[role] = header
    return {role: mapping[role] for role in ROLES if role in mapping}


def check_required(mapping: Mapping[str, str], headers: Iterable[object]) -> None:
    missing = [role for role in REQUIRED_ROLES if role not in mapping]
    if missing:
        raise ColumnError("missing_columns", roles=", ".join(missing), headers=", ".join(map(str, headers)))


def explain_unusable_date(frame: pd.DataFrame, mapping: Mapping[str, str]) -> None:
    """When no column passed as the date but one is titled like a date, say so with its values:
    "the column Data was found but holds no dates (e.g. …)", never "the date column is missing"."""
    if "date" in mapping:
        return
    taken = set(mapping.values())
    scored = [(_header_score("date", header), header) for header in frame.columns if header not in taken]
    scored = [(score, header) for score, header in scored if score >= 1.5]
    if not scored:
        return
    header = max(scored, key=lambda c: c[0])[1]
    values = _filled(frame[header])
    if values.empty:
        raise ColumnError("date_column_empty", header=str(header))
    examples = ", ".join(f"“{str(v)[:30]}”" for v in pd.unique(values.astype(str))[:3])
    raise ColumnError("date_not_dates", header=str(header), examples=examples)


def resolve_mapping(frame: pd.DataFrame, overrides: Mapping[str, str] | None = None) -> ColumnMapping:
    """Detected mapping with the user's corrections applied and checked: the required roles
    (customer, date) must be present, otherwise a ColumnError says which are missing (or that
    the date column was found but holds no dates)."""
    mapping = merge_mapping(detect_columns(frame), overrides, frame.columns)
    if "date" not in (overrides or {}):  # a date role the user removed is simply missing
        explain_unusable_date(frame, mapping)
    check_required(mapping, frame.columns)
    return mapping
