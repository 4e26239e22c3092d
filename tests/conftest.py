"""Shared fixtures: the real datasets beside the repository (../shared/data).

Locally a missing dataset skips the tests that need it; under CI (env var CI set) it is
a failure, so a broken checkout can never pass by skipping the real-data checks.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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


# --- the browser tests' server and Chromium (one of each per test module) ---------------------

@pytest.fixture(scope="module")
def server_env() -> Iterator[None]:
    """What a module's server needs in its environment before it starts; a module overrides it."""
    yield


@pytest.fixture(scope="module")
def workspace_data_dir(tmp_path_factory) -> Iterator[Path]:
    """One data directory for a module's server and its tests (the server inherits the environment):
    a browser test module that saves workspaces overrides `server_env` to depend on this."""
    from metriqr import workspace as store

    folder = tmp_path_factory.mktemp("metriqr_data")
    previous = os.environ.get(store.DATA_DIR_ENV)
    os.environ[store.DATA_DIR_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(store.DATA_DIR_ENV, None)
    else:
        os.environ[store.DATA_DIR_ENV] = previous


@pytest.fixture(scope="module")
def server(server_env) -> Iterator[str]:
    """`streamlit run app.py` as users start it, on a free port, stopped after the module."""
    from bench.app import Server

    try:
        with Server() as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright; required (not skipped) under CI."""
    from playwright.sync_api import sync_playwright

    from bench.app import CHROMIUM_ARGS

    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
