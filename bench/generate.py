"""Seeded generator of realistic retail transactions, at any size, and the cached benchmark inputs.

The shape follows the UCI Online Retail export (one line per product in an invoice):

    InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country

and what real sales data looks like:
- heavy-tailed customer activity: orders per customer ~ Zipf(2.2), so about two customers in
  three buy once and a few buy hundreds of times (those started early);
- product popularity ~ Zipf (rank + 10)^-1: the top product is bought far more than the median one;
- products bought together: products come in clusters of four; after an order's first line,
  35% of lines are another product of the first line's cluster;
- basket sizes ~ geometric (mean 4 lines), quantities mostly 1-3 with bulk dozens;
- three years of dates (2022-01-03 to 2025-01-02) with growth, weekday and Christmas seasonality;
  invoice numbers follow time; 2% of invoices are returns (`C` prefix, negative quantities) and
  3% of invoices have no customer (guest checkouts, excluded by the cleaning step).

Everything is vectorised (10 million lines in well under a minute) and fully determined by
(lines, seed). Inputs are written once per (version, seed, size, format) and cached.
"""
from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

GENERATOR_VERSION = 1
COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")
EXCEL_MAX_ROWS = 1_048_575  # 1,048,576 rows per sheet, one of them the header
DATA_DIR = Path(__file__).resolve().parent / ".data"
FORMATS = ("csv", "parquet", "xlsx")
# The same lines as a Brazilian ERP writes them: day-first dates with the time of day
# (`03/01/2022 07:02`, issue 11's timestamped export) and the same dates without it.
DATE_LAYOUTS = {"dmy-time.csv": "%d/%m/%Y %H:%M", "dmy.csv": "%d/%m/%Y"}

START = np.datetime64("2022-01-03")
DAYS = 1096                   # three years
MEAN_LINES_PER_ORDER = 4.0
ORDERS_PER_CUSTOMER_ZIPF = 2.2
MAX_ORDERS_PER_CUSTOMER = 2000  # and at most 1% of all orders (Online Retail: 1.1%), at least 20
PRODUCT_ZIPF_S, PRODUCT_ZIPF_Q = 1.0, 10.0
CLUSTER = 4                   # products bought together come in clusters of this size
TOGETHER_SHARE = 0.35         # share of an order's later lines taken from its first product's cluster
RETURN_SHARE = 0.02
GUEST_SHARE = 0.03

_COLOURS = ("RED", "BLUE", "GREEN", "PINK", "WHITE", "BLACK", "IVORY", "CREAM", "GOLD", "SILVER",
            "VINTAGE", "PASTEL", "RETRO", "NATURAL", "ROSE")
_KINDS = ("WOODEN", "CERAMIC", "GLASS", "METAL", "PAPER", "FELT", "ENAMEL", "WICKER", "LACE", "ZINC",
          "HEART", "STAR", "SPOTTY", "STRIPED", "FLORAL", "SCANDI", "REGENCY", "PARTY", "GARDEN", "KITCHEN",
          "CHRISTMAS", "EASTER", "BIRD", "OWL", "CAT", "DOG", "TEA", "CAKE", "LOVE", "HOME")
_THINGS = ("MUG", "CANDLE HOLDER", "LANTERN", "BUNTING", "CUSHION COVER", "DOORMAT", "CLOCK", "FRAME",
           "JAR", "TIN", "BAG", "NOTEBOOK", "BOX", "SIGN", "PLATE", "BOWL", "TEA TOWEL", "APRON",
           "HOOK", "WREATH", "ORNAMENT", "GARLAND", "LIGHTS", "VASE", "TRAY", "PURSE", "UMBRELLA",
           "STICKERS", "CARD", "WRAP", "CUTLERY SET", "EGG CUP", "PEG BAG", "HOT WATER BOTTLE",
           "DRAWER KNOB", "PHOTO ALBUM", "PENCILS", "PLAYING CARDS", "JIGSAW", "BEAKER")
_COUNTRIES = ("Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium", "Switzerland", "Portugal",
              "Australia", "Norway", "Italy", "Sweden", "Brazil", "USA", "Japan")


