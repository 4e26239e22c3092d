"""The one pass over transactions: a ledger of one row per customer and day, everything else works on it.

`build_ledger` is the only reduction of cleaned lines per customer. The segmentation at any
date and look-back window, every migration snapshot and the monthly activity are sums over
slices of the ledger. Its plain-table form (`Ledger.to_frame` / `Ledger.from_frame`) is the
step to push down to a database or a cluster engine when the data outgrows one machine.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metriqr.errors import OptionError

SUMMARY_COLUMNS = ("last_purchase", "recency_days", "frequency", "monetary")


def default_as_of(data: pd.DataFrame | "Ledger") -> pd.Timestamp:
    """The day after the last transaction: every purchase of the last day counts."""
    if isinstance(data, Ledger):
        return data.after_last
    return data["date"].max().normalize() + pd.Timedelta(days=1)


def window_start(as_of: pd.Timestamp, window_days: int | None) -> pd.Timestamp | None:
    return None if not window_days else as_of - pd.Timedelta(days=int(window_days))


def check_as_of(data: pd.DataFrame | "Ledger", as_of: pd.Timestamp) -> None:
    """A reference date needs data before it."""
    first = data.first_day if isinstance(data, Ledger) else data["date"].min().normalize()
    if as_of <= first:
        raise OptionError("as_of_before_data", as_of=as_of, first=first,
                          after_last=default_as_of(data))


# --- the ledger: one row per customer and purchase day --------------------------------------

LEDGER_COLUMNS = ("customer", "day", "orders", "orders_closed", "cents", "lines", "returns", "items",
                  "first_time", "last_time")
_NO_DAY = NO_LAST_DAY = np.iinfo(np.int64).min  # "no purchase" in a per-customer array of last days
NO_FIRST_DAY = np.iinfo(np.int64).max  # … and of first days


@dataclass(frozen=True)
class Ledger:
    """The one reduction of the cleaned lines: one row per customer and day with a line.

    Every customer figure MetriQR shows (the segmentation at any date and window, each
    migration snapshot, the monthly activity) is a sum over a slice of these rows; nothing
    else reduces raw lines per customer. Rows are sorted by day, then customer, so the rows
    before a date (and after a window start) are one `searchsorted` cut each.

    Columns (numpy arrays of equal length; `to_frame` / `from_frame` give and take them as
    a plain table, for a database or another engine to build or store):

    - `code` (int64): index into `customers` (the distinct customer ids, sorted);
    - `day` (int64): the day, as days since 1970-01-01;
    - `orders` (int64): purchase occasions that begin that day: orders whose first purchase
      line is on that day (distinct purchase days when the data has no order column, so
      0 or 1); a line without an order number in data that has them is no occasion;
    - `orders_closed` (int64): purchase occasions whose last purchase line is on that day.
      An order counts in a look-back window when it is open during it: its first line is
      before the reference date and its last line on or after the window start. So an
      order whose lines fall on both sides of a window start counts once in that window,
      while only its lines inside the window count for the spend;
    - `cents` (int64): net spend that day in integer cents, returns subtracted: each line's
      value is rounded to the cent (half away from zero) once, then sums are exact and
      independent of row order, so two customers who spent the same always tie;
    - `lines` / `returns` (int64): purchase lines and return lines that day;
    - `items` (float64): units bought on the purchase lines (the number of lines when there
      is no quantity column);
    - `first_time` / `last_time` (datetime64): earliest and latest purchase line that day
      (NaT on a day with returns only).
    """

    customers: pd.Index
    code: np.ndarray
    day: np.ndarray
    orders: np.ndarray
    orders_closed: np.ndarray
    cents: np.ndarray
    lines: np.ndarray
    returns: np.ndarray
    items: np.ndarray
    first_time: np.ndarray
    last_time: np.ndarray

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "Ledger":
        """A ledger from a plain table with LEDGER_COLUMNS (one row per customer and day; `day`
        a date or days since 1970), e.g. as a database built it. Row order does not matter."""
        missing = [column for column in LEDGER_COLUMNS if column not in frame.columns]
        if missing:
            raise ValueError(f"ledger table lacks columns {missing}; expected {list(LEDGER_COLUMNS)}")
        day = frame["day"]
        if pd.api.types.is_datetime64_any_dtype(day):
            day = day.to_numpy().astype("datetime64[D]").astype(np.int64)
        else:
            day = day.to_numpy(dtype=np.int64)
        code, customers = sorted_codes(frame["customer"])
        if (code < 0).any():
            raise ValueError("ledger table has rows without a customer")
        width = np.int64(len(customers))
        order = np.argsort((day - day.min(initial=0)) * width + code, kind="stable")
        key = (day[order] - day.min(initial=0)) * width + code[order]
        if len(key) > 1 and (np.diff(key) == 0).any():
            raise ValueError("ledger table has more than one row for a customer and day")
        first, last = pd.to_datetime(frame["first_time"]).to_numpy(), pd.to_datetime(frame["last_time"]).to_numpy()
        return cls(customers=pd.Index(np.asarray(customers, dtype=object), name="customer"), code=code[order], day=day[order],
                   orders=frame["orders"].to_numpy(dtype=np.int64)[order],
                   orders_closed=frame["orders_closed"].to_numpy(dtype=np.int64)[order],
                   cents=frame["cents"].to_numpy(dtype=np.int64)[order],
                   lines=frame["lines"].to_numpy(dtype=np.int64)[order],
                   returns=frame["returns"].to_numpy(dtype=np.int64)[order],
                   items=frame["items"].to_numpy(dtype=np.float64)[order],
                   first_time=first[order], last_time=last.astype(first.dtype)[order])

    def to_frame(self) -> pd.DataFrame:
        """The ledger as a plain table with LEDGER_COLUMNS (`day` as a date), for storage."""
        return pd.DataFrame({
            "customer": self.customers.to_numpy(dtype=object)[self.code],
            "day": self.day.astype("datetime64[D]").astype(self.first_time.dtype),
            "orders": self.orders, "orders_closed": self.orders_closed, "cents": self.cents,
            "lines": self.lines, "returns": self.returns, "items": self.items,
            "first_time": self.first_time, "last_time": self.last_time})

    # --- bounds ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.day)

    @property
    def first_day(self) -> pd.Timestamp:
        """The first day with any line."""
        return pd.Timestamp(np.datetime64(int(self.day[0]), "D"))

    @property
    def after_last(self) -> pd.Timestamp:
        """The day after the last line: the default reference date (every sale counts)."""
        return pd.Timestamp(np.datetime64(int(self.day[-1]) + 1, "D"))

    @property
    def first_purchase(self) -> pd.Timestamp:
        return pd.Timestamp(self.first_time[self.lines > 0].min())

    @property
    def first_purchase_day(self) -> pd.Timestamp:
        return self.first_purchase.normalize()

    def _cuts(self, as_of: pd.Timestamp, window_days: int | None) -> tuple[int, int]:
        """Rows [lo, hi): on or after the window start and before `as_of`."""
        end = _day_number(as_of)
        hi = int(np.searchsorted(self.day, end, side="left"))
        lo = 0 if not window_days else int(np.searchsorted(self.day, end - int(window_days), side="left"))
        return lo, hi

    # --- derived tables -------------------------------------------------------------------

    def summary(self, as_of: pd.Timestamp, window_days: int | None = None) -> pd.DataFrame:
        """Recency, frequency and net spend per customer who bought in the window before `as_of`."""
        return self.summary_positions(as_of, window_days)[0]

    def summary_positions(self, as_of: pd.Timestamp,
                          window_days: int | None = None) -> tuple[pd.DataFrame, np.ndarray]:
        """The summary and its customers' positions in `customers` (to join snapshots on integers)."""
        lo, hi = self._cuts(as_of, window_days)
        size = len(self.customers)
        code = self.code[lo:hi]
        bought = self.lines[lo:hi] > 0
        if not bought.any():
            start = window_start(as_of, window_days)
            if start is None:  # no window was chosen: do not speak of one
                raise OptionError("no_purchases_before", end=as_of - pd.Timedelta(days=1))
            raise OptionError("no_customers_in_window",
                              start=start if start is not None else self.first_day,
                              end=as_of - pd.Timedelta(days=1))
        # Open orders: begun before as_of, minus those closed before the window start.
        frequency = np.bincount(self.code[:hi], weights=self.orders[:hi], minlength=size)
        if lo:
            frequency -= np.bincount(self.code[:lo], weights=self.orders_closed[:lo], minlength=size)
        cents = np.bincount(code, weights=self.cents[lo:hi], minlength=size)  # exact below 2**53 cents
        last = self.purchase_days(lo, hi)[1]
        positions = np.flatnonzero(last != _NO_DAY)
        last_days = last[positions]
        frame = pd.DataFrame({
            "last_purchase": last_days.astype("datetime64[D]").astype(self.first_time.dtype),
            "recency_days": (_day_number(as_of) - last_days).astype(np.int64),
            "frequency": frequency[positions].astype(np.int64),
            "monetary": np.round(cents[positions]) / 100,
        }, index=self.customers[positions])
        return frame, positions

    def purchase_days(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Per customer (indexed like `customers`), the first and the last day with a purchase line
        among rows [lo, hi); NO_FIRST_DAY / NO_LAST_DAY for a customer with none there."""
        code, day, bought = self.code[lo:hi], self.day[lo:hi], self.lines[lo:hi] > 0
        first = np.full(len(self.customers), NO_FIRST_DAY, dtype=np.int64)
        last = np.full(len(self.customers), NO_LAST_DAY, dtype=np.int64)
        np.minimum.at(first, code[bought], day[bought])
        np.maximum.at(last, code[bought], day[bought])
        return first, last

    def purchase_span(self, as_of: pd.Timestamp,
                      window_days: int | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last purchase line (timestamps) in the window before `as_of`."""
        lo, hi = self._cuts(as_of, window_days)
        bought = self.lines[lo:hi] > 0
        if not bought.any():
            return pd.NaT, pd.NaT
        return (pd.Timestamp(self.first_time[lo:hi][bought].min()),
                pd.Timestamp(self.last_time[lo:hi][bought].max()))

    def monthly(self) -> pd.DataFrame:
        """Per calendar month, empty months included: lines, distinct customers and net revenue.

        Shown on the data page as a sanity check: a gap or a spike is how wrongly read dates show.
        """
        month = self.day.astype("datetime64[D]").astype("datetime64[M]")
        first, last = month.min(), month.max()
        index = (month - first).astype(np.int64)
        n = int((last - first).astype(np.int64)) + 1
        width = np.int64(len(self.customers))
        seen = pd.unique(index * width + self.code)  # distinct (month, customer)
        cents = np.bincount(index, weights=self.cents, minlength=n)
        return pd.DataFrame({
            "month": np.arange(first, last + 1).astype("datetime64[ns]"),
            "lines": np.bincount(index, weights=self.lines + self.returns, minlength=n).astype(np.int64),
            "customers": np.bincount(seen // width, minlength=n),
            "revenue": np.round(cents) / 100,
        })


def _day_number(value: pd.Timestamp) -> int:
    return int(np.datetime64(pd.Timestamp(value).normalize().date(), "D").astype(np.int64))


def to_cents(amount: np.ndarray) -> np.ndarray:
    """Line values → integer cents, half away from zero (1.005 → 101: the float noise of ×100 is
    rounded off first)."""
    scaled = np.round(np.asarray(amount, dtype=np.float64) * 100, 6)
    return (np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)).astype(np.int64)


def build_ledger(transactions: pd.DataFrame) -> Ledger:
    """The one vectorised pass over the cleaned lines (columns customer, date, amount,
    is_return; order and quantity when present). Row order never matters."""
    code, customers = sorted_codes(transactions["customer"])
    valid = code >= 0  # a line without a customer cannot be attributed (cleaning drops them anyway)
    stamps = transactions["date"].to_numpy()[valid]
    code = code[valid]
    if not len(code):
        raise OptionError("no_customers_in_window", start=pd.NaT, end=pd.NaT)
    used = np.bincount(code, minlength=len(customers)) > 0  # categoricals keep unused ids
    if not used.all():
        customers, code = customers[used], (np.cumsum(used) - 1)[code]
    size = np.int64(len(customers))
    day = stamps.astype("datetime64[D]").astype(np.int64)  # floor to the day, also before 1970
    is_return = transactions["is_return"].to_numpy(dtype=bool)[valid]
    purchase = ~is_return
    cents = to_cents(transactions["amount"].to_numpy(dtype=np.float64)[valid])

    first_day = int(day.min())
    row_of, keys = _sorted_groups((day - first_day) * size + code)  # sorted by day, then customer
    rows = len(keys)
    row_code, row_day = keys % size, keys // size + first_day
    lines = np.bincount(row_of[purchase], minlength=rows)
    if "quantity" in transactions:
        quantity = np.abs(transactions["quantity"].to_numpy(dtype=np.float64)[valid][purchase])
        items = np.bincount(row_of[purchase], weights=np.where(np.isnan(quantity), 1.0, quantity), minlength=rows)
    else:
        items = lines.astype(np.float64)
    stamp = stamps.view(np.int64)
    first_time = np.full(rows, np.iinfo(np.int64).max, dtype=np.int64)
    last_time = np.full(rows, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first_time, row_of[purchase], stamp[purchase])
    np.maximum.at(last_time, row_of[purchase], stamp[purchase])
    nat = lines == 0
    first_time[nat] = last_time[nat] = np.iinfo(np.int64).min  # NaT

    if "order" in transactions:
        order = sorted_codes(transactions["order"])[0][valid]
        counted = purchase & (order >= 0)  # a line without an order number is no occasion
        orders = np.zeros(rows, dtype=np.int64)
        closed = np.zeros(rows, dtype=np.int64)
        if counted.any():  # an order is a (customer, order number) pair: exports reuse numbers
            pair = _order_pairs(code[counted], order[counted])
            pair_row = row_of[counted]  # rows are in day order, so the first row is the first day
            begins = np.full(int(pair.max()) + 1, rows, dtype=np.int64)
            ends = np.full(int(pair.max()) + 1, -1, dtype=np.int64)
            np.minimum.at(begins, pair, pair_row)
            np.maximum.at(ends, pair, pair_row)
            seen = ends >= 0  # order ids may have gaps (numbers used only on other lines)
            orders = np.bincount(begins[seen], minlength=rows)
            closed = np.bincount(ends[seen], minlength=rows)
    else:  # without an order column an occasion is a purchase day
        orders = closed = (lines > 0).astype(np.int64)
    return Ledger(customers=pd.Index(np.asarray(customers, dtype=object), name="customer"),
                  code=row_code.astype(np.int64), day=row_day.astype(np.int64),
                  orders=orders.astype(np.int64), orders_closed=closed.astype(np.int64),
                  cents=np.bincount(row_of, weights=cents, minlength=rows).round().astype(np.int64),
                  lines=lines.astype(np.int64), returns=np.bincount(row_of[is_return], minlength=rows).astype(np.int64),
                  items=items, first_time=first_time.view(stamps.dtype), last_time=last_time.view(stamps.dtype))


def _sorted_groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group of each value, distinct values sorted): pd.factorize(sort=True) by one stable sort,
    which on a million integer keys costs half of hashing them and sorting the uniques."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.empty(len(key), dtype=np.int64)
    group[order] = np.cumsum(starts) - 1
    return group, ordered[starts]


