"""AppTest of Campanhas: outside a workspace, create from a saved run's segment, measure after new sales,
and the read-only view — what the user reads."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metriqr import workspace as store
from metriqr.pipeline import load_dataset
from metriqr.segmentation import segment_ledger

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"
PAGE = "app_pages/campanhas.py"
AS_OF = pd.Timestamp("2026-07-01")


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return load_dataset(SAMPLE, name=SAMPLE.name).cleaned.transactions


def _page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "text", "success", "warning", "info", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def _workspace(history: pd.DataFrame) -> store.Workspace:
    """Sales to June and the segmentation saved at 2026-07-01."""
    workspace = store.create_workspace()
    store.ingest(workspace, history[history["date"] < AS_OF], name="ate_junho.csv", rows={})
    store.save_run(workspace, segment_ledger(store.load_ledger(workspace)))
    return workspace


def test_outside_a_workspace_the_page_says_where_campaigns_live():
    at = _page()
    text = _texts(at)
    assert "ficam guardadas num espaço de trabalho" in text and "Salvar em um espaço de trabalho" in text
    assert not any(b.label == "Criar campanha" for b in at.button)


def test_create_from_a_segment_then_measure_after_new_sales_then_read_only(history):
    workspace = _workspace(history)
    owner = store.issue_token(workspace, role="owner")
    at = _page(ws=owner)
    assert "Por que deixar clientes de fora?" in _texts(at)
    # Em Risco by default: 264 customers, 10 % would leave 26 in the control group
    assert "264 clientes: 238 no alvo, 26 no grupo de controle." in _texts(at)
    assert "use um grupo de controle de pelo menos 12%" in _texts(at)
    at.selectbox(key="camp_segment").set_value("inactive").run()
    at.text_input(key="camp_name").set_value("Reativar inativos").run()
    at.slider(key="camp_share").set_value(30).run()
    at.number_input(key="camp_seed").set_value(4).run()
    assert "no alvo" in _texts(at)
    next(b for b in at.button if b.label == "Criar campanha").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    assert "Campanha criada" in text
    stored, members = store.load_campaign(workspace, "Reativar inativos")
    assert stored["seed"] == 4 and stored["control_share"] == 0.3 and set(members["segment"]) == {"inactive"}
    table = at.dataframe[0].value
    assert table["Campanha"].tolist() == ["Reativar inativos"] and table["Situação"].tolist() == ["aguardando vendas"]
    assert "Ainda não há vendas a partir de 01/07/2026" in text
    assert [b.label for b in at.get("download_button")] == ["Baixar a lista do alvo (CSV)",
                                                            "Baixar a lista do alvo (XLSX)"]

    # new sales: July and August, and one extra purchase for 60 % of the targeted customers
    targeted = members.loc[members["group"] == "target", "customer"].to_numpy()
    planted = np.random.default_rng(1).choice(targeted, size=int(0.6 * len(targeted)), replace=False)
    later = history[(history["date"] >= AS_OF) & (history["date"] < "2026-09-01")]
    later = later[["customer", "date", "amount", "is_return", "order"]].astype({"customer": object, "order": object})
    extra = pd.DataFrame({"customer": planted, "date": pd.Timestamp("2026-07-10"), "amount": 80.0, "is_return": False,
                          "order": [f"X{i}" for i in range(len(planted))]})
    store.ingest(workspace, pd.concat([later, extra], ignore_index=True), name="jul_ago.csv", rows={})
    at = _page(ws=owner)
    text = _texts(at)
    assert "Efeito: a diferença na taxa de compra" in text and "O alvo comprou mais" in text
    assert "Vendas de 01/07/2026 a 31/08/2026 (62 dias)." in text
    groups = at.table[0].value
    assert list(groups.columns) == ["Alvo", "Controle"]
    assert groups.loc["Clientes", "Alvo"] == str(len(targeted))
    labels = [m.label for m in at.metric]
    assert labels == ["Diferença na taxa de compra", "Diferença na receita por cliente", "Receita atribuível à campanha"]
    assert "Intervalo de 95%" in text
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [trace["name"] for trace in chart["data"]] == ["Alvo", "Controle"]
    assert at.dataframe[0].value["Situação"].tolist() == ["efeito"]

    viewer = _page(ws=store.issue_token(workspace, role="read"))
    text = _texts(viewer)
    assert "não cria campanhas" in text and "Efeito:" in text
    assert not any(b.label == "Criar campanha" for b in viewer.button)
    assert not viewer.get("download_button")


def test_create_from_an_uploaded_list_and_from_a_flow(history):
    workspace = _workspace(history)
    store.save_run(workspace, segment_ledger(store.load_ledger(workspace), as_of="2026-04-01"))
    at = _page(ws=store.issue_token(workspace, role="owner"))
    at.radio(key="camp_kind").set_value("list").run()
    at.file_uploader(key="camp_list").set_value(("lista.txt", b"cliente\nC00037\nC00074\nNINGUEM\n", "text/plain"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    assert "1 código da lista não está no histórico" in text and "2 clientes: 1 no alvo, 1 no grupo" in text
    at.radio(key="camp_kind").set_value("flow").run()
    at.selectbox(key="camp_flow_from").set_value("loyal").run()
    at.selectbox(key="camp_flow_to").set_value("at_risk").run()
    at.text_input(key="camp_name").set_value("Fiéis que caíram").run()
    next(b for b in at.button if b.label == "Criar campanha").click().run()
    stored, members = store.load_campaign(workspace, "Fiéis que caíram")
    assert stored["source"]["kind"] == "flow" and set(members["segment"]) == {"at_risk"}
    assert stored["source"]["from_run"] == 2 and stored["source"]["to_run"] == 1  # April → July
    assert at.dataframe[0].value["Clientes"].tolist() == ["Fidelizados → Em Risco (nº 2 → nº 1)"]
