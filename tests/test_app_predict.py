"""AppTest of Valor previsto (issue 16): what the user reads on the demo data, after each choice, and the refusal."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metriqr import predict as P
from metriqr.aggregates import build_ledger
from metriqr.pipeline import load_dataset
from metriqr.segments import SEGMENTS
from metriqr.texts import fmt_int, fmt_money, fmt_num
from ui import state

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "app_pages/valor.py"
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"
# six customers, one of whom came back: far too few for the model
SMALL_CSV = """Pedido;Data;Cliente;Valor
1;05/01/2025;C01;100,00
2;10/02/2025;C01;250,00
3;06/01/2025;C02;45,00
4;15/06/2025;C03;80,00
5;02/02/2025;C04;20,00
6;11/05/2025;C05;700,00
7;28/06/2025;C06;35,00
""".encode("utf-8")


@pytest.fixture(scope="module")
def demo_prediction() -> P.Prediction:
    return P.predict(build_ledger(load_dataset(SAMPLE).cleaned.transactions), horizon_days=90)


def _page(lang: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_demo_data_shows_the_prediction_per_segment_and_the_holdout(demo_prediction):
    at = _page()
    _ok(at)
    assert at.title[0].value == "Valor previsto"
    metrics = _metrics(at)
    assert metrics["Clientes com previsão"] == fmt_int(len(demo_prediction.customers), "pt")
    assert metrics["Compras previstas em 90 dias"] == fmt_num(demo_prediction.expected_purchases, "pt", 0)
    assert metrics["Receita prevista em 90 dias"] == fmt_money(demo_prediction.predicted_revenue, "pt")
    table = at.table[0].value
    assert table.index.tolist() == [s.label("pt") for s in SEGMENTS]  # rank order, every segment has customers
    assert table["Chance média de estar ativo"].str.endswith("%").all()
    lines = " ".join(m.value for m in at.markdown)
    assert "**Em Risco**" in lines and "em jogo" in lines and "R\\$" in lines  # escaped: no Markdown math
    listing = at.dataframe[0].value
    assert listing["Receita prevista (R$)"].is_monotonic_decreasing and len(listing) == 500
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [trace["name"] for trace in chart["data"]] == ["Previsto pelo modelo", "Realizado"]
    assert chart["data"][0]["x"] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert any("Total no período de teste" in m.value for m in at.markdown)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Baixar lista (CSV)", "Baixar lista (Excel)"]


def test_horizon_and_segment_filter_follow_the_choice_and_the_url(demo_prediction):
    at = _page()
    at.get("button_group")[0].set_value(30).run()
    _ok(at)
    metrics = _metrics(at)
    assert "Compras previstas em 30 dias" in metrics
    assert at.query_params["horizon"] in (["30"], "30")
    at.selectbox(key="pred_segment").set_value("at_risk").run()
    _ok(at)
    listing = at.dataframe[0].value
    assert set(listing["Segmento"]) == {"Em Risco"}
    assert listing["Receita prevista (R$)"].is_monotonic_decreasing
    assert at.query_params["pseg"] in (["at_risk"], "at_risk")


def test_a_link_with_a_bad_horizon_shows_the_default():
    at = _page(horizon="7", pseg="<script>")
    _ok(at)
    assert "Compras previstas em 90 dias" in _metrics(at)


def test_english():
    at = _page("en", horizon="365")
    _ok(at)
    assert at.title[0].value == "Predicted value"
    assert "Predicted revenue, next 365 days" in _metrics(at)
    assert at.table[0].value.index.tolist()[0] == "Champions"


def test_too_few_repeat_customers_says_so_instead_of_showing_numbers():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.file_uploader(key="upload_0").set_value(("pouco.csv", SMALL_CSV, "text/csv")).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "Poucos clientes voltaram a comprar" in warning
    assert not at.metric and not at.table
    assert any("pelo menos 50 clientes" in c.value for c in at.caption)


def no_dropout_csv(n: int = 300, seed: int = 5) -> bytes:
    """Customers who never leave: each buys at their own Poisson rate to the end of the year, and spends
    around their own mean (so both models fit), with no dropout at all."""
    rng = np.random.default_rng(seed)
    rate, start, spend = rng.gamma(1.0, 1 / 30, n), rng.integers(0, 120, n), rng.gamma(3.0, 30.0, n)
    gaps = np.ceil(rng.exponential(1 / rate[:, None], (n, 60))).astype(int)
    days = start[:, None] + np.cumsum(gaps, axis=1) - gaps[:, :1]
    keep = days < 365
    customer = np.repeat(np.arange(n), keep.sum(axis=1))
    dates = pd.Timestamp("2025-01-01") + pd.to_timedelta(days[keep], unit="D")
    frame = pd.DataFrame({"customer": [f"C{c:03d}" for c in customer], "date": dates.strftime("%Y-%m-%d"),
                          "amount": np.round(rng.gamma(4.0, spend[customer] / 4.0), 2)})
    return frame.to_csv(index=False).encode()


def test_data_without_dropout_says_so_and_puts_nothing_at_stake():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.file_uploader(key="upload_0").set_value(("fieis.csv", no_dropout_csv(), "text/csv")).run()
    at.switch_page(PAGE).run()
    _ok(at)
    assert any("não encontra clientes que desistiram" in i.value for i in at.info)
    assert "Em jogo" not in at.table[0].value.columns
    assert not any("em jogo" in m.value for m in at.markdown)


def test_the_pages_constants_are_the_models():
    assert state.HORIZONS == P.HORIZONS and state.PARAMS["horizon"].default == P.DEFAULT_HORIZON
    tree = ast.parse((ROOT / PAGE).read_text(encoding="utf-8"))
    at_risk = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                   and getattr(node.targets[0], "id", None) == "AT_RISK")
    assert ast.literal_eval(at_risk) == P.AT_RISK_SEGMENTS
