"""What the pages say about issue 10: the balanced score rule, the also-bought order, the person's
column, customers lost to exclusions and a base where nearly everyone bought once."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# Olist-like: customer_id per order beside the person's customer_unique_id; one customer ("p9") has
# only a free line, so they appear only in excluded lines.
MARKETPLACE = """order_id,customer_id,customer_unique_id,order_status,order_purchase_timestamp,payment_value
o1,k1,p1,delivered,2017-10-02 10:56:33,38.71
o2,k2,p1,shipped,2018-07-24 20:41:37,141.46
o3,k3,p2,invoiced,2018-08-08 08:38:49,179.12
o4,k4,p3,canceled,2017-11-18 19:28:06,72.20
o5,k5,p3,delivered,2018-02-13 21:18:39,28.62
o6,k6,p4,delivered,2017-07-09 21:57:05,175.26
o7,k7,p5,delivered,2018-03-09 10:00:00,15.00
o8,k8,p9,delivered,2018-03-10 10:00:00,0.00
""".encode()


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _clean(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_segmentation_states_the_balanced_tie_rule():
    at = _app()
    at.switch_page("app_pages/segmentacao.py").run()
    captions = " ".join(c.value for c in _clean(at).caption)
    assert "Quintis equilibrados com empates" in captions and "as cinco notas são usadas" in captions


def test_also_bought_shows_its_order_and_which_pairs_are_above_chance():
    at = _app(product="10107")
    at.switch_page("app_pages/recomendacoes.py").run()
    shown = _clean(at).dataframe[0].value
    assert shown["Ordem"].tolist() == list(range(1, len(shown) + 1))
    flags = shown["Acima do acaso"].tolist()
    assert flags[0] == "sim" and flags == sorted(flags, key=lambda v: v != "sim")  # attractions first
    assert any("Ordem da lista: primeiro os produtos comprados junto mais do que o acaso" in c.value
               for c in at.caption)


def test_marketplace_upload_uses_the_person_and_says_why():
    at = _app()
    at.file_uploader(key="upload_0").set_value(("olist.csv", MARKETPLACE, "text/csv")).run()
    _clean(at)
    texts = " ".join(x.value for x in at.text)
    assert "Cliente identificado pela coluna “customer_unique_id” e não por “customer_id”" in texts
    assert "Clientes que só aparecem em linhas excluídas (fora da contagem de clientes): 1" in texts
    reasons = at.dataframe[0].value["Motivo da exclusão"].tolist()
    assert "pedido cancelado" in reasons  # "canceled" is not a sale
    at.switch_page("app_pages/segmentacao.py").run()
    assert not any("compraram uma única vez" in w.value for w in _clean(at).warning)


def test_one_time_customers_warning_on_the_segmentation_page():
    per_order = b"\n".join(b",".join(line.split(b",")[:2] + line.split(b",")[3:])
                           for line in MARKETPLACE.splitlines()) + b"\n"  # customer_unique_id removed
    at = _app()
    at.file_uploader(key="upload_0").set_value(("pedidos.csv", per_order, "text/csv")).run()
    at.switch_page("app_pages/segmentacao.py").run()
    assert any("100,0% dos clientes compraram uma única vez" in w.value for w in _clean(at).warning)
