"""Interface strings in pt-BR and English, and number/currency/date formatting.

A plain catalogue and a `t(key, lang)` helper: no process-wide gettext, so two users in
two languages never see each other's strings. Segment labels and actions are not here:
they live with the segment definitions in `metriqr.segments`.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

LANGS = ("pt", "en")
DEFAULT_LANG = "pt"


def normalise_lang(value: object) -> str:
    """Map any user-supplied language value onto a supported one (default pt)."""
    text = str(value or "").strip().lower()
    return "en" if text.startswith("en") else DEFAULT_LANG


# --- number, currency and date formatting --------------------------------------------

def _group(number: float, decimals: int, lang: str) -> str:
    text = f"{number:,.{decimals}f}"  # 1,234.56
    if lang == "pt":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_int(value: float | int | None, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _group(round(float(value)), 0, lang)


def fmt_num(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _group(float(value), decimals, lang)


def fmt_money(value: float | None, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}R$ {_group(abs(float(value)), 2, lang)}"


def fmt_pct(share: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """Format a share in [0, 1] as a percentage."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{_group(100 * float(share), decimals, lang)}%"


def fmt_date(value: date | datetime | pd.Timestamp | None, lang: str = DEFAULT_LANG) -> str:
    if value is None or pd.isna(value):
        return "–"
    value = pd.Timestamp(value)
    return value.strftime("%d/%m/%Y" if lang == "pt" else "%Y-%m-%d")


# --- the catalogue ---------------------------------------------------------------------
# Keys are grouped by prefix: app.*, data.*, seg.*, report.*, error.*, reason.*, role.*.

