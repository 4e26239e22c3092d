"""AppTest of workspaces: save an upload, feed it, save runs, share read-only, erase — what the user reads."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metriqr import workspace as store

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, sep=";", dtype=str, encoding="utf-8-sig")


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(sep=";", index=False).encode()


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "text", "success", "warning", "info", "error", "code")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def _save_upload(at: AppTest, name: str, data: bytes) -> str:
    at.file_uploader(key="upload_0").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception
    assert "nada do que você envia é gravado" in _texts(at)
    _button(at, "Salvar em um espaço de trabalho").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at.query_params["ws"][0] if isinstance(at.query_params["ws"], list) else at.query_params["ws"]


def test_nothing_is_written_until_the_user_saves(sample, data_dir):
    at = _app()
    at.file_uploader(key="upload_0").set_value(("vendas.csv", _csv(sample.head(5000)), "text/csv"))
    at.run()
    assert not at.exception and not data_dir.exists()


def test_save_then_add_sales_then_segments_from_the_history(sample, data_dir):
    dates = pd.to_datetime(sample["Data"], format="%d/%m/%Y")
    at = _app()
    token = _save_upload(at, "jan_a_set.csv", _csv(sample[(dates < "2026-01-01").to_numpy()]))
    access = store.resolve(token)
    assert access.role == "owner" and (data_dir / access.workspace.id).exists()
    text = _texts(at)
    assert "Espaço de trabalho criado" in text and "gravados neste servidor" in text
    assert token in text  # the owner link is shown to keep
    # a reload of the owner link opens the workspace, without any upload
    at = _app(ws=token)
    assert not at.exception
    assert any(m.label == "Linhas guardadas" for m in at.metric)
    # feed it: an overlapping later export
    later = sample[(dates >= "2025-12-01").to_numpy()]
    at.file_uploader(key="ws_upload_0").set_value(("dez_a_out.csv", _csv(later), "text/csv"))
    at.run()
    _button(at, "Adicionar ao histórico").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "substituídas" in _texts(at) and "Histórico agora de 01/11/2024 a 31/10/2026" in _texts(at)
    # Segmentação now analyses the whole history: the same customers as the whole file at once
    at.switch_page("app_pages/segmentacao.py").run()
    assert not at.exception, [e.value for e in at.exception]
    metric = {m.label: m.value for m in at.metric}
    assert metric["Clientes identificados"] == "2.700"


def test_read_only_link_shows_data_without_controls_and_masks_names(sample, data_dir):
    at = _app()
    token = _save_upload(at, "vendas.csv", _csv(sample))
    workspace = store.resolve(token).workspace
    shared = store.issue_token(workspace, role="read", mask=True)
    viewer = _app(ws=shared)
    assert not viewer.exception
    labels = {b.label for b in viewer.button}
    assert "Apagar o espaço de trabalho" not in labels and "Criar link somente leitura" not in labels
    assert not viewer.file_uploader and "Visão somente leitura" in _texts(viewer)
    assert token not in _texts(viewer)  # never the owner's link
    viewer.switch_page("app_pages/segmentacao.py").run()
    assert not viewer.exception
    names = set(sample["Cliente"])
    shown = [cell for df in viewer.dataframe for cell in df.value.astype(str).to_numpy().ravel()]
    assert any(cell.startswith("C0") for cell in shown) and not names & set(shown)  # ids only
    owner = _app(ws=token)
    owner.switch_page("app_pages/segmentacao.py").run()
    assert names & {cell for df in owner.dataframe for cell in df.value.astype(str).to_numpy().ravel()}


@pytest.mark.parametrize("bad", ["0" * 32 + ".x", "not-a-token", "../../etc"])
def test_a_wrong_link_shows_not_found_and_no_data(bad):
    at = _app(ws=bad)
    assert not at.exception
    assert [e.value for e in at.error] == ["Espaço de trabalho não encontrado. O link pode estar errado, "
                                           "ter expirado ou sido revogado."]
    assert not at.metric and not at.dataframe


def test_revoked_and_deleted_links_stop_working(sample, data_dir):
    at = _app()
    token = _save_upload(at, "vendas.csv", _csv(sample.head(4000)))
    workspace = store.resolve(token).workspace
    shared = store.issue_token(workspace)
    assert not _app(ws=shared).error
    store.revoke_token(workspace, shared)
    assert _app(ws=shared).error
    owner = _app(ws=token)
    confirm = next(c for c in owner.checkbox if "deixam de existir" in c.label)
    confirm.check().run()
    _button(owner, "Apagar o espaço de trabalho").click().run()
    assert not owner.exception
    assert "Espaço de trabalho apagado" in _texts(owner) and not workspace.path.exists()
    assert _app(ws=token).error


def test_forget_a_customer_from_the_interface(sample, data_dir):
    at = _app()
    token = _save_upload(at, "vendas.csv", _csv(sample))
    owner = _app(ws=token)
    field = next(t for t in owner.text_input if t.label == "Código do cliente a esquecer")
    field.input("C00021").run()
    _button(owner, "Esquecer cliente").click().run()
    assert "Cliente esquecido: 95 linhas apagadas" in _texts(owner)
    transactions = store.load_transactions(store.resolve(token).workspace)
    assert "C00021" not in set(transactions["customer"].astype(str))


def test_saved_runs_drive_segmentacao_and_migracao(sample, data_dir):
    import json

    at = _app()
    token = _save_upload(at, "vendas.csv", _csv(sample))
    at = _app(ws=token)
    at.switch_page("app_pages/segmentacao.py").run()
    assert "Salve esta segmentação" in _texts(at)
    at.date_input[0].set_value(pd.Timestamp("2026-05-01").date()).run()
    _button(at, "Salvar esta segmentação").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Segmentação salva (nº 1, referência 01/05/2026)" in _texts(at)
    at.date_input[0].set_value(pd.Timestamp("2026-11-01").date()).run()
    # against the saved run: each segment's change, and each customer's previous segment and since when
    table = at.table[0].value
    assert "Variação desde nº 1 (01/05/2026)" in table.columns
    assert all(str(v)[0] in "+-" for v in table["Variação desde nº 1 (01/05/2026)"])
    listing = next(df.value for df in at.dataframe if "Neste segmento desde" in df.value.columns)
    assert set(listing["Neste segmento desde"]) <= {"01/05/2026", "01/11/2026"}
    _button(at, "Salvar esta segmentação").click().run()
    assert "Segmentação salva (nº 2, referência 01/11/2026)" in _texts(at)
    # Migração offers the saved runs and draws them as saved, plus the segment sizes over time
    at.switch_page("app_pages/migracao.py").run()
    mode = next(r for r in at.radio if "Segmentações salvas" in [str(o) for o in r.options])
    assert any(r.label == "Método de pontuação" for r in at.radio)
    mode.set_value("runs").run()
    assert not at.exception, [e.value for e in at.exception]
    # saved segmentations keep the method they were made with: no method to choose there
    assert not any(r.label == "Método de pontuação" for r in at.radio)
    charts = [json.loads(c.proto.spec)["data"] for c in at.get("plotly_chart")]
    sankey = next(d for d in charts if d and d[0]["type"] == "sankey")
    areas = next(d for d in charts if d and d[0].get("stackgroup") == "one")
    assert len(areas) == 10 and len(areas[0]["x"]) == 2
    from metriqr.migration import migrate
    from metriqr.pipeline import load_dataset

    expected = migrate(load_dataset(SAMPLE).cleaned.transactions, date_from="2026-05-01", date_to="2026-11-01",
                       refit=True)
    assert sum(sankey[0]["link"]["value"]) == sum(expected.totals().values())
    assert "Uma coluna por segmentação salva" in _texts(at)


def test_the_currency_is_stored_with_the_workspace(data_dir):
    pounds = ("Invoice,InvoiceDate,CustomerID,Amount\n" + "\n".join(
        f"{i},2024-0{1 + i % 9}-1{i % 9},C{i % 7},£{10 + i}.50" for i in range(60))).encode()
    at = _app()
    token = _save_upload(at, "uk.csv", pounds)
    workspace = store.resolve(token).workspace
    assert store.stored_settings(workspace)["currency"] == "GBP"
    viewer = _app(ws=store.issue_token(workspace))
    viewer.switch_page("app_pages/segmentacao.py").run()
    assert "£" in {m.label: m.value for m in viewer.metric}["Receita líquida"]
    owner = _app(ws=token)
    next(s for s in owner.selectbox if s.label == "Moeda dos valores").set_value("EUR").run()
    assert store.stored_settings(workspace)["currency"] == "EUR"
    owner.switch_page("app_pages/segmentacao.py").run()
    assert "€" in {m.label: m.value for m in owner.metric}["Receita líquida"]