def _order_pairs(code: np.ndarray, order: np.ndarray) -> np.ndarray:
    """An id per (customer, order number). An order number normally belongs to one customer: then
    it is that id already, with no hashing; otherwise the pairs are numbered."""
    owner = np.full(int(order.max()) + 1, -1, dtype=np.int64)
    owner[order] = code
    if np.array_equal(owner[order], code):
        return order.astype(np.int64)
    return pd.factorize(code * np.int64(order.max() + 1) + order)[0].astype(np.int64)


def ledger_of(data: pd.DataFrame | Ledger) -> Ledger:
    """The ledger itself, or built from cleaned transactions."""
    return data if isinstance(data, Ledger) else build_ledger(data)


def customer_summary(transactions: pd.DataFrame | Ledger, *, as_of: pd.Timestamp,
                     window_days: int | None = None) -> pd.DataFrame:
    """Recency, frequency and net spend per customer, from transactions dated before `as_of`.

    Frequency counts purchase occasions: distinct orders when there is an order column,
    else distinct purchase days; returns are never occasions but reduce the net spend.
    Only customers with at least one purchase in the window are kept. A view on the ledger.
    """
    return ledger_of(transactions).summary(pd.Timestamp(as_of).normalize(), window_days)


def sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row, distinct values sorted); a missing value is code −1. Cleaning hands
    over categoricals with sorted categories, whose codes are used as they are."""
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.is_monotonic_increasing:
        return values.cat.codes.to_numpy().astype(np.int64), np.asarray(values.cat.categories, dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):  # factorize would sort by category order
        values = values.astype(object)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def monthly_activity(data: pd.DataFrame | Ledger) -> pd.DataFrame:
    """Per calendar month, empty months included: lines, distinct customers and net revenue (Ledger.monthly)."""
    return ledger_of(data).monthly()


def customer_names(transactions: pd.DataFrame) -> pd.Series | None:
    """Each customer's most recent name, when the data has a name column (for campaign lists)."""
    if "customer_name" not in transactions:
        return None
    latest = transactions.sort_values("date", kind="stable").drop_duplicates("customer", keep="last")
    return latest.set_index("customer")["customer_name"]


CONTACT_COLUMNS = ("customer_name", "email", "phone")


def customer_contacts(transactions: pd.DataFrame) -> pd.DataFrame | None:
    """Each customer's most recent name, e-mail and phone (the columns the data has), so that a
    customer list feeds an e-mail or WhatsApp tool directly; None when the data has none."""
    present = [c for c in CONTACT_COLUMNS if c in transactions]
    if not present:
        return None
    latest = transactions.sort_values("date", kind="stable")[["customer", *present]]
    # the latest known value of each contact column (a blank in the last sale keeps the earlier one)
    latest = latest.astype({c: object for c in ["customer", *present]})
    return latest.groupby("customer", sort=True)[present].last()