def parse_size(text: str | int) -> int:
    """`100k`, `1m`, `10M`, `2000`, `1_048_575` → number of lines."""
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*([\d_.]+)\s*([kKmM]?)\s*", str(text))
    if not match:
        raise ValueError(f"not a size: {text!r} (e.g. 100k, 1m, 10m, 2000)")
    value = float(match.group(1).replace("_", ""))
    value *= {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    if value < 1 or value != int(value):
        raise ValueError(f"not a size: {text!r}")
    return int(value)


def size_label(n: int) -> str:
    """1000000 → `1m`, 100000 → `100k`, 2000 → `2k`, 1048575 → `1048575`."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def product_count(n_lines: int) -> int:
    """Catalogue grows with the data: ~1,600 products at 100k lines, 5,000 at 1m, ~15,800 at 10m."""
    return int(np.clip(round(5000 * math.sqrt(n_lines / 1e6)), 50, 50_000))


def _day_weights() -> np.ndarray:
    """Relative sales per day: growth over the years, quieter weekends, busy November, Christmas lull."""
    days = START + np.arange(DAYS)
    t = np.arange(DAYS) / DAYS
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    month = days.astype("datetime64[M]").view("int64") % 12 + 1
    day_of_month = (days - days.astype("datetime64[M]")).astype(int) + 1
    weights = 1.0 + 0.6 * t
    weights *= np.select([weekday == 5, weekday == 6], [0.8, 0.5], 1.0)
    weights *= np.select([month == 11, (month == 12) & (day_of_month <= 20), (month == 12) & (day_of_month > 23),
                          month == 1], [1.6, 1.4, 0.25, 0.8], 1.0)
    return weights


def _draw_total(rng: np.random.Generator, draw, total: int, mean: float) -> np.ndarray:
    """Positive integer draws whose sum is exactly `total` (the last one cut short)."""
    parts = []
    have = 0
    while have < total:
        chunk = draw(max(16, int((total - have) / mean * 1.05) + 16))
        parts.append(chunk)
        have += int(chunk.sum())
    values = np.concatenate(parts)
    cum = np.cumsum(values)
    k = int(np.searchsorted(cum, total)) + 1
    values = values[:k].copy()
    values[-1] -= int(cum[k - 1] - total)
    return values


def _names(rng: np.random.Generator, n: int) -> list[str]:
    combos = len(_COLOURS) * len(_KINDS) * len(_THINGS)
    index = rng.permutation(max(n, combos))[:n]
    out = []
    for i in index.tolist():
        base = i % combos
        colour, rest = divmod(base, len(_KINDS) * len(_THINGS))
        kind, thing = divmod(rest, len(_THINGS))
        name = f"{_COLOURS[colour]} {_KINDS[kind]} {_THINGS[thing]}"
        out.append(name if i < combos else f"{name} {i // combos + 1}")
    return out


def generate_table(n_lines: int, seed: int = 0) -> pa.Table:
    """`n_lines` transaction lines as an Arrow table (columns COLUMNS), fully determined by the seed."""
    if n_lines < 1:
        raise ValueError("n_lines must be positive")
    rng = np.random.default_rng([GENERATOR_VERSION, seed, n_lines])

    # Orders and their sizes; customers and how many orders each places (heavy tail).
    sizes = _draw_total(rng, lambda k: rng.geometric(1 / MEAN_LINES_PER_ORDER, k), n_lines, MEAN_LINES_PER_ORDER)
    n_orders = len(sizes)
    cap = int(np.clip(n_orders // 100, 20, MAX_ORDERS_PER_CUSTOMER))
    per_customer = _draw_total(rng, lambda k: np.minimum(rng.zipf(ORDERS_PER_CUSTOMER_ZIPF, k), cap), n_orders, 3.0)
    n_customers = len(per_customer)
    order_customer = np.repeat(np.arange(n_customers), per_customer)

    # Dates: a customer's first order comes earlier the more orders they place; the rest follow it.
    cdf = np.cumsum(_day_weights())
    cdf /= cdf[-1]
    first_u = rng.random(n_customers) ** np.sqrt(per_customer)
    first_day = np.minimum(np.searchsorted(cdf, first_u, side="right"), DAYS - 1)
    low = np.r_[0.0, cdf][first_day][order_customer]
    order_u = low + rng.random(n_orders) * (1 - low)
    is_first = np.r_[True, order_customer[1:] != order_customer[:-1]]
    order_u[is_first] = np.r_[0.0, cdf][first_day]  # the start of the first day
    order_day = np.minimum(np.searchsorted(cdf, order_u, side="right"), DAYS - 1)
    hour = np.clip(np.round(rng.normal(13, 2.5, n_orders)), 7, 20).astype(np.int64)
    minute = rng.integers(0, 60, n_orders)
    seconds = (START.astype("datetime64[s]").view("int64") + order_day * 86_400 + hour * 3_600 + minute * 60)
    # Invoices are numbered in time order.
    by_time = np.argsort(seconds, kind="stable")
    seconds, order_customer, is_first = seconds[by_time], order_customer[by_time], is_first[by_time]
    is_return = (rng.random(n_orders) < RETURN_SHARE) & ~is_first
    guest = rng.random(n_orders) < GUEST_SHARE
    numbers = 536_365 + np.arange(n_orders)
    invoice = np.where(is_return, np.char.add("C", numbers.astype(str)), numbers.astype(str))

    # Products: Zipf popularity over a shuffled catalogue; clusters of products bought together.
    n_products = product_count(n_lines)
    weights = 1.0 / (np.arange(n_products) + PRODUCT_ZIPF_Q) ** PRODUCT_ZIPF_S
    product_cdf = np.cumsum(weights) / weights.sum()
    by_rank = rng.permutation(n_products)  # product id of each popularity rank

    def popular(k: int) -> np.ndarray:
        return by_rank[np.minimum(np.searchsorted(product_cdf, rng.random(k), side="right"), n_products - 1)]

    cluster_order = rng.permutation(n_products)  # clusters = consecutive runs of CLUSTER in this order
    position = np.empty(n_products, dtype=np.int64)
    position[cluster_order] = np.arange(n_products)

    line_order = np.repeat(np.arange(n_orders), sizes)
    first_line = np.r_[True, line_order[1:] != line_order[:-1]]
    anchor = popular(n_orders)[line_order]
    product = popular(n_lines)
    together = (rng.random(n_lines) < TOGETHER_SHARE) & ~first_line
    slot = position[anchor]
    partner = slot - slot % CLUSTER + (slot % CLUSTER + rng.integers(1, CLUSTER, n_lines)) % CLUSTER
    together &= partner < n_products
    product = np.where(first_line, anchor, np.where(together, cluster_order[np.minimum(partner, n_products - 1)],
                                                    product))

    quantity = np.where(rng.random(n_lines) < 0.05, 12 * rng.geometric(0.5, n_lines), rng.geometric(0.45, n_lines))
    quantity = np.where(is_return[line_order], -quantity, quantity).astype(np.int64)
    price = np.maximum(np.round(np.exp(rng.normal(math.log(2.5), 0.9, n_products)), 2), 0.19)
    codes = 10_000 + rng.choice(90_000, n_products, replace=False)
    suffix = np.where(rng.random(n_products) < 0.12, np.where(rng.random(n_products) < 0.5, "A", "B"), "")
    stock_codes = np.char.add(codes.astype(str), suffix)
    names = _names(rng, n_products)

    customer_ids = 12_346 + rng.permutation(n_customers)
    country_of = np.where(rng.random(n_customers) < 0.88, 0, rng.integers(1, len(_COUNTRIES) + 1, n_customers))
    line_customer = order_customer[line_order]
    line_guest = guest[line_order]
    countries = pa.array(("United Kingdom", *_COUNTRIES))
    line_country = np.where(line_guest, 0, country_of[line_customer])

    take = pa.array(line_order)
    product_index = pa.array(product)
    return pa.table({
        "InvoiceNo": pa.array(invoice.tolist(), pa.string()).take(take),
        "StockCode": pa.array(stock_codes.tolist(), pa.string()).take(product_index),
        "Description": pa.array(names, pa.string()).take(product_index),
        "Quantity": pa.array(quantity),
        "InvoiceDate": pa.array(seconds[line_order].astype("datetime64[s]")),
        "UnitPrice": pa.array(price[product]),
        "CustomerID": pa.array(customer_ids[line_customer], mask=line_guest),
        "Country": countries.take(pa.array(line_country)),
    })


def generate(n_lines: int, seed: int = 0) -> pd.DataFrame:
    """The generated lines as a DataFrame (for small sizes and tests; inputs are written from Arrow)."""
    return generate_table(n_lines, seed).to_pandas()


def describe(table: pa.Table | pd.DataFrame) -> dict[str, float]:
    """The figures that say the data is realistic: sizes, share of one-order customers, popularity skew."""
    frame = table.select(["InvoiceNo", "StockCode", "CustomerID"]).to_pandas() if isinstance(table, pa.Table) \
        else table[["InvoiceNo", "StockCode", "CustomerID"]]
    orders = frame.dropna(subset=["CustomerID"]).drop_duplicates(["InvoiceNo"])
    per_customer = orders.loc[~orders["InvoiceNo"].astype(str).str.startswith("C")].groupby("CustomerID").size()
    per_product = frame["StockCode"].value_counts()
    return {"lines": int(len(frame)), "orders": int(frame["InvoiceNo"].nunique()),
            "customers": int(frame["CustomerID"].nunique()), "products": int(len(per_product)),
            "one_order_share": float((per_customer == 1).mean()),
            "max_orders_per_customer": int(per_customer.max()),
            "top_product_lines": int(per_product.iloc[0]), "median_product_lines": float(per_product.median())}


# --- marketplace export (Olist-like) ------------------------------------------------------

MARKETPLACE_COLUMNS = ("order_id", "customer_unique_id", "product_id", "product_category_name",
                       "order_purchase_timestamp", "price", "freight_value", "seller_id")
MARKETPLACE_CATEGORIES = (
    "cama_mesa_banho", "beleza_saude", "esporte_lazer", "moveis_decoracao", "informatica_acessorios",
    "utilidades_domesticas", "relogios_presentes", "telefonia", "ferramentas_jardim", "automotivo",
    "brinquedos", "cool_stuff", "perfumaria", "bebes", "eletronicos", "papelaria", "fashion_bolsas_e_acessorios",
    "pet_shop", "moveis_escritorio", "consoles_games", "malas_acessorios", "construcao_ferramentas_construcao",
    "eletrodomesticos", "instrumentos_musicais", "eletroportateis", "casa_construcao", "livros_interesse_geral",
    "alimentos", "moveis_sala", "casa_conforto", "bebidas", "audio", "market_place", "construcao_ferramentas_iluminacao",
    "climatizacao", "moveis_cozinha_area_de_servico_jantar_e_jardim", "alimentos_bebidas", "industria_comercio_e_negocios",
    "livros_tecnicos", "telefonia_fixa", "fashion_calcados", "eletrodomesticos_2", "construcao_ferramentas_jardim",
    "agro_industria_e_comercio", "artes", "pcs", "sinalizacao_e_seguranca", "construcao_ferramentas_seguranca",
    "artigos_de_natal", "fashion_roupa_masculina", "fashion_underwear_e_moda_praia", "moveis_quarto",
    "tablets_impressao_imagem", "musica", "dvds_blu_ray", "fraldas_higiene", "flores", "seguros_e_servicos")


def _hex_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` random 32-hex-digit ids (the md5-like keys of a marketplace export), vectorised."""
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16)
    digits = np.frombuffer(b"0123456789abcdef", dtype="S1")
    pairs = np.stack([digits[raw >> 4], digits[raw & 15]], axis=2).reshape(n, 32)
    return pairs.view("S32").ravel().astype(str)