CATALOGUE: dict[str, dict[str, str]] = {
    # errors: what arrived, what was expected, what to do
    "error.file_empty": {
        "pt": "O arquivo “{name}” está vazio. Exporte a planilha de novo e envie o arquivo com as vendas.",
        "en": "The file “{name}” is empty. Export the spreadsheet again and upload the file with the sales.",
    },
    "error.file_too_large": {
        "pt": "O arquivo “{name}” tem {size_mb} MB, acima do limite de {limit_mb} MB. Envie um período menor ou salve em CSV/Parquet.",
        "en": "The file “{name}” is {size_mb} MB, above the {limit_mb} MB limit. Upload a shorter period or save it as CSV/Parquet.",
    },
    "error.unsupported_format": {
        "pt": "O formato “{ext}” de “{name}” não é aceito. Envie uma planilha .xlsx, .csv, .txt ou .parquet.",
        "en": "The format “{ext}” of “{name}” is not supported. Upload an .xlsx, .csv, .txt or .parquet spreadsheet.",
    },
    "error.not_a_spreadsheet": {
        "pt": "“{name}” não parece ser uma planilha ({detail}). Envie a exportação de vendas em .xlsx, .csv ou .parquet.",
        "en": "“{name}” does not look like a spreadsheet ({detail}). Upload the sales export as .xlsx, .csv or .parquet.",
    },
    "error.xlsx_corrupt": {
        "pt": "Não foi possível abrir a pasta de trabalho “{name}”: o arquivo está corrompido ou não é um .xlsx de verdade. Abra-o no Excel e salve de novo como .xlsx ou .csv.",
        "en": "The workbook “{name}” could not be opened: it is corrupt or not a real .xlsx. Open it in Excel and save it again as .xlsx or .csv.",
    },
    "error.xlsx_bomb": {
        "pt": "A pasta de trabalho “{name}” foi recusada por segurança: descompactada ocuparia {size_mb} MB (razão de compressão {ratio}×), muito acima do normal para uma planilha. Salve-a de novo no Excel ou exporte em CSV.",
        "en": "The workbook “{name}” was refused for safety: it would expand to {size_mb} MB (compression ratio {ratio}×), far beyond a normal spreadsheet. Save it again in Excel or export it as CSV.",
    },
    "error.xlsx_hostile": {
        "pt": "A pasta de trabalho “{name}” foi recusada por segurança: contém construções XML proibidas ({detail}). Salve-a de novo no Excel ou exporte em CSV.",
        "en": "The workbook “{name}” was refused for safety: it contains forbidden XML constructs ({detail}). Save it again in Excel or export it as CSV.",
    },
    "error.sheet_not_found": {
        "pt": "A aba “{sheet}” não existe em “{name}”. Abas disponíveis: {sheets}.",
        "en": "The sheet “{sheet}” does not exist in “{name}”. Available sheets: {sheets}.",
    },
    "error.sheet_empty": {
        "pt": "A aba “{sheet}” de “{name}” não tem dados. Escolha outra aba: {sheets}.",
        "en": "The sheet “{sheet}” of “{name}” holds no data. Choose another sheet: {sheets}.",
    },
    "error.no_header": {
        "pt": "Não encontrei uma linha de cabeçalho com nomes de colunas em “{name}”. A planilha precisa de uma linha com títulos como cliente, data e valor acima dos dados.",
        "en": "No header row with column names was found in “{name}”. The sheet needs a row of titles such as customer, date and amount above the data.",
    },
    "error.parquet_corrupt": {
        "pt": "Não foi possível ler o arquivo Parquet “{name}” ({detail}). Gere o arquivo de novo ou envie em CSV.",
        "en": "The Parquet file “{name}” could not be read ({detail}). Generate it again or upload a CSV.",
    },
    "error.missing_columns": {
        "pt": "Faltam colunas obrigatórias: {roles}. Colunas encontradas: {headers}. Indique qual coluna corresponde a cada papel no mapeamento de colunas.",
        "en": "Required columns are missing: {roles}. Columns found: {headers}. Say which column plays each role in the column mapping.",
    },
    "error.unknown_column": {
        "pt": "A coluna “{header}” indicada para {role} não existe. Colunas disponíveis: {headers}.",
        "en": "The column “{header}” given for {role} does not exist. Available columns: {headers}.",
    },
    "error.unknown_role": {
        "pt": "Papel de coluna desconhecido: “{role}”. Papéis aceitos: {roles}.",
        "en": "Unknown column role: “{role}”. Accepted roles: {roles}.",
    },
    "error.bad_column_option": {
        "pt": "Use --column PAPEL=CABEÇALHO (por exemplo --column customer=\"Cód. Cliente\"); recebido: “{value}”.",
        "en": "Use --column ROLE=HEADER (for example --column customer=\"Client Code\"); got: “{value}”.",
    },
    "error.no_usable_rows": {
        "pt": "Nenhuma linha pôde ser usada: {reasons}. Confira o mapeamento de colunas (cliente, data, valor).",
        "en": "No row could be used: {reasons}. Check the column mapping (customer, date, amount).",
    },
    "error.bad_date": {
        "pt": "Data inválida: “{value}”. Use o formato AAAA-MM-DD, por exemplo 2026-11-23.",
        "en": "Invalid date: “{value}”. Use the format YYYY-MM-DD, for example 2026-11-23.",
    },
    "error.as_of_before_data": {
        "pt": "A data de referência {as_of} é anterior à primeira compra ({first}). Escolha uma data entre {first} e {after_last}.",
        "en": "The reference date {as_of} is before the first purchase ({first}). Choose a date between {first} and {after_last}.",
    },
    "error.no_customers_in_window": {
        "pt": "Nenhum cliente comprou na janela escolhida (de {start} até {end}). Aumente a janela ou mude a data de referência.",
        "en": "No customer bought in the chosen window (from {start} to {end}). Widen the window or change the reference date.",
    },
    "error.bad_method": {
        "pt": "Método de pontuação desconhecido: “{value}”. Use quantile ou kmeans.",
        "en": "Unknown scoring method: “{value}”. Use quantile or kmeans.",
    },
    "error.file_not_found": {
        "pt": "Arquivo não encontrado: {name}.",
        "en": "File not found: {name}.",
    },
    "error.cannot_write": {
        "pt": "Não foi possível gravar “{name}”: {detail}.",
        "en": "Could not write “{name}”: {detail}.",
    },
    # tables and downloads
    "unit.items": {"pt": "itens", "en": "items"},
    "col.segment": {"pt": "Segmento", "en": "Segment"},
    "col.customers": {"pt": "Clientes", "en": "Customers"},
    "col.share": {"pt": "% dos clientes", "en": "% of customers"},
    "col.avg_monetary": {"pt": "Gasto Médio do Segmento", "en": "Average spend"},
    "col.avg_recency": {"pt": "Recência média (dias)", "en": "Average recency (days)"},
    "col.avg_frequency": {"pt": "Frequência média (compras)", "en": "Average frequency (purchases)"},
    "col.revenue_share": {"pt": "% da receita", "en": "% of revenue"},
    "cust.customer": {"pt": "Cliente", "en": "Customer"},
    "cust.customer_name": {"pt": "Nome", "en": "Name"},
    "cust.last_purchase": {"pt": "Última compra", "en": "Last purchase"},
    "cust.recency_days": {"pt": "Recência (dias)", "en": "Recency (days)"},
    "cust.frequency": {"pt": "Frequência (compras)", "en": "Frequency (purchases)"},
    "cust.monetary": {"pt": "Valor líquido", "en": "Net spend"},
    "cust.r": {"pt": "R", "en": "R"},
    "cust.f": {"pt": "F", "en": "F"},
    "cust.m": {"pt": "M", "en": "M"},
    "cust.segment": {"pt": "Segmento", "en": "Segment"},
    "sum.key": {"pt": "Chave", "en": "Key"},
    "sum.label": {"pt": "Segmento", "en": "Segment"},
    "sum.rank": {"pt": "Posição", "en": "Rank"},
    "sum.customers": {"pt": "Clientes", "en": "Customers"},
    "sum.share": {"pt": "Participação nos clientes", "en": "Share of customers"},
    "sum.avg_monetary": {"pt": "Gasto Médio do Segmento", "en": "Average spend"},
    "sum.avg_recency_days": {"pt": "Recência média (dias)", "en": "Average recency (days)"},
    "sum.avg_frequency": {"pt": "Frequência média", "en": "Average frequency"},
    "sum.revenue": {"pt": "Receita líquida", "en": "Net revenue"},
    "sum.revenue_share": {"pt": "Participação na receita", "en": "Share of revenue"},
    "sum.action": {"pt": "O que fazer", "en": "What to do"},
    "sheet.summary": {"pt": "Resumo", "en": "Summary"},
    "chart.fm_axis": {"pt": "FM: média das notas de frequência e valor (5 = compra mais e gasta mais)",
                      "en": "FM: mean of the frequency and monetary scores (5 = buys most, spends most)"},
    "chart.r_axis": {"pt": "R: recência (5 = comprou há pouco)", "en": "R: recency (5 = bought recently)"},
    "reason.none": {"pt": "nenhuma linha de dados", "en": "no data rows"},
    # exclusion reasons of the cleaning report
    "reason.blank": {"pt": "linha em branco", "en": "blank line"},
    "reason.malformed": {"pt": "linha com colunas a mais (ilegível)", "en": "line with extra fields (unreadable)"},
    "reason.total_line": {"pt": "linha de total (não é venda)", "en": "totals line (not a sale)"},
    "reason.no_customer": {"pt": "sem cliente identificado", "en": "no identified customer"},
    "reason.bad_date": {"pt": "data ilegível", "en": "unreadable date"},
    "reason.bad_amount": {"pt": "valor ilegível", "en": "unreadable amount"},
    "reason.cancelled": {"pt": "pedido cancelado", "en": "cancelled order"},
    "reason.duplicate": {"pt": "linha duplicada no mesmo pedido", "en": "duplicate line in the same order"},
    "reason.zero_amount": {"pt": "valor zero (brinde ou ajuste)", "en": "zero amount (free item or adjustment)"},
}


def reason_summary(excluded: dict[str, int], lang: str = DEFAULT_LANG) -> str:
    """`no identified customer: 12; unreadable date: 3` — for messages that list reasons."""
    return "; ".join(f"{t('reason.' + key, lang)}: {fmt_int(count, lang)}" for key, count in excluded.items()) \
        or t("reason.none", lang)


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The string for `key` in `lang`, with `params` filled in; the key itself if unknown."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text
