"""Shared fixtures: the real datasets beside the repository (../shared/data).

Locally a missing dataset skips the tests that need it; under CI (env var CI set) it is
a failure, so a broken checkout can never pass by skipping the real-data checks.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

# Every text key the code asks for must exist: under test `metriqr.texts.t` raises on an unknown key
# (subprocesses such as the CLI tests inherit it).
os.environ["METRIQR_STRICT_TEXTS"] = "1"

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ONLINE_RETAIL_CSV = DATA_DIR / "online_retail.csv.gz"
GROCERIES_CSV = DATA_DIR / "groceries.csv"


def _require(path: Path) -> None:
    if path.exists():
        return
    message = f"real dataset not found: {path}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def online_retail_raw() -> pd.DataFrame:
    """UCI Online Retail as text columns, empty cells missing — the shape the app's reader returns."""
    _require(ONLINE_RETAIL_CSV)
    return pd.read_csv(ONLINE_RETAIL_CSV, dtype=str, keep_default_na=False).replace("", None)


@pytest.fixture(scope="session")
def online_retail_cleaned(online_retail_raw):
    """Online Retail cleaned with the detected mapping (computed once per session)."""
    from metriqr.cleaning import clean_transactions
    from metriqr.columns import resolve_mapping

    mapping = resolve_mapping(online_retail_raw)
    return mapping, clean_transactions(online_retail_raw, mapping)


@pytest.fixture(scope="session")
def groceries_raw() -> pd.DataFrame:
    """Kaggle Groceries, every column read as text."""
    _require(GROCERIES_CSV)
    return pd.read_csv(GROCERIES_CSV, dtype=str)