def generate_marketplace(n_lines: int, seed: int = 0) -> pa.Table:
    """An Olist-like export of `n_lines` order items: 32-hex ids for orders, customers, products and
    sellers; timestamps to the second over two years; the category name is the only product name, so
    one name covers hundreds of products; ~97 % of customers buy once, an order holds ~1.15 items."""
    if n_lines < 1:
        raise ValueError("n_lines must be positive")
    rng = np.random.default_rng([GENERATOR_VERSION, 7, seed, n_lines])
    sizes = _draw_total(rng, lambda k: np.minimum(rng.geometric(0.87, k), 8), n_lines, 1.15)
    n_orders = len(sizes)
    per_customer = _draw_total(rng, lambda k: np.minimum(rng.zipf(4.5, k), 15), n_orders, 1.03)
    n_customers = len(per_customer)
    order_customer = rng.permutation(np.repeat(np.arange(n_customers), per_customer))
    n_products = max(20, int(n_lines * 0.45))
    weights = 1.0 / (np.arange(n_products) + 5.0) ** 0.7  # Olist: 33k products in 113k lines
    product_cdf = np.cumsum(weights) / weights.sum()
    line_order = np.repeat(np.arange(n_orders), sizes)
    product = np.minimum(np.searchsorted(product_cdf, rng.random(n_lines), side="right"), n_products - 1)
    category = np.minimum(rng.zipf(1.6, n_products) - 1, len(MARKETPLACE_CATEGORIES) - 1)
    start = np.datetime64("2016-10-01T00:00:00").astype("int64")
    seconds = start + np.sort(rng.integers(0, 730 * 86_400, n_orders))
    price = np.round(np.exp(rng.normal(np.log(80), 0.9, n_products)), 2).clip(0.85)
    freight = np.round(rng.gamma(2.0, 10.0, n_lines), 2)
    order_ids, customer_ids = _hex_ids(rng, n_orders), _hex_ids(rng, n_customers)
    product_ids, seller_ids = _hex_ids(rng, n_products), _hex_ids(rng, max(5, n_products // 10))
    product_seller = rng.integers(0, len(seller_ids), n_products)
    take = pa.array(line_order)
    return pa.table({
        "order_id": pa.array(order_ids).take(take),
        "customer_unique_id": pa.array(customer_ids).take(pa.array(order_customer[line_order])),
        "product_id": pa.array(product_ids).take(pa.array(product)),
        "product_category_name": pa.array(MARKETPLACE_CATEGORIES).take(pa.array(category[product])),
        "order_purchase_timestamp": pa.array(seconds[line_order].astype("datetime64[s]")),
        "price": pa.array(price[product]),
        "freight_value": pa.array(freight),
        "seller_id": pa.array(seller_ids).take(pa.array(product_seller[product])),
    })


def write_marketplace_csv(table: pa.Table, path: Path) -> None:
    """As the marketplace exports it: comma-separated, `YYYY-MM-DD HH:MM:SS` timestamps."""
    dates = pc.strftime(table["order_purchase_timestamp"], format="%Y-%m-%d %H:%M:%S")
    table = table.set_column(table.schema.get_field_index("order_purchase_timestamp"), "order_purchase_timestamp",
                             dates)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def ensure_marketplace(n_lines: int = 50_000, seed: int = 0, data_dir: Path = DATA_DIR) -> Path:
    """The marketplace CSV of `n_lines`, written once and cached."""
    path = Path(data_dir) / f"marketplace-v{GENERATOR_VERSION}-s{seed}-{size_label(n_lines)}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        write_marketplace_csv(generate_marketplace(n_lines, seed), tmp)
        os.replace(tmp, path)
    return path


# --- writers -------------------------------------------------------------------------------

def write_csv(table: pa.Table, path: Path) -> None:
    """Comma-separated, header line, dates `YYYY-MM-DD HH:MM`, guests' CustomerID empty."""
    dates = pc.strftime(table["InvoiceDate"], format="%Y-%m-%d %H:%M")
    table = table.set_column(table.schema.get_field_index("InvoiceDate"), "InvoiceDate", dates)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def write_csv_dates(table: pa.Table, path: Path, layout: str) -> None:
    """As write_csv, with InvoiceDate written in `layout` (strftime)."""
    dates = pc.strftime(table["InvoiceDate"], format=layout)
    table = table.set_column(table.schema.get_field_index("InvoiceDate"), "InvoiceDate", dates)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def write_parquet(table: pa.Table, path: Path) -> None:
    """Plain string columns and no pandas metadata: what Spark, DuckDB or an ERP would write."""
    pq.write_table(table.replace_schema_metadata(None), path)


def write_xlsx(table: pa.Table, path: Path, *, batch: int = 65_536) -> None:
    """One sheet written row by row with a streaming writer (XlsxWriter constant_memory; openpyxl write-only
    when XlsxWriter is missing). Dates are real Excel dates, guests' CustomerID cells blank."""
    try:
        import xlsxwriter
    except ImportError:
        xlsxwriter = None
    if table.num_rows > EXCEL_MAX_ROWS:
        raise ValueError(f"an Excel sheet holds at most {EXCEL_MAX_ROWS:,} data rows")
    names = table.column_names
    date_col = names.index("InvoiceDate")
    if xlsxwriter is not None:
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = book.add_worksheet("Online Retail")
        date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for c, name in enumerate(names):
            sheet.write_string(0, c, name)
        row = 1
        for piece in table.to_batches(max_chunksize=batch):
            columns = [piece.column(i).to_pylist() for i in range(len(names))]
            for values in zip(*columns):
                for c, value in enumerate(values):
                    if value is None:
                        continue
                    if c == date_col:
                        sheet.write_datetime(row, c, value, date_format)
                    elif isinstance(value, str):
                        sheet.write_string(row, c, value)
                    else:
                        sheet.write_number(row, c, value)
                row += 1
        book.close()
        return
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Online Retail")
    sheet.append(names)
    for piece in table.to_batches(max_chunksize=batch):
        columns = [piece.column(i).to_pylist() for i in range(len(names))]
        for values in zip(*columns):
            cells = list(values)
            cell = WriteOnlyCell(sheet, value=cells[date_col])
            cell.number_format = "yyyy-mm-dd hh:mm"
            cells[date_col] = cell
            sheet.append(cells)
    book.save(str(path))


WRITERS = {"csv": write_csv, "parquet": write_parquet, "xlsx": write_xlsx,
           **{fmt: (lambda layout: lambda table, path: write_csv_dates(table, path, layout))(layout)
              for fmt, layout in DATE_LAYOUTS.items()}}


def input_path(n_lines: int, seed: int, fmt: str, data_dir: Path = DATA_DIR) -> Path:
    return Path(data_dir) / f"tx-v{GENERATOR_VERSION}-s{seed}-{size_label(n_lines)}.{fmt}"


def ensure_inputs(n_lines: int, seed: int = 0, formats: tuple[str, ...] = ("csv", "parquet"),
                  data_dir: Path = DATA_DIR, *, log=None) -> dict[str, Path]:
    """Paths of the inputs in each format, generating (once) those not yet cached."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    paths = {fmt: input_path(n_lines, seed, fmt, data_dir) for fmt in formats}
    missing = [fmt for fmt, path in paths.items() if not path.exists()]
    if missing:
        table = generate_table(n_lines, seed)
        for fmt in missing:
            if log:
                log(f"writing {paths[fmt].name} ({n_lines:,} lines)…")
            tmp = paths[fmt].with_name(paths[fmt].name + f".tmp{os.getpid()}")
            WRITERS[fmt](table, tmp)
            os.replace(tmp, paths[fmt])
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="number of lines: 2000, 100k, 1m, 10m …")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="output file: .csv, .parquet or .xlsx")
    parser.add_argument("--dates", choices=("iso", "dmy", "dmy-time"), default="iso",
                        help="CSV dates: YYYY-MM-DD HH:MM (default), DD/MM/YYYY, or DD/MM/YYYY HH:MM")
    parser.add_argument("--marketplace", action="store_true",
                        help="an Olist-like marketplace export (hash ids, timestamps, category names); .csv only")
    args = parser.parse_args(argv)
    fmt = args.out.suffix.lower().lstrip(".")
    if args.marketplace:
        if fmt != "csv":
            parser.error("--marketplace writes .csv only")
        write_marketplace_csv(generate_marketplace(parse_size(args.size), args.seed), args.out)
        return 0
    if fmt == "csv" and args.dates != "iso":
        fmt = f"{args.dates}.csv"
    if fmt not in WRITERS:
        parser.error("--out must end in .csv, .parquet or .xlsx")
    table = generate_table(parse_size(args.size), args.seed)
    WRITERS[fmt](table, args.out)
    print({k: round(v, 3) if isinstance(v, float) else v for k, v in describe(table).items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
