"""Interface strings in pt-BR and English, and number/currency/date formatting.

A plain catalogue and a `t(key, lang)` helper: no process-wide gettext, so two users in
two languages never see each other's strings. It is the one home of every user-facing text,
segment labels and actions included (`segment.<key>.label`, `segment.<key>.action`); the
other properties of the segments live in `metriqr.segments`.
"""
from __future__ import annotations

import math
import os
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


# Currencies a user can choose (code → symbol). The currency is a setting passed down to
# every formatter, never a constant: Online Retail is in pounds, a Brazilian export in reais.
CURRENCIES: dict[str, str] = {"BRL": "R$", "USD": "US$", "EUR": "€", "GBP": "£", "ARS": "AR$", "CLP": "CLP$",
                              "MXN": "MX$", "CAD": "CA$", "AUD": "A$", "JPY": "¥", "CHF": "CHF"}
DEFAULT_CURRENCY = "BRL"


def currency_symbol(currency: str | None = DEFAULT_CURRENCY) -> str:
    return CURRENCIES.get(str(currency or DEFAULT_CURRENCY).upper(), CURRENCIES[DEFAULT_CURRENCY])


def _with_symbol(number: str, currency: str | None, lang: str) -> str:
    """`R$ 1.234,56` in pt; in English a one-character symbol sticks to the number (`£1,234.56`)."""
    symbol = currency_symbol(currency)
    return f"{symbol}{number}" if lang == "en" and len(symbol) == 1 else f"{symbol} {number}"


def fmt_money(value: float | None, lang: str = DEFAULT_LANG, currency: str | None = DEFAULT_CURRENCY) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "-" if value < 0 else ""
    return sign + _with_symbol(_group(abs(float(value)), 2, lang), currency, lang)


_SHORT = {"pt": ((1e9, "bi"), (1e6, "mi"), (1e3, "mil")), "en": ((1e9, "B"), (1e6, "M"), (1e3, "k"))}


def fmt_short(value: float, lang: str = DEFAULT_LANG, currency: str | None = None) -> str:
    """An axis tick as people say it: `R$ 60 mil`, `R$ 1,5 mi` (pt); `R$60k`, `£1.5M` (en).

    `currency=None` gives a plain count (`60 mil`, `60k`)."""
    sign, value = ("-" if value < 0 else ""), abs(float(value))
    for size, unit in _SHORT["en" if lang == "en" else "pt"]:
        if value >= size:
            number = _group(value / size, 2, lang)
            number = number.rstrip("0").rstrip(",." if lang == "pt" else ".").rstrip(",") if \
                ("," if lang == "pt" else ".") in number else number
            number = f"{number}{unit}" if lang == "en" else f"{number} {unit}"
            break
    else:
        number = _group(value, 0, lang)
    return sign + (number if currency is None else _with_symbol(number, currency, lang))


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


MONTHS = {"pt": ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


def fmt_month(value: date | datetime | pd.Timestamp, lang: str = DEFAULT_LANG) -> str:
    """A month as people write it: "mar/2024", "Mar 2024"."""
    value = pd.Timestamp(value)
    name = MONTHS["en" if lang == "en" else "pt"][value.month - 1]
    return f"{name} {value.year}" if lang == "en" else f"{name}/{value.year}"


# --- the catalogue ---------------------------------------------------------------------
# Keys are grouped by prefix: app.*, data.*, seg.*, report.*, error.*, reason.*, role.*.

CATALOGUE: dict[str, dict[str, str]] = {

    # application frame
    "app.title": {"pt": "MetriQR · Segmentação de clientes", "en": "MetriQR · Customer segmentation"},
    "app.source": {"pt": "Dados em uso", "en": "Data in use"},
    "app.demo_badge": {"pt": "Dados de demonstração: {name}", "en": "Demo data: {name}"},
    "app.upload_badge": {"pt": "Sua planilha: {name}", "en": "Your spreadsheet: {name}"},
    "app.change_data": {"pt": "Troque os dados na página Dados.", "en": "Change the data on the Data page."},
    "app.privacy": {"pt": "Sua planilha fica só na memória desta sessão: não é gravada em disco nem vista por outros usuários.",
                    "en": "Your spreadsheet stays in this session's memory only: it is not written to disk or seen by other users."},
    "app.unexpected": {"pt": "Algo deu errado ao processar os dados. Tente de novo; se persistir, envie o arquivo à equipe MetriQR.",
                       "en": "Something went wrong while processing the data. Try again; if it persists, send the file to the MetriQR team."},
    "app.lang_name.pt": {"pt": "Português", "en": "Português"},
    "app.lang_name.en": {"pt": "English", "en": "English"},
    "page.data": {"pt": "Dados", "en": "Data"},
    "page.segmentation": {"pt": "Segmentação", "en": "Segmentation"},
    "page.migration": {"pt": "Migração", "en": "Migration"},
    "page.recommendations": {"pt": "Recomendações", "en": "Recommendations"},
    "role.customer": {"pt": "Cliente", "en": "Customer"},
    "role.date": {"pt": "Data", "en": "Date"},
    "role.amount": {"pt": "Valor", "en": "Amount"},
    "role.quantity": {"pt": "Quantidade", "en": "Quantity"},
    "role.unit_price": {"pt": "Preço unitário", "en": "Unit price"},
    "role.order": {"pt": "Pedido", "en": "Order"},
    "role.product": {"pt": "Produto (código)", "en": "Product (code)"},
    "role.product_name": {"pt": "Produto (nome)", "en": "Product (name)"},
    "role.customer_name": {"pt": "Nome do cliente", "en": "Customer name"},
    "role.status": {"pt": "Situação do pedido", "en": "Order status"},
    # Dados page
    "data.title": {"pt": "Dados", "en": "Data"},
    "data.intro": {"pt": "Envie a planilha de vendas exportada do seu sistema (PDV, ERP ou loja virtual). Uma linha por item vendido ou por compra, com cliente, data e valor.",
                   "en": "Upload the sales spreadsheet exported from your system (POS, ERP or online store). One row per item sold or per purchase, with customer, date and amount."},
    "data.upload": {"pt": "Planilha de vendas (.xlsx, .csv, .txt ou .parquet)", "en": "Sales spreadsheet (.xlsx, .csv, .txt or .parquet)"},
    "data.upload_help": {"pt": "CSV brasileiro funciona direto: separador “;”, vírgula decimal, R$ e datas dd/mm/aaaa.",
                         "en": "Brazilian CSV works as is: “;” separator, decimal comma, R$ and dd/mm/yyyy dates."},
    "data.demo_note": {"pt": "Você está vendo os **dados de demonstração** (uma loja fictícia, dois anos de vendas). Envie sua planilha acima para analisar os seus clientes.",
                       "en": "You are looking at the **demo data** (a fictitious store, two years of sales). Upload your spreadsheet above to analyse your own customers."},
    "data.back_to_demo": {"pt": "Voltar aos dados de demonstração", "en": "Back to the demo data"},
    "data.reading": {"pt": "Lendo a planilha…", "en": "Reading the spreadsheet…"},
    "data.cleaning": {"pt": "Conferindo e limpando as linhas…", "en": "Checking and cleaning the rows…"},
    "data.sheet": {"pt": "Aba da planilha", "en": "Sheet"},
    "data.mapping": {"pt": "Colunas", "en": "Columns"},
    "data.mapping_help": {"pt": "Detectamos o papel de cada coluna pelo título e pelos valores. Corrija se algo estiver errado: cliente e data são obrigatórios; valor (ou quantidade × preço unitário) dá o gasto; produto é usado nas recomendações.",
                          "en": "Each column's role was detected from its title and values. Correct anything wrong: customer and date are required; amount (or quantity × unit price) gives the spend; product is used for recommendations."},
    "data.not_used": {"pt": "— não usar —", "en": "— not used —"},
    "data.required": {"pt": "obrigatório", "en": "required"},
    "data.report": {"pt": "Relatório de limpeza", "en": "Cleaning report"},
    "data.rows_read": {"pt": "Linhas lidas", "en": "Rows read"},
    "data.rows_used": {"pt": "Linhas usadas", "en": "Rows used"},
    "data.rows_excluded": {"pt": "Linhas excluídas", "en": "Rows excluded"},
    "data.returns": {"pt": "Devoluções usadas", "en": "Returns used"},
    "data.balance": {"pt": "{read} linhas lidas = {used} usadas + {excluded} excluídas.",
                     "en": "{read} rows read = {used} used + {excluded} excluded."},
    "data.reason": {"pt": "Motivo da exclusão", "en": "Reason excluded"},
    "data.count": {"pt": "Linhas", "en": "Rows"},
    "data.examples": {"pt": "Exemplos (linha do arquivo: valor)", "en": "Examples (file line: value)"},
    "data.none_excluded": {"pt": "Nenhuma linha foi excluída.", "en": "No row was excluded."},
    "data.policy": {"pt": "Regras: devoluções e cancelamentos (quantidade ou valor negativos) abatem o valor gasto pelo cliente, mas não contam como compra. Linhas sem cliente identificado, linhas de total, datas ou valores ilegíveis, pedidos com situação “cancelado”, linhas repetidas no mesmo pedido e linhas de valor zero ficam de fora — cada uma contada acima pelo motivo.",
                    "en": "Rules: returns and cancellations (negative quantity or amount) reduce the customer's spend but are not counted as purchases. Rows without an identified customer, totals lines, unreadable dates or amounts, orders with a “cancelled” status, lines repeated within the same order and zero-value lines are left out — each counted above by reason."},
    "data.basis_items": {"pt": "Esta planilha não tem coluna de valor nem de preço: o “valor” de cada cliente é o número de itens comprados.",
                         "en": "This spreadsheet has no amount or price column: each customer's “value” is the number of items bought."},
    "data.basis_qxp": {"pt": "Sem coluna de valor total: o valor de cada linha é quantidade × preço unitário.",
                       "en": "No total amount column: each line's value is quantity × unit price."},
    "data.period": {"pt": "Período das vendas: {first} a {last} · formato de data lido: {fmt}",
                    "en": "Sales period: {first} to {last} · date format read: {fmt}"},
    "data.format_native": {"pt": "datas da própria planilha", "en": "the spreadsheet's own dates"},
    "data.format_excel": {"pt": "números de data do Excel", "en": "Excel date numbers"},
    "data.preview": {"pt": "Primeiras linhas da planilha", "en": "First rows of the spreadsheet"},
    "data.header_found": {"pt": "Cabeçalho encontrado na linha {line} do arquivo.", "en": "Header found on line {line} of the file."},
    "data.monthly_title": {"pt": "Vendas por mês", "en": "Sales per month"},
    "data.monthly_help": {"pt": "Confira o período e o ritmo das vendas: um mês vazio ou um pico estranho costuma "
                                "indicar datas lidas no formato errado ou um arquivo incompleto.",
                          "en": "Check the period and the pace of sales: an empty month or an odd spike usually "
                                "means dates read in the wrong format or an incomplete file."},
    "data.monthly_revenue": {"pt": "Receita líquida", "en": "Net revenue"},
    "data.monthly_lines": {"pt": "Linhas", "en": "Lines"},
    "data.monthly_customers": {"pt": "Clientes", "en": "Customers"},
    "data.go_segmentation": {"pt": "Ver a segmentação →", "en": "See the segmentation →"},
    # the ten segments (labels and recommended actions) and their tiers
    "segment.champions.label": {"pt": "Campeões", "en": "Champions"},
    "segment.champions.action": {"pt": "Recompense: acesso antecipado a novidades, brindes e convites exclusivos. São os primeiros a experimentar e os que mais indicam a loja.",
                                "en": "Reward them: early access to new products, gifts and exclusive invitations. They try new things first and recommend you the most."},
    "segment.loyal.label": {"pt": "Fidelizados", "en": "Loyal"},
    "segment.loyal.action": {"pt": "Ofereça produtos de maior valor alinhados ao gosto de cada um e peça a opinião deles sobre a loja.",
                                "en": "Offer higher-value products that match their taste and ask for their opinion of the business."},
    "segment.potential_loyalist.label": {"pt": "Quase Fidelizados", "en": "Potential Loyalists"},
    "segment.potential_loyalist.action": {"pt": "Convide para o programa de fidelidade e recomende complementos do que já costumam comprar.",
                                "en": "Invite them to the loyalty programme and recommend complements to what they usually buy."},
    "segment.new.label": {"pt": "Novos Clientes", "en": "New Customers"},
    "segment.new.action": {"pt": "Esteja por perto: boas-vindas, ajuda na primeira experiência e algo de valor logo no início da relação.",
                                "en": "Be there for them: a welcome, help with the first experience and something of value early in the relationship."},
    "segment.promising.label": {"pt": "Promissores", "en": "Promising"},
    "segment.promising.action": {"pt": "Torne a marca memorável: ofertas do tipo leve 2 pague 1 e amostras incentivam a segunda compra.",
                                "en": "Make the brand memorable: buy-one-get-one offers and samples encourage the next purchase."},
    "segment.need_attention.label": {"pt": "Atenção", "en": "Need Attention"},
    "segment.need_attention.action": {"pt": "Ofertas por tempo limitado e recomendações pessoais a partir das compras anteriores.",
                                "en": "Time-limited offers and personal recommendations based on past purchases."},
    "segment.about_to_sleep.label": {"pt": "Adormecendo", "en": "About to Sleep"},
    "segment.about_to_sleep.action": {"pt": "Reconecte: lembre o que a loja oferece de melhor que a concorrência, com produtos populares e condições especiais.",
                                "en": "Reconnect: remind them what the business does better than competitors, with popular products and special terms."},
    "segment.cant_lose.label": {"pt": "Reconquistar", "en": "Can't Lose Them"},
    "segment.cant_lose.action": {"pt": "Descubra por que a relação esfriou (pesquisa curta) e ofereça algo em troca da resposta para trazê-los de volta.",
                                "en": "Find out why the relationship ended (short survey) and win them back with something in exchange for their feedback."},
    "segment.at_risk.label": {"pt": "Em Risco", "en": "At Risk"},
    "segment.at_risk.action": {"pt": "Contato pessoal e direto: ligação ou mensagem individual, com uma oferta pensada para cada cliente.",
                                "en": "Personal, direct contact: a call or individual message, with an offer made for each customer."},
    "segment.inactive.label": {"pt": "Inativos", "en": "Hibernating / Lost"},
    "segment.inactive.action": {"pt": "Produtos relevantes podem reativá-los; mantenha a marca presente sem excesso de mensagens.",
                                "en": "Relevant products may reactivate them; keep the brand present without too many messages."},
    "segment.new_in_period.label": {"pt": "Novos no período", "en": "New in the period"},
    "tier.top.label": {"pt": "Topo", "en": "Top"},
    "tier.top.advice": {"pt": "poucas mensagens, novidades e experiências.", "en": "few messages, novelty and experiences."},
    "tier.middle.label": {"pt": "Meio", "en": "Middle"},
    "tier.middle.advice": {"pt": "promoções e ofertas.", "en": "promotions and offers."},
    "tier.bottom.label": {"pt": "Base", "en": "Bottom"},
    "tier.bottom.advice": {"pt": "mensagens precisas, na medida certa.", "en": "precise messages in the right amount."},

    # Segmentação page
    "seg.title": {"pt": "Segmentação de clientes (RFM)", "en": "Customer segmentation (RFM)"},
    "seg.as_of": {"pt": "Data de referência", "en": "Reference date"},
    "seg.as_of_help": {"pt": "Compras até o dia anterior entram na análise. Padrão: o dia seguinte à última venda.",
                       "en": "Purchases up to the day before count. Default: the day after the last sale."},
    "seg.window": {"pt": "Histórico considerado", "en": "History considered"},
    "seg.window_all": {"pt": "Todo o histórico", "en": "All history"},
    "seg.window_months": {"pt": "Últimos {n} meses", "en": "Last {n} months"},
    "seg.method": {"pt": "Método de pontuação", "en": "Scoring method"},
    "seg.method_quantile": {"pt": "Quintis (padrão)", "en": "Quintiles (default)"},
    "seg.method_kmeans": {"pt": "Aprendizado de máquina (k-means)", "en": "Machine learning (k-means)"},
    "seg.customers": {"pt": "Clientes identificados", "en": "Customers identified"},
    "seg.occasions": {"pt": "Compras", "en": "Purchases"},
    "seg.revenue": {"pt": "Receita líquida", "en": "Net revenue"},
    "seg.period_line": {"pt": "Compras de {first} a {last} · data de referência {as_of} (recência contada até ela)",
                        "en": "Purchases from {first} to {last} · reference date {as_of} (recency counted up to it)"},
    "seg.share_chart": {"pt": "Participação de cada segmento nos clientes", "en": "Each segment's share of customers"},
    "seg.table": {"pt": "Segmentos", "en": "Segments"},
    "seg.how": {"pt": "Como os segmentos são definidos", "en": "How the segments are defined"},
    "seg.how_text": {"pt": "Cada cliente recebe três notas de 1 a 5: **R** (recência: há quantos dias foi a última compra; 5 = mais recente), **F** (frequência: número de compras) e **M** (valor líquido gasto). O segmento vem da nota R e da nota FM (média de F e M, arredondada para cima a partir de ,5), conforme o mapa abaixo; o número em cada célula é a quantidade de clientes.",
                     "en": "Each customer gets three scores from 1 to 5: **R** (recency: days since the last purchase; 5 = most recent), **F** (frequency: number of purchases) and **M** (net amount spent). The segment comes from the R score and the FM score (the mean of F and M, rounded half up), on the map below; the number in each cell is how many customers are there."},
    "seg.thresholds": {"pt": "Limites das notas", "en": "Score thresholds"},
    "seg.rule_quantile": {"pt": "Quintis equilibrados com empates: os quatro limites são valores observados, em ordem estritamente crescente, escolhidos para que a parte dos clientes com valor até cada limite fique o mais perto possível de 20%, 40%, 60% e 80% (mínimos quadrados, solução exata). Sem empates são os quintis de sempre; quando muitos clientes têm o mesmo valor (a maioria compra uma vez só), eles ficam juntos numa nota e os demais se dividem pelas outras, de modo que as cinco notas são usadas sempre que a medida tem pelo menos cinco valores diferentes. Regra de empate: a nota de F e de M é 1 + o número de limites estritamente abaixo do valor do cliente; a nota de R é 5 − o número de limites abaixo da recência. Valores iguais recebem sempre a mesma nota, e a ordem das linhas não muda nada.",
                          "en": "Balanced tie-aware quintiles: the four thresholds are observed values, strictly increasing, chosen so that the share of customers at or below each threshold comes as close as possible to 20%, 40%, 60% and 80% (least squares, solved exactly). Without ties these are the usual quintiles; when many customers share a value (most buy only once) they stay together in one score and the others split across the remaining scores, so all five scores are used whenever a measure has at least five distinct values. Tie rule: the F and M score is 1 + the number of thresholds strictly below the customer's value; the R score is 5 − the number of thresholds below the recency. Equal values always get the same score, and row order changes nothing."},
    "seg.rule_kmeans": {"pt": "Aprendizado de máquina: para cada medida, um agrupamento k-means em uma dimensão (scikit-learn, 5 grupos, escala logarítmica para F e M) separa os clientes; os limites são os pontos médios entre os centros dos grupos. Mesma regra de empate dos quintis.",
                        "en": "Machine learning: for each measure, a one-dimensional k-means clustering (scikit-learn, 5 groups, log scale for F and M) separates the customers; the thresholds are the midpoints between the group centres. Same tie rule as quintiles."},
    "seg.measure": {"pt": "Medida", "en": "Measure"},
    "seg.limit": {"pt": "Limite {n}", "en": "Threshold {n}"},
    "seg.recency": {"pt": "Recência (dias)", "en": "Recency (days)"},
    "seg.frequency": {"pt": "Frequência (compras)", "en": "Frequency (purchases)"},
    "seg.monetary": {"pt": "Valor líquido", "en": "Net spend"},
    "seg.actions": {"pt": "O que fazer com cada segmento", "en": "What to do with each segment"},
    "seg.card_count": {"pt": "{n} clientes · {share}", "en": "{n} customers · {share}"},
    "seg.drill": {"pt": "Clientes do segmento", "en": "Customers in the segment"},
    "seg.pick_segment": {"pt": "Segmento", "en": "Segment"},
    "seg.empty_segment": {"pt": "Nenhum cliente neste segmento na data de referência.", "en": "No customer in this segment at the reference date."},
    "seg.download_csv": {"pt": "Baixar lista (CSV)", "en": "Download list (CSV)"},
    "seg.download_xlsx": {"pt": "Baixar lista (XLSX)", "en": "Download list (XLSX)"},
    "seg.download_all": {"pt": "Baixar relatório completo (XLSX: resumo + uma aba por segmento)", "en": "Download full report (XLSX: summary + one sheet per segment)"},
    "seg.showing": {"pt": "Mostrando os {shown} maiores de {n} clientes por valor; o download traz todos.",
                    "en": "Showing the top {shown} of {n} customers by value; the download has them all."},
    "seg.computing": {"pt": "Calculando a segmentação…", "en": "Computing the segmentation…"},

    # migration analysis: kinds of move, cadences, readings of notable flows
    "mig.kind.progressed": {"pt": "Avançaram", "en": "Progressed"},
    "mig.kind.regressed": {"pt": "Recuaram", "en": "Regressed"},
    "mig.kind.stayed": {"pt": "Ficaram", "en": "Stayed"},
    "mig.kind.entered": {"pt": "Entraram", "en": "Entered"},
    "mig.cadence.weekly": {"pt": "semanal", "en": "weekly"},
    "mig.cadence.fortnightly": {"pt": "quinzenal", "en": "fortnightly"},
    "mig.cadence.monthly": {"pt": "mensal", "en": "monthly"},
    "mig.cadence.quarterly": {"pt": "trimestral", "en": "quarterly"},
    "mig.customers_one": {"pt": "{n} cliente", "en": "{n} customer"},
    "mig.customers_many": {"pt": "{n} clientes", "en": "{n} customers"},
    "mig.share_of_segment": {"pt": "{share} de quem estava em {source}", "en": "{share} of those in {source}"},
    "mig.share_of_new": {"pt": "{share} dos clientes novos no período",
                         "en": "{share} of the customers new in the period"},
    "mig.flow_head": {"pt": "{source} → {target}: {count} ({share}).", "en": "{source} → {target}: {count} ({share})."},
    "mig.read.top_to_risk": {
        "pt": "Eram dos seus melhores clientes e pararam de vir. Ligue para eles hoje: contato pessoal, com uma oferta pensada para cada um.",
        "en": "They were among your best customers and have stopped coming. Call them today: a personal contact, with an offer made for each one."},
    "mig.read.top_to_cant_lose": {
        "pt": "Gastavam muito e estão sumindo. Descubra o motivo antes de perdê-los (uma pergunta curta, uma mensagem pessoal) e ofereça algo para que voltem.",
        "en": "They spent a lot and are slipping away. Find out why before you lose them (a short question, a personal message) and offer something to bring them back."},
    "mig.read.new_to_sleep": {
        "pt": "Vieram, compraram pouco e não voltaram. Reveja o atendimento, o mix de produtos e o pós-venda: o que faltou para a próxima compra?",
        "en": "They came, bought a little and did not return. Look at service, product mix and after-sales: what was missing for the next purchase?"},
    "mig.read.cooling": {
        "pt": "Estavam a caminho de virar clientes fiéis e esfriaram. Uma oferta por tempo limitado, a partir do que já compraram, pode trazê-los de volta.",
        "en": "They were on their way to becoming regulars and cooled off. A time-limited offer based on what they already bought may bring them back."},
    "mig.read.fading": {
        "pt": "Estão se perdendo. Aqui cabe uma mensagem de reativação de baixo custo, sem exagero.",
        "en": "They are drifting away. A low-cost reactivation message, without overdoing it, is what fits here."},
    "mig.read.climb": {
        "pt": "Algo está funcionando: veja o que compraram e como foram atendidos, e repita com clientes parecidos.",
        "en": "Something is working: look at what they bought and how they were served, and repeat it with similar customers."},
    "mig.read.new_to_top": {
        "pt": "Chegaram no período e já estão entre os melhores. Descubra como conheceram a loja e invista nesse canal.",
        "en": "They arrived in the period and are already among your best. Find out how they found you and invest in that channel."},
    "mig.read.win_back": {
        "pt": "Voltaram a comprar. Agradeça e mantenha contato; o que os trouxe de volta (uma campanha, uma novidade) vale repetir.",
        "en": "They are buying again. Thank them and keep in touch; whatever brought them back (a campaign, something new) is worth repeating."},
    # Migração page
    "migui.title": {"pt": "Migração entre segmentos", "en": "Migration between segments"},
    "migui.intro": {"pt": "Quem mudou de segmento entre duas datas: cada cliente é segmentado com as compras feitas até cada data.",
                    "en": "Who changed segment between two dates: each customer is segmented with the purchases made up to each date."},
    "migui.mode": {"pt": "Comparar", "en": "Compare"},
    "migui.mode_dates": {"pt": "Duas datas", "en": "Two dates"},
    "migui.mode_cadence": {"pt": "Períodos regulares", "en": "Regular periods"},
    "migui.from": {"pt": "Data inicial", "en": "First date"},
    "migui.to": {"pt": "Data final", "en": "Second date"},
    "migui.cadence": {"pt": "Periodicidade", "en": "Cadence"},
    "migui.periods": {"pt": "Número de períodos", "en": "Number of periods"},
    "migui.thresholds": {"pt": "Limites das notas", "en": "Score thresholds"},
    "migui.thresholds_first": {"pt": "da data inicial (padrão)", "en": "from the first date (default)"},
    "migui.thresholds_last": {"pt": "da data final", "en": "from the last date"},
    "migui.thresholds_each": {"pt": "recalculados em cada data", "en": "re-learned at each date"},
    "migui.rule_last": {"pt": "Limites das notas aprendidos na data final ({date}) e aplicados a todas as datas: a última coluna coincide com a página Segmentação nessa data, e uma mudança de segmento reflete o comportamento do próprio cliente. Útil quando a data inicial tem pouco histórico.",
                        "en": "Score thresholds learned at the last date ({date}) and applied to every date: the last column matches the Segmentation page at that date, and a change of segment reflects the customer's own behaviour. Useful when the first date has little history."},
    "migui.rule_first": {"pt": "Limites das notas fixados na data inicial ({date}) e aplicados às datas seguintes: uma mudança de segmento reflete o comportamento do próprio cliente, não um deslocamento dos quintis.",
                         "en": "Score thresholds learned at the first date ({date}) and applied to the later dates: a change of segment reflects the customer's own behaviour, not a shift of the quintiles."},
    "migui.rule_each": {"pt": "Limites das notas recalculados em cada data (opção): cada data é comparada com a própria base de clientes, então parte das mudanças vem do deslocamento dos quintis.",
                         "en": "Score thresholds re-learned at each date (option): each date is compared with its own customer base, so part of the changes comes from the quintiles shifting."},
    "migui.share_help": {"pt": "% dos clientes que já estavam na data inicial", "en": "% of the customers already there at the first date"},
    "migui.sankey": {"pt": "Fluxos entre segmentos", "en": "Flows between segments"},
    "migui.sankey_legend": {"pt": "Verde: avançou para um segmento melhor · vermelho: recuou · cinza: ficou · azul: cliente novo no período.",
                            "en": "Green: moved to a better segment · red: moved down · grey: stayed · blue: new customer in the period."},
    "migui.step": {"pt": "Detalhar o período", "en": "Period in detail"},
    "migui.readings": {"pt": "O que chama a atenção", "en": "What stands out"},
    "migui.no_readings": {"pt": "Nenhum fluxo fora do comum entre estas datas.", "en": "No unusual flow between these dates."},
    "migui.top_flows": {"pt": "Maiores movimentos", "en": "Largest moves"},
    "migui.matrix": {"pt": "Matriz de migração (clientes e % da linha)", "en": "Migration matrix (customers and row %)"},
    "migui.changes": {"pt": "Ganhos e perdas por segmento", "en": "Gains and losses per segment"},
    "migui.col_from": {"pt": "De", "en": "From"},
    "migui.col_to": {"pt": "Para", "en": "To"},
    "migui.col_customers": {"pt": "Clientes", "en": "Customers"},
    "migui.col_share": {"pt": "% da origem", "en": "% of the source"},
    "migui.col_kind": {"pt": "Movimento", "en": "Move"},
    "migui.col_at_from": {"pt": "Na data inicial", "en": "At the first date"},
    "migui.col_at_to": {"pt": "Na data final", "en": "At the second date"},
    "migui.col_gained": {"pt": "Ganhou", "en": "Gained"},
    "migui.col_lost": {"pt": "Perdeu", "en": "Lost"},
    "migui.col_net": {"pt": "Saldo", "en": "Net"},
    "migui.flow": {"pt": "Clientes de um fluxo", "en": "Customers in a flow"},
    "migui.flow_from": {"pt": "Estavam em", "en": "Were in"},
    "migui.flow_to": {"pt": "Estão em", "en": "Are now in"},
    "migui.flow_empty": {"pt": "Nenhum cliente fez este movimento.", "en": "No customer made this move."},
    "migui.flow_count": {"pt": "{n} clientes de {source} para {target}.", "en": "{n} customers from {source} to {target}."},
    "migui.computing": {"pt": "Segmentando cada data…", "en": "Segmenting each date…"},

    # Recomendações page
    "rec.title": {"pt": "Recomendações", "en": "Recommendations"},
    "rec.intro": {"pt": "“Quem comprou A também comprou B, C, D, E”: por produto, por cliente e por segmento.",
                  "en": "“Customers who bought A also bought B, C, D, E”: per product, per customer and per segment."},
    "rec.non_product_rule": {"pt": "Linhas que não são produtos ficam fora das recomendações: frete e postagem, taxas (de entrega, de serviço, bancárias, de marketplace), embalagem, descontos, ajustes e lançamentos manuais, amostras, doações e vales-presente. Reconhecidas pelo código (POST, DOT, C2, M, D, S, B, PADS, CRUK, AMAZONFEE, BANK CHARGES, DCGS…, gift_…) ou pelo nome que começa com Frete, Taxa, Tarifa, Embalagem, Desconto, Ajuste, Acréscimo, Juros, Gorjeta, Entrega, Vale-presente, Postage, Carriage, Manual, Discount, Samples…",
                           "en": "Lines that are not products are kept out of recommendations: postage and delivery, fees (delivery, service, bank, marketplace), packaging, discounts, adjustments and manual entries, samples, donations and gift vouchers. Recognised by their code (POST, DOT, C2, M, D, S, B, PADS, CRUK, AMAZONFEE, BANK CHARGES, DCGS…, gift_…) or by a name starting with Frete, Taxa, Tarifa, Embalagem, Desconto, Ajuste, Acréscimo, Juros, Gorjeta, Entrega, Vale-presente, Postage, Carriage, Manual, Discount, Samples…"},
    "rec.building": {"pt": "Calculando as compras em conjunto…", "en": "Computing what is bought together…"},
    "rec.tab_product": {"pt": "Por produto", "en": "Per product"},
    "rec.tab_customer": {"pt": "Por cliente", "en": "Per customer"},
    "rec.tab_segment": {"pt": "Por segmento", "en": "Per segment"},
    "rec.tab_quality": {"pt": "Qualidade", "en": "Quality"},
    "rec.product": {"pt": "Produto (digite para buscar)", "en": "Product (type to search)"},
    "rec.basis": {"pt": "Comprados juntos", "en": "Bought together"},
    "rec.basis_order": {"pt": "no mesmo pedido", "en": "in the same order"},
    "rec.basis_customer": {"pt": "pelo mesmo cliente (em qualquer compra)", "en": "by the same customer (any purchase)"},
    "rec.basis_order_days": {"pt": "no mesmo dia, pelo mesmo cliente", "en": "on the same day, by the same customer"},
    "rec.min_together": {"pt": "Mínimo de vezes juntos", "en": "Minimum times together"},
    "rec.min_together_help": {"pt": "Pares vistos juntos menos vezes que isso não aparecem: evita coincidências.",
                              "en": "Pairs seen together fewer times than this are hidden: it avoids coincidences."},
    "rec.also_bought": {"pt": "Quem comprou este produto também comprou", "en": "Customers who bought this product also bought"},
    "rec.none_also": {"pt": "Nenhum produto foi comprado junto com este pelo menos {n} vezes. Reduza o mínimo ou escolha outro produto.",
                      "en": "No product was bought together with this one at least {n} times. Lower the minimum or pick another product."},
    "rec.col_product": {"pt": "Produto", "en": "Product"},
    "rec.col_code": {"pt": "Código", "en": "Code"},
    "rec.col_together": {"pt": "Juntos", "en": "Together"},
    "rec.col_confidence": {"pt": "Confiança", "en": "Confidence"},
    "rec.col_lift": {"pt": "Lift", "en": "Lift"},
    "rec.col_score": {"pt": "Pontuação", "en": "Score"},
    "rec.col_because": {"pt": "Porque comprou", "en": "Because they bought"},
    "rec.col_times": {"pt": "Vezes", "en": "Times"},
    "rec.col_every": {"pt": "A cada (dias)", "en": "Every (days)"},
    "rec.col_last": {"pt": "Última vez", "en": "Last time"},
    "rec.col_due": {"pt": "Próxima compra prevista", "en": "Next purchase due"},
    "rec.overdue": {"pt": "atrasada há {n} dias", "en": "{n} days overdue"},
    "rec.due_in": {"pt": "em {n} dias", "en": "in {n} days"},
    "seg.to_recommendations": {"pt": "Recomendações para este cliente →", "en": "Recommendations for this customer →"},
    "seg.pick_customer": {"pt": "Ver o que oferecer a um cliente do segmento", "en": "See what to offer a customer of the segment"},
    "rec.col_customers": {"pt": "Clientes", "en": "Customers"},
    "rec.col_share": {"pt": "% do segmento", "en": "% of the segment"},
    "rec.col_recommended_to": {"pt": "Recomendado a", "en": "Recommended to"},
    "rec.col_share_bought": {"pt": "% que já compra", "en": "% already buying"},
    "rec.col_customer": {"pt": "Cliente", "en": "Customer"},
    "rec.col_rank": {"pt": "Ordem", "en": "Rank"},
    "rec.popular": {"pt": "popular no segmento", "en": "popular in the segment"},
    "rec.metrics_help": {"pt": "Juntos: pedidos (ou clientes) com os dois produtos. Confiança: dos que compraram o produto escolhido, quantos % também compraram este. Lift: quantas vezes mais do que o acaso (acima de 1 = atração).",
                         "en": "Together: orders (or customers) with both products. Confidence: of those who bought the chosen product, the % who also bought this one. Lift: how many times more than chance (above 1 = attraction)."},
    "rec.customer": {"pt": "Cliente", "en": "Customer"},
    "rec.customer_code": {"pt": "Código do cliente", "en": "Customer code"},
    "rec.customer_segment": {"pt": "Segmento: {segment}. {action}", "en": "Segment: {segment}. {action}"},
    "rec.offer": {"pt": "Produtos para oferecer (ainda não comprados)", "en": "Products to offer (not bought yet)"},
    "rec.buy_again": {"pt": "Comprar de novo (compras repetidas, as mais “vencidas” primeiro)",
                      "en": "Buy again (repeat purchases, the most overdue first)"},
    "rec.no_buy_again": {"pt": "Este cliente ainda não repetiu nenhum produto.", "en": "This customer has not bought any product twice yet."},
    "rec.segment": {"pt": "Segmento", "en": "Segment"},
    "rec.segment_top": {"pt": "O que o segmento mais compra", "en": "What the segment buys most"},
    "rec.segment_push": {"pt": "O que oferecer ao segmento", "en": "What to offer the segment"},
    "rec.segment_action": {"pt": "O que fazer com {segment}: {action}", "en": "What to do with {segment}: {action}"},
    "rec.download_csv": {"pt": "Baixar recomendações do segmento (CSV)", "en": "Download the segment's recommendations (CSV)"},
    "rec.download_xlsx": {"pt": "Baixar recomendações do segmento (XLSX)", "en": "Download the segment's recommendations (XLSX)"},
    "rec.quality_intro": {"pt": "Como medimos: escondemos as compras feitas depois de {cutoff} (até {end}), geramos as recomendações só com o que veio antes e conferimos o que cada cliente comprou de fato depois.",
                          "en": "How we measure: we hide the purchases made after {cutoff} (up to {end}), build the recommendations from what came before only, and check what each customer actually bought afterwards."},
    "rec.quality_ours": {"pt": "Nossas recomendações", "en": "Our recommendations"},
    "rec.quality_popular": {"pt": "Mais vendidos (referência)", "en": "Best-sellers (baseline)"},
    "rec.quality_recent": {"pt": "Mais vendidos dos últimos {days} dias", "en": "Best-sellers of the last {days} days"},
    "rec.quality_sentence": {"pt": "Em {hit} dos {n} clientes avaliados, pelo menos um dos {k} produtos sugeridos foi comprado depois (nunca tinham comprado antes). Sugerir os mais vendidos acertaria {pop}.",
                             "en": "For {hit} of the {n} customers evaluated, at least one of the {k} suggested products was bought afterwards (never bought before). Suggesting the best-sellers would hit {pop}."},
    "rec.quality_wins": {"pt": "As recomendações acertam mais que simplesmente sugerir os mais vendidos.",
                         "en": "The recommendations hit more often than simply suggesting the best-sellers."},
    "rec.quality_loses": {"pt": "Nestes dados, sugerir os mais vendidos acerta tanto quanto (ou mais que) as recomendações personalizadas: use-as com cautela.",
                          "en": "In this data, suggesting the best-sellers hits as often as (or more than) the personalised recommendations: use them with care."},
    "rec.quality_also": {"pt": "“Também comprou”: em {hit} dos casos, um dos 5 produtos listados estava no mesmo pedido (mais vendidos: {pop}).",
                         "en": "“Also bought”: in {hit} of cases, one of the 5 listed products was in the same order (best-sellers: {pop})."},
    "rec.quality_table": {"pt": "Medida", "en": "Measure"},
    "rec.hit_rate": {"pt": "Acerto@{k} (clientes com ≥ 1 acerto)", "en": "Hit rate@{k} (customers with ≥ 1 hit)"},
    "rec.precision": {"pt": "Precisão@{k}", "en": "Precision@{k}"},
    "rec.recall": {"pt": "Cobertura@{k}", "en": "Recall@{k}"},
    "rec.non_products": {"pt": "Linhas que não são produtos", "en": "Lines that are not products"},
    "rec.excluded_here": {"pt": "Nestes dados: {codes}.", "en": "In this data: {codes}."},
    # command line: labels of the text reports
    "cli.title": {"pt": "MetriQR — segmentação RFM", "en": "MetriQR — RFM segmentation"},
    "cli.as_of": {"pt": "Data de referência", "en": "Reference date"},
    "cli.period": {"pt": "Período das compras", "en": "Purchase period"},
    "cli.to": {"pt": "a", "en": "to"},
    "cli.window": {"pt": "Janela", "en": "Window"},
    "cli.window_all": {"pt": "todo o histórico", "en": "all history"},
    "cli.window_days": {"pt": "últimos {days} dias", "en": "last {days} days"},
    "cli.method": {"pt": "Método de pontuação", "en": "Scoring method"},
    "cli.thresholds": {"pt": "Limiares (nota sobe quando o valor passa do limiar)",
                   "en": "Thresholds (the score goes up when a value exceeds a threshold)"},
    "cli.recency_days": {"pt": "recência (dias)", "en": "recency (days)"},
    "cli.frequency": {"pt": "frequência", "en": "frequency"},
    "cli.monetary": {"pt": "valor", "en": "monetary"},
    "cli.rows_read": {"pt": "Linhas lidas", "en": "Rows read"},
    "cli.rows_used": {"pt": "Linhas usadas", "en": "Rows used"},
    "cli.returns": {"pt": "das quais {n} devoluções: abatem o valor gasto, não contam como compra",
                "en": "of which {n} returns: they reduce spend and are not counted as purchases"},
    "cli.rows_excluded": {"pt": "Linhas excluídas", "en": "Rows excluded"},
    "cli.examples": {"pt": "ex.", "en": "e.g."},
    "cli.line": {"pt": "linha {line}", "en": "line {line}"},
    "cli.customers": {"pt": "Clientes identificados", "en": "Customers identified"},
    "cli.occasions": {"pt": "Compras (ocasiões)", "en": "Purchases (occasions)"},
    "cli.revenue": {"pt": "Receita líquida", "en": "Net revenue"},
    "cli.mig_title": {"pt": "MetriQR — migração entre segmentos", "en": "MetriQR — migration between segments"},
    "cli.mig_top": {"pt": "Maiores movimentos:", "en": "Largest moves:"},
    # recommend
    "cli.rec_need_target": {"pt": "informe pelo menos um --product ID ou --customer ID (podem ser os dois)",
                        "en": "give at least one --product ID or --customer ID (both are allowed)"},
    "cli.rec_title": {"pt": "MetriQR — recomendações", "en": "MetriQR — recommendations"},
    "cli.also_title": {"pt": "Quem comprou {product} também comprou:",
                   "en": "Customers who bought {product} also bought:"},
    "cli.also_basis": {"pt": "Base: {n} {unit} com o produto; só pares com pelo menos {min} {unit} em comum.",
                   "en": "Basis: {n} {unit} with the product; only pairs with at least {min} {unit} in common."},
    "cli.also_none": {"pt": "Nenhum produto aparece junto com ele em {min} {unit} ou mais. Tente --min-together menor "
                        "ou --basis customer.",
                  "en": "No product appears with it in {min} or more {unit}. Try a lower --min-together or "
                        "--basis customer."},
    "cli.also_help": {"pt": "Confiança: entre {unit} com o produto, a parte que também tinha o outro. Lift: quantas "
                        "vezes isso é mais que o acaso (acima de 1, compram-se juntos mais que o esperado).",
                  "en": "Confidence: share of the {unit} with the product that also had the other. Lift: how many "
                        "times that is above chance (above 1, bought together more than expected)."},
    "cli.unit_orders": {"pt": "pedidos", "en": "orders"},
    "cli.unit_days": {"pt": "compras (cliente e dia)", "en": "purchases (customer-days)"},
    "cli.unit_customers": {"pt": "clientes", "en": "customers"},
    "cli.col_rank": {"pt": "#", "en": "#"},
    "cli.col_code": {"pt": "Código", "en": "Code"},
    "cli.col_product": {"pt": "Produto", "en": "Product"},
    "cli.col_together": {"pt": "Juntos", "en": "Together"},
    "cli.col_confidence": {"pt": "Confiança", "en": "Confidence"},
    "cli.col_lift": {"pt": "Lift", "en": "Lift"},
    "cli.cust_title": {"pt": "Cliente {customer}{name} — segmento: {segment}",
                   "en": "Customer {customer}{name} — segment: {segment}"},
    "cli.cust_bought": {"pt": "Já comprou {n} produtos diferentes; sugestões do que ainda não comprou:",
                    "en": "Has bought {n} different products; suggestions among those not bought yet:"},
    "cli.cust_bought_one": {"pt": "Já comprou 1 produto; sugestões do que ainda não comprou:",
                        "en": "Has bought 1 product; suggestions among those not bought yet:"},
    "cli.cust_none": {"pt": "Nada a sugerir: o cliente já comprou todos os produtos.",
                  "en": "Nothing to suggest: the customer has bought every product."},
    "cli.because": {"pt": "porque comprou {names}", "en": "because they bought {names}"},
    "cli.popular_segment": {"pt": "fora do histórico: entre os mais comprados nos últimos {days} dias pelo segmento "
                              "{segment} (completado pelos de todos os clientes)",
                        "en": "not from the history: among the most bought in the last {days} days by the {segment} "
                              "segment (completed with everyone's)"},
    "cli.popular_all": {"pt": "fora do histórico: entre os mais comprados nos últimos {days} dias",
                    "en": "not from the history: among the most bought in the last {days} days"},
    "cli.score": {"pt": "pontuação", "en": "score"},
    "cli.and": {"pt": "e", "en": "and"},
    "cli.no_segment": {"pt": "–", "en": "–"},
    # evaluate
    "cli.eval_title": {"pt": "MetriQR — qualidade das recomendações (teste no tempo)",
                   "en": "MetriQR — recommendation quality (time hold-out)"},
    "cli.eval_split": {"pt": "Aprendido com as compras antes de {cutoff}; testado nas compras de {cutoff} a {end}.",
                   "en": "Learned from the purchases before {cutoff}; tested on the purchases from {cutoff} to {end}."},
    "cli.eval_who": {"pt": "Clientes avaliados: os que já compravam antes do corte e, depois dele, compraram algum "
                       "produto que nunca tinham comprado.",
                 "en": "Customers evaluated: those who bought before the cut-off and, after it, bought some "
                       "product they had never bought before."},
    "cli.eval_hit": {"pt": "Em {hit} dos {n} clientes avaliados, pelo menos um dos {k} produtos sugeridos foi "
                       "comprado a partir de {cutoff}; a popularidade (os {k} mais comprados que o cliente "
                       "ainda não tinha) acertou {pop}.",
                 "en": "For {hit} of the {n} customers evaluated, at least one of the {k} suggested products "
                       "was bought on or after {cutoff}; popularity (the {k} most bought products the customer "
                       "did not have yet) hit {pop}."},
    "cli.eval_recent": {"pt": "Os mais comprados dos últimos {days} dias antes do corte acertaram {rate}.",
                    "en": "The most bought of the last {days} days before the cut-off hit {rate}."},
    "cli.eval_precision": {"pt": "Em média, {precision} dos {k} sugeridos foram comprados (popularidade: {pop}), e as "
                             "sugestões cobriram {recall} dos produtos novos de cada cliente (popularidade: "
                             "{pop_recall}).",
                       "en": "On average {precision} of the {k} suggested were bought (popularity: {pop}), and the "
                             "suggestions covered {recall} of each customer's new products (popularity: "
                             "{pop_recall})."},
    "cli.eval_win": {"pt": "As recomendações acertaram {diff} pontos percentuais a mais que a melhor referência "
                       "de popularidade.",
                 "en": "The recommendations hit {diff} percentage points more often than the best popularity "
                       "baseline."},
    "cli.eval_tie": {"pt": "As recomendações e a popularidade praticamente empatam ({model} contra {best}): nestes "
                       "dados, o histórico de cada cliente acrescenta pouco a sugerir os mais vendidos.",
                 "en": "The recommendations and popularity practically tie ({model} vs {best}): in this data, "
                       "each customer's history adds little over suggesting the best-sellers."},
    "cli.eval_lose": {"pt": "A popularidade venceu: sugerir os mais vendidos acertou {best}, mais que as recomendações "
                        "personalizadas ({model}). Nestes dados, o histórico de cada cliente não ajuda a prever o "
                        "que ele compra depois; prefira listas de mais vendidos.",
                  "en": "Popularity won: suggesting the best-sellers hit {best}, more than the personal "
                        "recommendations ({model}). In this data, a customer's history does not help predict what "
                        "they buy next; prefer best-seller lists."},
    "cli.eval_also": {"pt": "Quem comprou também levou: em {hit} de {n} casos (um produto num pedido do teste), um dos "
                        "{k} primeiros da lista estava no mesmo pedido; os {k} mais vendidos, em {pop}.",
                  "en": "Also bought: in {hit} of {n} cases (a product in a test order), one of the first {k} of "
                        "its list was in the same order; the {k} best-sellers, in {pop}."},
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
    "error.no_product_column": {
        "pt": "Para recomendar produtos, a planilha precisa de uma coluna de produto (código, SKU ou descrição). Indique-a no mapeamento de colunas, na página Dados (ou com --column product=CABEÇALHO).",
        "en": "Recommendations need a product column (code, SKU or description). Set it in the column mapping on the Data page (or with --column product=HEADER).",
    },
    "error.no_products": {
        "pt": "Nenhum produto sobrou: todas as linhas de compra são frete, taxas, descontos ou ajustes.",
        "en": "No products left: every purchase line is postage, a fee, a discount or an adjustment.",
    },
    "error.unknown_product": {
        "pt": "Produto não encontrado nas compras: “{product}”.",
        "en": "Product not found among the purchases: “{product}”.",
    },
    "error.not_a_product": {
        "pt": "“{product}” não é um produto e fica fora das recomendações. {rule}",
        "en": "“{product}” is not a product and is kept out of recommendations. {rule}",
    },
    "error.unknown_customer": {
        "pt": "Cliente não encontrado nas compras: “{customer}”.",
        "en": "Customer not found among the purchases: “{customer}”.",
    },
    "error.bad_basis": {
        "pt": "Base desconhecida: “{value}”. Use order (mesmo pedido) ou customer (mesmo cliente).",
        "en": "Unknown basis: “{value}”. Use order (same order) or customer (same customer).",
    },
    "error.bad_min_together": {
        "pt": "O mínimo de compras em comum deve ser um inteiro ≥ 1; recebido: “{value}”.",
        "en": "The minimum purchases together must be an integer ≥ 1; got: “{value}”.",
    },
    "error.bad_top": {
        "pt": "O número de itens deve ser um inteiro ≥ 1; recebido: “{value}”.",
        "en": "The number of items must be an integer ≥ 1; got: “{value}”.",
    },
    "error.unknown_segment": {
        "pt": "Segmento desconhecido: “{segment}”. Segmentos presentes: {segments}.",
        "en": "Unknown segment: “{segment}”. Segments present: {segments}.",
    },
    "error.holdout_cutoff_out_of_range": {
        "pt": "A data de corte {cutoff} está fora dos dados. Escolha uma data entre {first} e {last}.",
        "en": "The cut-off {cutoff} is outside the data. Choose a date between {first} and {last}.",
    },
    "error.holdout_too_little": {
        "pt": "Dados insuficientes para medir a qualidade: após {cutoff}, só {customers} clientes compraram algo novo (mínimo {minimum}). Use uma data de corte mais antiga.",
        "en": "Too little data to measure quality: after {cutoff} only {customers} customers bought something new (minimum {minimum}). Use an earlier cut-off.",
    },
    "error.bad_cadence": {"pt": "Periodicidade desconhecida: “{value}”. Use uma destas: {cadences}.",
                          "en": "Unknown cadence: “{value}”. Use one of: {cadences}."},
    "error.bad_periods": {"pt": "Número de períodos inválido: “{value}”. Use um número inteiro de 1 a {max}.",
                          "en": "Invalid number of periods: “{value}”. Use a whole number from 1 to {max}."},
    "error.migration_too_little_history": {
        "pt": "Histórico curto demais para a migração {cadence}: entre a primeira compra ({first}) e {end} não cabem duas datas de comparação. Escolha uma periodicidade mais curta ou outras datas.",
        "en": "Too little history for a {cadence} migration: between the first purchase ({first}) and {end} there is no room for two comparison dates. Choose a shorter cadence or other dates."},
    "error.migration_date_outside": {"pt": "A data {value} está fora dos dados. Escolha datas entre {earliest} e {latest}.",
                                     "en": "The date {value} is outside the data. Choose dates between {earliest} and {latest}."},
    "error.migration_dates_order": {"pt": "A data inicial ({date_from}) precisa ser anterior à data final ({date_to}).",
                                    "en": "The start date ({date_from}) must be before the end date ({date_to})."},
    "error.migration_two_dates": {"pt": "Escolha pelo menos duas datas diferentes para comparar.",
                                  "en": "Choose at least two different dates to compare."},
    "error.unknown_flow": {"pt": "Fluxo desconhecido: “{source}” → “{target}”. Use as chaves dos segmentos (na origem, também new_in_period).",
                           "en": "Unknown flow: “{source}” → “{target}”. Use segment keys (new_in_period is also allowed as the source)."},
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
    "cust.segment_from": {"pt": "Segmento anterior", "en": "Previous segment"},
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
    "chart.flow_hover": {"pt": "{share} da origem", "en": "{share} of the source"},
    "chart.matrix_from": {"pt": "Segmento na data inicial", "en": "Segment at the first date"},
    "chart.matrix_to": {"pt": "Segmento na data final", "en": "Segment at the second date"},
    "reason.none": {"pt": "nenhuma linha de dados", "en": "no data rows"},
    # exclusion reasons of the cleaning report
    "reason.blank": {"pt": "linha em branco", "en": "blank line"},
    "reason.malformed": {"pt": "linha ilegível (colunas a mais ou bytes nulos)",
                         "en": "unreadable line (extra fields or NUL bytes)"},
    "reason.total_line": {"pt": "linha de total (não é venda)", "en": "totals line (not a sale)"},
    "reason.no_customer": {"pt": "sem cliente identificado", "en": "no identified customer"},
    "reason.bad_date": {"pt": "data ilegível", "en": "unreadable date"},
    "reason.bad_amount": {"pt": "valor ilegível", "en": "unreadable amount"},
    "reason.cancelled": {"pt": "pedido cancelado", "en": "cancelled order"},
    "reason.duplicate": {"pt": "linha duplicada no mesmo pedido", "en": "duplicate line in the same order"},
    "reason.zero_amount": {"pt": "valor zero (brinde ou ajuste)", "en": "zero amount (free item or adjustment)"},

    # --- reading and security (issue 9) ---
    "error.inflated_too_large": {
        "pt": "O arquivo compactado “{name}” descompacta para mais de {limit_mb} MB, o limite. Envie um período menor ou o arquivo sem compactar.",
        "en": "The compressed file “{name}” inflates to more than {limit_mb} MB, the limit. Upload a shorter period or the uncompressed file.",
    },
    "error.too_many_columns": {
        "pt": "“{name}” tem {columns} colunas; a MetriQR lê até {limit}. Uma exportação de vendas tem dezenas: apague as colunas que não são de vendas ou exporte só as necessárias.",
        "en": "“{name}” has {columns} columns; MetriQR reads up to {limit}. A sales export has tens: delete the columns that are not about sales or export only the ones needed.",
    },
    "error.sheet_grid_too_large": {
        "pt": "A pasta de trabalho “{name}” foi recusada por segurança: uma aba ocupa {rows} linhas × {columns} colunas ({cells} células, o limite é {limit}), quase sempre por células perdidas longe dos dados. Apague as linhas e colunas vazias depois dos dados ou exporte em CSV.",
        "en": "The workbook “{name}” was refused for safety: a sheet spans {rows} rows × {columns} columns ({cells} cells, the limit is {limit}), almost always because of stray cells far from the data. Delete the empty rows and columns after the data or export it as CSV.",
    },
    "error.parquet_nested": {
        "pt": "O arquivo Parquet “{name}” tem colunas aninhadas (struct, lista ou mapa): {columns}. A MetriQR lê um valor por célula: gere o arquivo com essas colunas achatadas (texto, número ou data) ou sem elas.",
        "en": "The Parquet file “{name}” has nested columns (struct, list or map): {columns}. MetriQR reads one value per cell: write the file with those columns flattened (text, number or date) or without them.",
    },
    "error.read_busy": {
        "pt": "O servidor está lendo outros arquivos agora e “{name}” esperou demais na fila. Tente de novo em alguns minutos.",
        "en": "The server is busy reading other files and “{name}” waited too long in the queue. Try again in a few minutes.",
    },
    "error.read_timeout": {
        "pt": "A leitura de “{name}” passou do limite de {seconds} s e foi interrompida. Envie um período menor ou salve em CSV.",
        "en": "Reading “{name}” took longer than the {seconds} s limit and was stopped. Upload a shorter period or save it as CSV.",
    },
    "error.read_crashed": {
        "pt": "A leitura de “{name}” foi interrompida: o arquivo exige mais memória do que o limite de {limit_mb} MB ou está malformado. Nada mais foi afetado. Abra-o no Excel, salve de novo (ou em CSV) e envie outra vez.",
        "en": "Reading “{name}” was stopped: the file needs more memory than the {limit_mb} MB limit or is malformed. Nothing else was affected. Open it in Excel, save it again (or as CSV) and upload it again.",
    },
    "error.read_memory": {
        "pt": "“{name}” exige mais memória do que o limite de leitura de {limit_mb} MB. Envie um período menor ou salve em CSV.",
        "en": "“{name}” needs more memory than the {limit_mb} MB reading limit. Upload a shorter period or save it as CSV.",
    },
    "error.read_output_too_large": {
        "pt": "A tabela lida de “{name}” passa de {limit_mb} MB, o limite. Envie um período menor.",
        "en": "The table read from “{name}” exceeds {limit_mb} MB, the limit. Upload a shorter period.",
    },

    # details inside reading errors ({detail}), given as Term("detail.<name>", ...)
    "detail.gzip_corrupt": {"pt": "gzip corrompido", "en": "corrupt gzip"},
    "detail.gzip_invalid": {"pt": "gzip inválido", "en": "invalid gzip"},
    "detail.gzip_nested": {"pt": "gzip dentro de gzip", "en": "gzip inside gzip"},
    "detail.zip_parts": {"pt": "{parts} partes no zip", "en": "{parts} parts in the zip"},
    "detail.xml_forbidden": {"pt": "<!{construct}> em {part}", "en": "<!{construct}> in {part}"},
    "detail.xml_prolog": {"pt": "prólogo XML anormal em {part}", "en": "abnormal XML prolog in {part}"},
    "detail.binary_content": {"pt": "conteúdo binário, não é texto", "en": "binary content, not text"},
    "detail.unclosed_quote": {"pt": "aspas (\") sem fechamento a partir da linha {line}",
                              "en": "unclosed quote (\") from line {line}"},

    # --- parsing and cleaning ---
    "reason.control_chars": {"pt": "identificador com caracteres de controle (arquivo corrompido?)",
                             "en": "identifier with control characters (corrupt file?)"},
    "reason.date_out_of_range": {"pt": "data fora de 1900–2199", "en": "date outside 1900–2199"},
    "reason.date_order": {"pt": "data só legível na outra ordem de dia e mês", "en": "date only readable in the other day/month order"},
    "reason.amount_format": {"pt": "valor escrito em outro formato decimal que o resto da coluna",
                             "en": "amount written in another decimal format than the rest of the column"},
    "reason.amount_out_of_range": {"pt": "valor infinito ou acima de 1 trilhão", "en": "amount infinite or above one trillion"},
    "reason.return_only": {"pt": "devolução de cliente sem nenhuma compra (não entraria em nenhuma lista)",
                           "en": "return by a customer with no purchase (it would be in no customer list)"},
    "dates.order.dmy": {"pt": "dia/mês (dd/mm)", "en": "day/month (dd/mm)"},
    "dates.order.mdy": {"pt": "mês/dia (mm/dd)", "en": "month/day (mm/dd)"},
    "dates.why.user": {"pt": "escolhida por você", "en": "chosen by you"},
    "dates.why.evidence": {"pt": "valores como {examples} só existem nesta ordem",
                           "en": "values such as {examples} only exist in this order"},
    "dates.why.ambiguous": {"pt": "nenhum valor decide (dia e mês sempre ≤ 12): ordem padrão",
                            "en": "no value decides (day and month always ≤ 12): default order"},
    "dates.why.mixed": {"pt": "a coluna mistura as duas ordens; usada a da maioria (como {examples})",
                        "en": "the column mixes both orders; the majority's is used (as {examples})"},
    "dates.line": {"pt": "Ordem das datas: {order} — {why}.", "en": "Date order: {order} — {why}."},
    "dates.warn_ambiguous": {
        "pt": "Confira a ordem das datas: {n} linhas têm dia e mês até 12 e seriam outra data na ordem inversa. Se a planilha usa {other}, troque a ordem.",
        "en": "Check the date order: {n} rows have day and month up to 12 and would be another date the other way round. If the spreadsheet uses {other}, switch the order."},
    "dates.warn_mixed": {
        "pt": "A coluna de datas mistura dd/mm e mm/dd: as linhas só legíveis na outra ordem (como {others}) foram excluídas, e {n} linhas com dia e mês até 12 foram lidas como {order}, o que pode estar errado para algumas.",
        "en": "The date column mixes dd/mm and mm/dd: rows only readable the other way (as {others}) were excluded, and {n} rows with day and month up to 12 were read as {order}, which may be wrong for some."},
    "dates.cli_option": {"pt": "use --date-order dmy|mdy para escolher", "en": "use --date-order dmy|mdy to choose"},
    "data.date_order": {"pt": "Ordem de dia e mês nas datas", "en": "Day and month order in dates"},
    "data.date_order_auto": {"pt": "Automática (pelos valores)", "en": "Automatic (from the values)"},
    "data.date_order_help": {"pt": "Para datas como 03/04/2025: dia/mês (3 de abril) ou mês/dia (4 de março). Automática decide pelos valores (31/12 só existe como dia/mês).",
                             "en": "For dates such as 03/04/2025: day/month (3 April) or month/day (4 March). Automatic decides from the values (31/12 only exists as day/month)."},
    "data.decimal_mark": {"pt": "Formato dos valores: vírgula decimal (1.234,56)", "en": "Amount format: decimal comma (1.234,56)"},
    "data.decimal_point": {"pt": "Formato dos valores: ponto decimal (1,234.56)", "en": "Amount format: decimal point (1,234.56)"},
    "export.control_cleaned": {
        "pt": "{n} células tinham caracteres de controle, que a planilha XLSX não aceita: foram trocados por “�” no arquivo exportado.",
        "en": "{n} cells held control characters, which an XLSX workbook cannot store: they were replaced by “�” in the exported file."},
    "error.date_not_dates": {
        "pt": "A coluna “{header}” foi encontrada para a data, mas seus valores não são datas (exemplos: {examples}). Use datas como 23/11/2026 ou 2026-11-23, ou indique outra coluna de data no mapeamento.",
        "en": "The column “{header}” was found for the date, but its values are not dates (examples: {examples}). Use dates such as 23/11/2026 or 2026-11-23, or pick another date column in the mapping."},
    "error.date_column_empty": {
        "pt": "A coluna “{header}” foi encontrada para a data, mas não tem nenhum valor: a planilha não tem linhas de vendas com data.",
        "en": "The column “{header}” was found for the date, but it holds no value: the spreadsheet has no sales rows with a date."},
    "error.no_purchases_before": {
        "pt": "Nenhuma compra antes de {end}: as linhas usadas até essa data são só devoluções. Escolha uma data de referência posterior.",
        "en": "No purchase before {end}: the lines used up to that date are returns only. Choose a later reference date."},
    "error.holdout_one_day": {
        "pt": "Todas as compras são do mesmo dia ({day}): para medir a qualidade das recomendações é preciso compras em pelo menos dois dias, para aprender com as primeiras e testar nas seguintes.",
        "en": "Every purchase is from the same day ({day}): measuring recommendation quality needs purchases on at least two days, to learn from the earlier ones and test on the later ones."},

    # --- analytics: ledger, scores, recommendations (issue 10) ---
    "an.one_occasion_warning": {
        "pt": "Atenção: {share} dos clientes compraram uma única vez. Se o código do cliente muda a cada pedido (como o customer_id de marketplaces), escolha a coluna que identifica a pessoa (CPF, e-mail, id único) no mapeamento de colunas.",
        "en": "Warning: {share} of customers bought only once. If the customer id changes with every order (as a marketplace's customer_id does), choose the column that identifies the person (tax id, e-mail, unique id) in the column mapping."},
    "an.customer_person": {
        "pt": "Cliente identificado pela coluna “{chosen}” e não por “{other}”: o nome indica a pessoa (id único, CPF, e-mail, documento), enquanto “{other}” pode ser criado a cada pedido.",
        "en": "Customers are identified by the column “{chosen}”, not “{other}”: its name says it is the person (unique id, tax id, e-mail, document), while “{other}” may be minted per order."},
    "an.customer_repeats": {
        "pt": "Cliente identificado pela coluna “{chosen}” e não por “{other}”: com “{other}” todo cliente teria exatamente uma compra, com “{chosen}” há clientes que voltaram a comprar.",
        "en": "Customers are identified by the column “{chosen}”, not “{other}”: with “{other}” every customer would have exactly one purchase, with “{chosen}” some customers come back."},
    "an.lost_customers": {"pt": "Clientes que só aparecem em linhas excluídas (fora da contagem de clientes): {n}",
                          "en": "Customers who appear only in excluded lines (missing from the customer count): {n}"},
    "an.lost_reason": {"pt": "{reason}: {n}", "en": "{reason}: {n}"},
    "an.lost_examples": {"pt": "por exemplo", "en": "for example"},
    "an.recommend_fallback": {
        "pt": "Nenhuma compra de produto antes da data de referência (só linhas que não são produtos, como frete ou ajustes): sugestões do que o segmento comprou recentemente.",
        "en": "No product purchase before the reference date (only lines that are not products, such as postage or adjustments): suggestions from what the segment bought recently."},
    "an.unknown_customers": {"pt": "Clientes não encontrados nos dados: {ids}", "en": "Customers not found in the data: {ids}"},
    "an.also_order": {
        "pt": "Ordem da lista: primeiro os produtos comprados junto mais do que o acaso (lift acima de 1), pela pontuação juntos ÷ (compras do produto)^0,1; depois, se faltar, os comprados junto tanto quanto o acaso ou menos (lift até 1), que não indicam atração.",
        "en": "List order: first the products bought together more often than chance (lift above 1), by the score together ÷ (the product's purchases)^0.1; then, if the list is short, those bought together as often as chance or less (lift up to 1), which show no attraction."},
    "an.col_attraction": {"pt": "Acima do acaso", "en": "Above chance"},
    "an.yes": {"pt": "sim", "en": "yes"},
    "an.no": {"pt": "não", "en": "no"},

    # --- command line and speed (issue 11) ---
    "error.data_is_folder": {
        "pt": "“{name}” não parece ser uma planilha (é uma pasta). Envie a exportação de vendas em .xlsx, .csv ou .parquet.",
        "en": "“{name}” does not look like a spreadsheet (it is a folder). Upload the sales export as .xlsx, .csv or .parquet.",
    },
    "error.output_bad_suffix": {"pt": "Não foi possível gravar “{name}”: use a extensão {suffixes}.",
                                "en": "Could not write “{name}”: use the extension {suffixes}."},
    "error.output_folder_missing": {"pt": "Não foi possível gravar “{name}”: a pasta “{folder}” não existe.",
                                    "en": "Could not write “{name}”: the folder “{folder}” does not exist."},
    "error.output_folder_readonly": {"pt": "Não foi possível gravar “{name}”: sem permissão de escrita na pasta “{folder}”.",
                                     "en": "Could not write “{name}”: no permission to write in the folder “{folder}”."},
    "error.output_is_folder": {"pt": "Não foi possível gravar “{name}”: é uma pasta.",
                               "en": "Could not write “{name}”: it is a folder."},
    "error.output_is_input": {"pt": "Não foi possível gravar “{name}”: é o próprio arquivo de dados.",
                              "en": "Could not write “{name}”: it is the input data file."},
    "error.output_same": {"pt": "Não foi possível gravar “{name}”: o mesmo arquivo foi dado a --customers-out e --report-out.",
                          "en": "Could not write “{name}”: the same file was given to --customers-out and --report-out."},
    "error.bad_window": {"pt": "Janela inválida: “{value}”. Use um número inteiro de dias ≥ 1 (por exemplo --window-days 365).",
                         "en": "Invalid window: “{value}”. Use a whole number of days ≥ 1 (for example --window-days 365)."},
    "error.bad_thresholds": {"pt": "Limiares desconhecidos: “{value}”. Use first (aprendidos na data inicial), last (na final) ou each (em cada data).",
                             "en": "Unknown thresholds: “{value}”. Use first (learned at the first date), last (at the second) or each (at each date)."},

    # --- engines (issue 17) ---
    "error.engine_format": {
        "pt": "“{name}”: os motores duckdb e spark leem Parquet (um arquivo ou um padrão como vendas/*.parquet) e CSV; "
              "para planilhas use --engine memory.",
        "en": "“{name}”: the duckdb and spark engines read Parquet (a file or a pattern such as sales/*.parquet) and CSV; "
              "for workbooks use --engine memory."},
    "error.engine_remote_needs_spark": {
        "pt": "“{name}” é um endereço ou uma tabela que só um cluster lê: use --engine spark (com --spark-master).",
        "en": "“{name}” is an address or a table only a cluster reads: use --engine spark (with --spark-master)."},
    "error.engine_no_table": {"pt": "O Spark não encontrou a tabela “{name}” ({detail}).",
                              "en": "Spark found no table “{name}” ({detail})."},
    "error.engine_unreadable": {"pt": "Não foi possível ler “{name}” como Parquet ({detail}).",
                                "en": "Could not read “{name}” as Parquet ({detail})."},
    "error.engine_csv_layout": {
        "pt": "“{name}”: os motores duckdb e spark leem CSV em UTF-8 com o cabeçalho na primeira linha e todas as linhas "
              "com o mesmo número de campos. Este arquivo precisa do leitor completo: use --engine memory.",
        "en": "“{name}”: the duckdb and spark engines read CSV in UTF-8 with the header on the first line and every line "
              "with the same number of fields. This file needs the full reader: use --engine memory."},
    "error.engine_schemas_differ": {
        "pt": "Os arquivos Parquet do padrão não têm todos as mesmas colunas na mesma ordem (o primeiro é “{name}”).",
        "en": "The Parquet files of the pattern do not all have the same columns in the same order (the first is “{name}”)."},
    "error.engine_date_type": {
        "pt": "A coluna de data “{header}” não é texto nem data no arquivo; use --engine memory.",
        "en": "The date column “{header}” is neither text nor a date in the file; use --engine memory."},
    "error.engine_number_type": {
        "pt": "A coluna de valores “{header}” não é texto nem número no arquivo; use --engine memory.",
        "en": "The value column “{header}” is neither text nor a number in the file; use --engine memory."},
    "error.engine_failed": {"pt": "O motor {engine} falhou: {detail}", "en": "The {engine} engine failed: {detail}"},
    "error.engine_no_pyspark": {
        "pt": "--engine spark precisa do pacote pyspark (pip install -r requirements.txt).",
        "en": "--engine spark needs the pyspark package (pip install -r requirements.txt)."},
    "error.engine_no_java": {
        "pt": "--engine spark precisa de Java 17 ou mais novo (Debian/Ubuntu: apt-get install openjdk-17-jre-headless).",
        "en": "--engine spark needs Java 17 or later (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)."},
    "error.engine_spark_start": {"pt": "Não foi possível iniciar o Spark em {master}: {detail}",
                                 "en": "Could not start Spark on {master}: {detail}"},
    "error.engine_master_needs_spark": {"pt": "--spark-master só vale com --engine spark.",
                                        "en": "--spark-master only applies with --engine spark."},
    "error.engine_with_workspace": {
        "pt": "--engine vale para o arquivo de dados; um espaço de trabalho (--workspace) já guarda o seu resumo por "
              "cliente e dia.",
        "en": "--engine applies to a data file; a workspace (--workspace) already keeps its summary per customer and day."},
    "error.engine_sheet": {"pt": "--sheet é para planilhas, que os motores duckdb e spark não leem; use --engine memory.",
                           "en": "--sheet is for workbooks, which the duckdb and spark engines do not read; "
                                 "use --engine memory."},

    # --- shared links and cached views ---
    "link.other_data": {"pt": "Este link foi feito com outros dados.",
                        "en": "This link was made on other data."},
    "link.asked": {"pt": "Pedido pelo link: {value}", "en": "Asked for by the link: {value}"},
    "link.as_of_outside": {
        "pt": "A data de referência do link ({date}) fica fora do período destes dados ({first} a {last}); "
              "mostrando a data de referência {shown}.",
        "en": "The link's reference date ({date}) is outside these data's period ({first} to {last}); "
              "showing reference date {shown}."},
    "link.dates_outside": {
        "pt": "A data {date} do link fica fora do período destes dados ({first} a {last}); mostrando {shown}.",
        "en": "The link's date {date} is outside these data's period ({first} to {last}); showing {shown}."},
    "link.product_missing": {
        "pt": "Estes dados não vendem o produto do link (código abaixo); mostrando o mais vendido.",
        "en": "These data do not sell the link's product (code below); showing the best-seller."},
    "link.customer_missing": {
        "pt": "O cliente do link (código abaixo) não está nestes dados; mostrando o cliente que mais gastou.",
        "en": "The link's customer (code below) is not in these data; showing the customer who spent most."},
    "link.segment_empty": {
        "pt": "Nestes dados o segmento {segment} do link não tem clientes; mostrando {shown}.",
        "en": "In these data the link's segment {segment} has no customers; showing {shown}."},

    # --- first-hour usability (issue 12) ---
    "role.email": {"pt": "E-mail do cliente", "en": "Customer e-mail"},
    "role.phone": {"pt": "Telefone / WhatsApp", "en": "Phone / WhatsApp"},
    "cust.email": {"pt": "E-mail", "en": "E-mail"},
    "cust.phone": {"pt": "Telefone / WhatsApp", "en": "Phone / WhatsApp"},
    "data.mapping_contacts": {"pt": "Nome, e-mail e telefone do cliente vão para todas as listas de clientes e downloads, prontas para uma ferramenta de e-mail ou WhatsApp.",
                              "en": "Customer name, e-mail and phone go into every customer list and download, ready for an e-mail or WhatsApp tool."},
    # files without money: every money label has an items variant (`key` + ".items")
    "seg.revenue.items": {"pt": "Itens comprados", "en": "Items bought"},
    "seg.monetary.items": {"pt": "Itens comprados", "en": "Items bought"},
    "col.avg_monetary.items": {"pt": "Itens por cliente", "en": "Items per customer"},
    "col.revenue_share.items": {"pt": "% dos itens", "en": "% of items"},
    "cust.monetary.items": {"pt": "Itens comprados", "en": "Items bought"},
    "sum.avg_monetary.items": {"pt": "Itens por cliente", "en": "Items per customer"},
    "sum.revenue.items": {"pt": "Itens comprados", "en": "Items bought"},
    "sum.revenue_share.items": {"pt": "% dos itens", "en": "% of items"},
    "data.monthly_revenue.items": {"pt": "Itens comprados", "en": "Items bought"},
    "cli.revenue.items": {"pt": "Itens comprados", "en": "Items bought"},
    "cli.monetary.items": {"pt": "itens", "en": "items"},
    "seg.showing.items": {"pt": "Mostrando os {shown} maiores de {n} clientes por itens comprados; o download traz todos.",
                          "en": "Showing the top {shown} of {n} customers by items bought; the download has them all."},
    # the interface never speaks command-line language
    "error.no_product_column.ui": {"pt": "Para recomendar produtos, a planilha precisa de uma coluna de produto (código, SKU ou descrição). Indique qual é no mapeamento de colunas, na página Dados.",
                                   "en": "Recommendations need a product column (code, SKU or description). Say which one it is in the column mapping on the Data page."},
    # currency
    "data.currency": {"pt": "Moeda dos valores", "en": "Currency of the amounts"},
    "data.currency_help": {"pt": "Usada em todas as páginas, gráficos e downloads. Não converte valores: só diz em que moeda eles estão.",
                           "en": "Used on every page, chart and download. It converts nothing: it only says which currency the amounts are in."},
    "data.currency_found": {"pt": "Moeda em uso: {symbol} ({name}), detectada {how}. Se não for esta, troque aqui.",
                            "en": "Currency in use: {symbol} ({name}), detected {how}. If it is not this one, change it here."},
    "data.currency_default": {"pt": "Moeda em uso: {symbol} ({name}). A planilha não diz a moeda; se for outra, troque aqui.",
                              "en": "Currency in use: {symbol} ({name}). The spreadsheet does not say which currency; if it is another, change it here."},
    "data.currency_chosen": {"pt": "Moeda em uso: {symbol} ({name}), escolhida por você.",
                             "en": "Currency in use: {symbol} ({name}), as you chose."},
    "data.currency_items": {"pt": "Sem coluna de valor: as medidas são em itens, não em dinheiro.",
                            "en": "No money column: the measures are in items, not money."},
    "currency.how.symbol": {"pt": "pelo símbolo nos valores (“{example}”)", "en": "from the symbol in the values (“{example}”)"},
    "currency.how.header": {"pt": "pelo título da coluna “{example}”", "en": "from the column title “{example}”"},
    "currency.how.country": {"pt": "pelo país dos clientes (“{example}”)", "en": "from the customers' country (“{example}”)"},
    "app.currency": {"pt": "Moeda: {symbol} ({name})", "en": "Currency: {symbol} ({name})"},
    "currency.BRL": {"pt": "real", "en": "Brazilian real"},
    "currency.USD": {"pt": "dólar americano", "en": "US dollar"},
    "currency.EUR": {"pt": "euro", "en": "euro"},
    "currency.GBP": {"pt": "libra esterlina", "en": "pound sterling"},
    "currency.ARS": {"pt": "peso argentino", "en": "Argentine peso"},
    "currency.CLP": {"pt": "peso chileno", "en": "Chilean peso"},
    "currency.MXN": {"pt": "peso mexicano", "en": "Mexican peso"},
    "currency.CAD": {"pt": "dólar canadense", "en": "Canadian dollar"},
    "currency.AUD": {"pt": "dólar australiano", "en": "Australian dollar"},
    "currency.JPY": {"pt": "iene", "en": "Japanese yen"},
    "currency.CHF": {"pt": "franco suíço", "en": "Swiss franc"},
    # the uploader, in the page's language (Streamlit's own widget text is English only)
    "upload.drop": {"pt": "Arraste e solte a planilha aqui", "en": "Drag and drop the spreadsheet here"},
    "upload.limit": {"pt": "Até {mb} MB por arquivo · XLSX, CSV, TXT, Parquet", "en": "Up to {mb} MB per file · XLSX, CSV, TXT, Parquet"},
    "upload.browse": {"pt": "Escolher arquivo", "en": "Browse files"},
    # the wait while a new file is read
    "data.step_reading": {"pt": "1/3 · Lendo “{name}” ({size})…", "en": "1/3 · Reading “{name}” ({size})…"},
    "data.step_cleaning": {"pt": "2/3 · Conferindo e limpando {rows} linhas…", "en": "2/3 · Checking and cleaning {rows} rows…"},
    "data.step_summary": {"pt": "3/3 · Resumindo as vendas por mês e por cliente…", "en": "3/3 · Summarising sales per month and per customer…"},
    "data.step_done": {"pt": "Planilha pronta: {rows} linhas lidas.", "en": "Spreadsheet ready: {rows} rows read."},
    # migration readings: the money at stake
    "mig.at_stake": {"pt": "Gastaram {money} no período anterior ({share} do que esse segmento gastou).",
                     "en": "They spent {money} in the earlier period ({share} of what that segment spent)."},
    "mig.at_stake_new": {"pt": "Gastaram {money} no período.", "en": "They spent {money} in the period."},
    "mig.read.top_slipping": {
        "pt": "Seus melhores clientes vieram menos ou gastaram menos. Ainda são fiéis: um agradecimento pessoal, uma novidade em primeira mão ou um benefício de cliente especial os mantém no topo.",
        "en": "Your best customers came less often or spent less. They are still loyal: a personal thank-you, first access to something new or a perk for special customers keeps them at the top."},
    "migui.col_money": {"pt": "Gasto antes", "en": "Spend before"},
    "migui.col_money.items": {"pt": "Itens antes", "en": "Items before"},
    # recommendations: names told apart, buy again by rhythm and season
    "rec.customer_pick": {"pt": "Cliente (digite o nome ou o código)", "en": "Customer (type a name or code)"},
    "rec.col_when": {"pt": "Quando oferecer", "en": "When to offer"},
    "rec.due_now": {"pt": "agora (no ritmo de compra dele)", "en": "now (at their usual pace)"},
    "rec.due_season": {"pt": "na época: costuma comprar em {months}", "en": "in season: usually bought in {months}"},
    "rec.buy_again_rule": {"pt": "O ritmo é o do próprio cliente quando ele comprou o produto 3 vezes ou mais; senão, o intervalo típico do produto entre todos os clientes. Produtos sazonais só aparecem na época em que costumam ser comprados, e um produto não recomprado há mais de 3 intervalos fica de fora (o cliente parece ter desistido dele).",
                           "en": "The rhythm is the customer's own when they bought the product 3 times or more; otherwise the product's typical interval across all customers. Seasonal products appear only in the season they are usually bought, and a product not rebought for more than 3 intervals is left out (the customer seems to have given it up)."},
    "rec.no_buy_again_due": {"pt": "Nenhum produto repetido está na hora de ser recomprado por este cliente.",
                             "en": "No repeat product is due for this customer right now."},

    # --- predicted value (issue 16) ---
    "error.model_short_history": {
        "pt": "Histórico curto demais para prever: {days} dias entre a primeira compra e a data de referência; o modelo precisa de pelo menos {minimum} para distinguir quem parou de comprar de quem só ainda não voltou.",
        "en": "History too short to predict: {days} days between the first purchase and the reference date; the model needs at least {minimum} to tell customers who stopped buying from those who have not come back yet."},
    "error.model_few_repeat": {
        "pt": "Poucos clientes voltaram a comprar: só {n} com compras em mais de um dia; o modelo precisa de pelo menos {minimum} para estimar com honestidade. Use mais histórico ou uma data de referência posterior.",
        "en": "Too few customers bought again: only {n} with purchases on more than one day; the model needs at least {minimum} to estimate honestly. Use more history or a later reference date."},
    "error.model_few_spenders": {
        "pt": "Poucos clientes com gasto positivo nas recompras: só {n}, devoluções descontadas; o modelo de gasto precisa de pelo menos {minimum}.",
        "en": "Too few customers with a positive spend on their repeat purchases: only {n}, returns subtracted; the spend model needs at least {minimum}."},
    "error.model_no_fit": {
        "pt": "O modelo {model} não se ajustou a estes dados (a estimativa não convergiu ou ficou no limite). Os números não seriam confiáveis, por isso não são mostrados.",
        "en": "The {model} model did not fit this data (the estimate did not converge or hit a bound). The figures would not be reliable, so they are not shown."},
    "error.bad_time_unit": {"pt": "Unidade de tempo desconhecida: “{value}”. Use day (dias) ou week (semanas).",
                            "en": "Unknown time unit: “{value}”. Use day or week."},
    "error.bad_horizon": {"pt": "Horizonte inválido: “{value}”. Use um número inteiro de dias ≥ 1 (por exemplo --horizon-days 90).",
                          "en": "Invalid horizon: “{value}”. Use a whole number of days ≥ 1 (for example --horizon-days 90)."},
    "error.bad_holdout": {"pt": "Período de teste vazio: o corte {cutoff} não é anterior ao fim {end}.",
                          "en": "Empty test period: the cut-off {cutoff} is not before the end {end}."},
    "pred.cli_title": {"pt": "MetriQR — valor previsto (BG/NBD + Gama-Gama)", "en": "MetriQR — predicted value (BG/NBD + Gamma-Gamma)"},
    "pred.cli_as_of": {"pt": "Data de referência", "en": "Reference date"},
    "pred.cli_horizon": {"pt": "Horizonte", "en": "Horizon"},
    "pred.cli_time_unit": {"pt": "Unidade de tempo do modelo", "en": "Model time unit"},
    "pred.cli_columns_left_out": {"pt": "colunas de valor previsto omitidas: {reason}",
                                  "en": "predicted value columns left out: {reason}"},
    "pred.days": {"pt": "{n} dias", "en": "{n} days"},
    "pred.unit_day": {"pt": "dias", "en": "days"},
    "pred.unit_week": {"pt": "semanas", "en": "weeks"},
    "pred.col_segment": {"pt": "Segmento", "en": "Segment"},
    "pred.col_customers": {"pt": "Clientes", "en": "Customers"},
    "pred.col_p_alive": {"pt": "Chance de estar ativo", "en": "Chance still active"},
    "pred.col_expected_purchases": {"pt": "Compras previstas", "en": "Expected purchases"},
    "pred.col_predicted_revenue": {"pt": "Receita prevista", "en": "Predicted revenue"},
    "pred.page": {"pt": "Valor previsto", "en": "Predicted value"},
    "pred.title": {"pt": "Valor previsto", "en": "Predicted value"},
    "pred.intro": {"pt": "Quanto cada segmento e cada cliente devem comprar nos próximos dias, e a chance de cada cliente ainda estar ativo — estimadas a partir do histórico de compras (modelos BG/NBD e Gama-Gama).",
                   "en": "How much each segment and each customer is expected to buy in the coming days, and each customer's chance of still being active — estimated from the purchase history (BG/NBD and Gamma-Gamma models)."},
    "pred.horizon": {"pt": "Horizonte da previsão", "en": "Forecast horizon"},
    "pred.computing": {"pt": "Ajustando o modelo…", "en": "Fitting the model…"},
    "pred.options_line": {"pt": "Segmentos como na Segmentação — data de referência: {as_of} · janela: {window} · método: {method}",
                          "en": "Segments as on Segmentation — reference date: {as_of} · window: {window} · method: {method}"},
    "pred.col_revenue_in": {"pt": "Receita prevista ({symbol})", "en": "Predicted revenue ({symbol})"},
    "pred.change_options": {"pt": "Mudar data, janela ou método", "en": "Change date, window or method"},
    "pred.refused_why": {"pt": "O modelo precisa de pelo menos {repeat} clientes que compraram em mais de um dia e de {days} dias de histórico. Com menos que isso os números seriam palpite, por isso não são mostrados.",
                         "en": "The model needs at least {repeat} customers who bought on more than one day and {days} days of history. With less, the figures would be guesses, so they are not shown."},
    "pred.kpi_customers": {"pt": "Clientes com previsão", "en": "Customers predicted"},
    "pred.kpi_purchases": {"pt": "Compras previstas em {n} dias", "en": "Expected purchases, next {n} days"},
    "pred.kpi_revenue": {"pt": "Receita prevista em {n} dias", "en": "Predicted revenue, next {n} days"},
    "pred.no_dropout": {"pt": "Nestes dados o modelo não encontra clientes que desistiram de vez: quase ninguém some depois de uma compra, então a chance de estar ativo fica perto de 100% para todos. O risco aparece nas compras previstas: quem compra pouco e não volta há tempo tem previsão baixa.",
                        "en": "In this data the model finds no customers who left for good: hardly anyone disappears after a purchase, so everyone's chance of being active is close to 100%. The risk shows in the expected purchases instead: customers who buy rarely and have not been back for a while get a low forecast."},
    "pred.by_segment": {"pt": "Por segmento", "en": "By segment"},
    "pred.col_p_alive_avg": {"pt": "Chance média de estar ativo", "en": "Average chance still active"},
    "pred.col_at_stake": {"pt": "Em jogo", "en": "At stake"},
    "pred.at_stake_line": {"pt": "{n} clientes, com chance média de {p} de ainda estarem ativos: {predicted} previstos nos próximos {days} dias. Se todos seguissem comprando no ritmo de antes seriam {active} — {stake} em jogo, que só voltam se esses clientes forem reativados.",
                           "en": "{n} customers, with a {p} average chance of still being active: {predicted} expected in the next {days} days. Were they all still buying at their old pace it would be {active} — {stake} at stake, which comes back only if these customers are won back."},
    "pred.at_stake_help": {"pt": "Em jogo = receita se todos seguissem ativos − receita prevista: o quanto a chance de já terem desistido custa no horizonte. É o máximo que uma reativação bem-sucedida recupera.",
                           "en": "At stake = revenue were they all still active − predicted revenue: what the chance that they have already left costs over the horizon. It is the most a successful win-back campaign recovers."},
    "pred.customers": {"pt": "Clientes por valor previsto", "en": "Customers by predicted value"},
    "pred.filter": {"pt": "Segmento", "en": "Segment"},
    "pred.all_segments": {"pt": "Todos os segmentos ({n})", "en": "All segments ({n})"},
    "pred.col_customer": {"pt": "Cliente", "en": "Customer"},
    "pred.showing": {"pt": "Mostrando os {shown} de maior valor previsto, de {n}; o download traz todos.",
                     "en": "Showing the {shown} with the highest predicted value, of {n}; the download has them all."},
    "pred.download_csv": {"pt": "Baixar lista (CSV)", "en": "Download list (CSV)"},
    "pred.download_xlsx": {"pt": "Baixar lista (Excel)", "en": "Download list (Excel)"},
    "pred.sheet": {"pt": "Valor previsto", "en": "Predicted value"},
    "pred.calib_title": {"pt": "Quanto confiar: teste com o passado", "en": "How far to trust it: a test on the past"},
    "pred.calib_intro": {"pt": "O modelo foi ajustado só com as compras antes de {cutoff} e comparado com o que {n} clientes de fato compraram de {cutoff} a {end} (dias com compra). Barras parecidas indicam uma previsão confiável.",
                         "en": "The model was fitted on the purchases before {cutoff} only and compared with what {n} customers actually bought from {cutoff} to {end} (days with a purchase). Similar bars mean a forecast you can rely on."},
    "pred.calib_refused": {"pt": "Não há histórico suficiente antes de {cutoff} para testar o modelo num período do tamanho do horizonte escolhido.",
                           "en": "There is not enough history before {cutoff} to test the model over a period as long as the chosen horizon."},
    "pred.calib_total_line": {"pt": "Total no período de teste: {expected} compras previstas, {actual} realizadas ({gap} {direction}).",
                              "en": "Total over the test period: {expected} purchases expected, {actual} made ({gap} {direction})."},
    "pred.calib_over": {"pt": "acima do real", "en": "above what happened"},
    "pred.calib_under": {"pt": "abaixo do real", "en": "below what happened"},
    "pred.calib_expected": {"pt": "Previsto pelo modelo", "en": "Expected by the model"},
    "pred.calib_actual": {"pt": "Realizado", "en": "Actual"},
    "pred.calib_total": {"pt": "Total de compras", "en": "Total purchases"},
    "pred.calib_x": {"pt": "Recompras antes do corte (dias com compra além do primeiro)", "en": "Repeat purchases before the cut-off (purchase days after the first)"},
    "pred.calib_y": {"pt": "Compras por cliente no teste", "en": "Purchases per customer in the test"},
    "pred.how": {"pt": "Como a previsão é feita", "en": "How the forecast is made"},
    "pred.how_text": {"pt": "Cada dia com compra conta como uma compra. O **BG/NBD** (Fader, Hardie e Lee, 2005) supõe que cada cliente compra no seu próprio ritmo enquanto está ativo e pode desistir depois de cada compra; pelo número de recompras, pela data da última e pelo tempo desde a primeira, estima a chance de o cliente ainda estar ativo e quantas compras fará no horizonte. O **Gama-Gama** estima o gasto por compra de cada cliente, puxando o gasto médio de quem comprou poucas vezes para a média de todos. Receita prevista = compras previstas × gasto esperado por compra (devoluções descontadas).\n\nQuem comprou em um único dia aparece com 100% de chance de estar ativo: o modelo só vê desistência depois de uma recompra. Para esses clientes, olhe as compras previstas. Os modelos usam todo o histórico antes da data de referência; a janela escolhida na Segmentação muda só quem entra em cada segmento.",
                      "en": "Each day with a purchase counts as one purchase. **BG/NBD** (Fader, Hardie and Lee, 2005) assumes each customer buys at their own pace while active and may leave after any purchase; from the number of repeat purchases, the date of the last one and the time since the first, it estimates the chance that the customer is still active and how many purchases they will make over the horizon. **Gamma-Gamma** estimates each customer's spend per purchase, pulling the average of customers who bought few times towards everyone's mean. Predicted revenue = expected purchases × expected spend per purchase (returns subtracted).\n\nCustomers who bought on a single day show a 100% chance of being active: the model sees leaving only after a repeat purchase. For them, read the expected purchases. The models use all history before the reference date; the window chosen on Segmentation changes only who is in each segment."},
    "pred.params_line": {"pt": "Parâmetros ajustados — BG/NBD: r = {r}, α = {alpha} (semanas), a = {a}, b = {b}; Gama-Gama: p = {p}, q = {q}, γ = {gamma}; gasto esperado por compra de um cliente novo: {spend}.",
                         "en": "Fitted parameters — BG/NBD: r = {r}, α = {alpha} (weeks), a = {a}, b = {b}; Gamma-Gamma: p = {p}, q = {q}, γ = {gamma}; expected spend per purchase of a new customer: {spend}."},
    "pred.params_line_fixed": {"pt": "Parâmetros ajustados — BG/NBD: r = {r}, α = {alpha} (semanas), a = {a}, b = {b}. Gama-Gama não ajustado: os clientes que voltaram gastam o mesmo por compra ({spend}), e esse é o gasto previsto de cada compra.",
                               "en": "Fitted parameters — BG/NBD: r = {r}, α = {alpha} (weeks), a = {a}, b = {b}. Gamma-Gamma not fitted: returning customers spend the same per purchase ({spend}), which is every purchase's expected spend."},
    "pred.fixed_spend_line": {"pt": "Gama-Gama: não ajustado — os clientes que voltaram gastam o mesmo por compra, {spend}, o gasto previsto de cada compra",
                              "en": "Gamma-Gamma: not fitted — returning customers spend the same per purchase, {spend}, every purchase's expected spend"},

    # --- workspaces (issue 14) ---
    "ws.currency_help": {"pt": "Guardada com o espaço de trabalho: vale para todas as páginas, links e próximos envios.",
                         "en": "Stored with the workspace: it applies to every page, link and later upload."},
    "ws.sizes_title": {"pt": "Tamanho dos segmentos ao longo do tempo", "en": "Segment sizes over time"},
    "ws.sizes_axis": {"pt": "Clientes", "en": "Customers"},
    "ws.sizes_runs": {"pt": "Uma coluna por segmentação salva neste espaço de trabalho.",
                      "en": "One column per segmentation saved in this workspace."},
    "ws.sizes_snapshots": {"pt": "Uma coluna por data comparada acima. Num espaço de trabalho, as segmentações salvas "
                                 "aparecem aqui.",
                           "en": "One column per date compared above. In a workspace, the saved segmentations show here."},
    "ws.run_label": {"pt": "nº {run} · {date} · {method}", "en": "#{run} · {date} · {method}"},
    "ws.run_from": {"pt": "Segmentação salva inicial", "en": "Earlier saved segmentation"},
    "ws.run_to": {"pt": "Segmentação salva final", "en": "Later saved segmentation"},
    "ws.runs_rule": {"pt": "Compara as segmentações exatamente como foram salvas, cada uma com os seus próprios limites.",
                     "en": "Compares the segmentations exactly as they were saved, each with its own thresholds."},
    "migui.mode_runs": {"pt": "Segmentações salvas", "en": "Saved segmentations"},
    "cust.previous_segment": {"pt": "Segmento anterior (salvo)", "en": "Previous segment (saved)"},
    "cust.segment_since": {"pt": "Neste segmento desde", "en": "In this segment since"},
    "ws.col_change_since": {"pt": "Variação desde nº {run} ({date})", "en": "Change since #{run} ({date})"},
    "ws.no_runs_yet": {"pt": "Salve esta segmentação para, nas próximas, ver o que mudou em cada segmento e há quanto "
                             "tempo cada cliente está onde está.",
                       "en": "Save this segmentation so that later ones show what changed in each segment and how long "
                             "each customer has been where they are."},
    "ws.save_run": {"pt": "Salvar esta segmentação", "en": "Save this segmentation"},
    "ws.save_run_help": {"pt": "Guarda a data de referência, o método, a janela, os limites e o segmento de cada cliente, "
                               "exatamente como estão agora.",
                         "en": "Stores the reference date, method, window, thresholds and every customer's segment, "
                               "exactly as they are now."},
    "ws.run_saved": {"pt": "Segmentação salva (nº {run}, referência {date}).",
                     "en": "Segmentation saved (#{run}, reference date {date})."},
    "ws.sidebar_shared": {"pt": "Visão compartilhada, somente leitura.", "en": "Shared view, read-only."},
    "ws.sidebar_stored": {"pt": "Histórico guardado neste servidor (veja Dados para compartilhar ou apagar).",
                          "en": "History stored on this server (see Data to share or delete)."},
    "cli.ingest_done": {
        "pt": "{name}: {read} linhas lidas, {excluded} excluídas; cobre {first} a {last}.\n"
              "{added} linhas adicionadas, {replaced} substituídas, {unchanged} mantidas.\n"
              "Histórico: {span_first} a {span_last}, {lines} linhas, {customers} clientes.",
        "en": "{name}: {read} rows read, {excluded} excluded; covers {first} to {last}.\n"
              "{added} lines added, {replaced} replaced, {unchanged} kept.\n"
              "History: {span_first} to {span_last}, {lines} lines, {customers} customers."},
    "cli.runs_none": {"pt": "Nenhuma segmentação salva (use segment --workspace PATH --save).",
                      "en": "No saved segmentation (use segment --workspace PATH --save)."},
    "cli.runs_line": {"pt": "#{run}  referência {as_of}  {method}  {customers} clientes  salva em {saved}",
                      "en": "#{run}  as of {as_of}  {method}  {customers} customers  saved {saved}"},
    "cli.forget_done": {"pt": "{customers} cliente(s) esquecido(s), {lines} linhas apagadas.",
                        "en": "{customers} customer(s) forgotten, {lines} lines removed."},
    "cli.share_done": {
        "pt": "Link somente leitura: {path}\n(no app servido com METRIQR_DATA_DIR={data_dir}; "
              "o segredo não é mostrado de novo)",
        "en": "Read-only link: {path}\n(on the app served with METRIQR_DATA_DIR={data_dir}; the secret is not "
              "shown again)"},
    "cli.share_revoked": {"pt": "Link revogado.", "en": "Link revoked."},
    "cli.delete_done": {"pt": "Espaço de trabalho apagado.", "en": "Workspace deleted."},
    "cli.data_or_workspace": {"pt": "Informe o arquivo de dados ou --workspace PASTA (um dos dois).",
                                "en": "Give the data file or --workspace PATH (one of the two)."},
    "cli.ingest_needs_both": {"pt": "ingest precisa do arquivo de dados e de --workspace PASTA.",
                                "en": "ingest needs the data file and --workspace PATH."},
    "error.save_needs_workspace": {"pt": "--save guarda a segmentação num espaço de trabalho: use com --workspace PASTA.",
                                   "en": "--save stores the segmentation in a workspace: use it with --workspace PATH."},
    "cli.migrate_dates_or_runs": {
        "pt": "Informe --from e --to (datas), ou --from-run e --to-run (segmentações salvas, com --workspace).",
        "en": "Give --from and --to (dates), or --from-run and --to-run (saved segmentations, with --workspace)."},
    "error.bad_run": {"pt": "“{value}” não é o número de uma segmentação salva (veja: runs --workspace PASTA).",
                      "en": "“{value}” is not the number of a saved segmentation (see: runs --workspace PATH)."},
    "error.unknown_token": {"pt": "Este link não pertence a este espaço de trabalho ou já foi revogado.",
                            "en": "This link does not belong to this workspace or was already revoked."},
    "error.bad_expiry": {"pt": "--expires-days deve ser um número inteiro de dias, 1 ou mais (recebido: “{value}”).",
                         "en": "--expires-days must be a whole number of days, 1 or more (got “{value}”)."},
    "ws.start_over": {"pt": "Começar de novo (dados de demonstração)", "en": "Start over (demo data)"},
    "ws.save_title": {"pt": "Guardar para a próxima vez", "en": "Keep for next time"},
    "ws.save_explain": {
        "pt": "Por padrão nada do que você envia é gravado: a planilha some quando você fecha a página. "
              "“Salvar em um espaço de trabalho” grava neste servidor o histórico limpo das vendas (não o arquivo), "
              "o mapeamento de colunas e as configurações, e lhe dá um link privado. Depois você acrescenta as vendas "
              "de cada semana ou mês, salva segmentações para compará-las e compartilha uma visão só de leitura. "
              "Você pode apagar tudo a qualquer momento.",
        "en": "By default nothing you upload is written anywhere: the spreadsheet is gone when you close the page. "
              "“Save to a workspace” stores on this server the cleaned sales history (not the file), the column "
              "mapping and the settings, and gives you a private link. You then add each week's or month's sales, "
              "save segmentations to compare them and share a read-only view. You can delete everything at any time."},
    "ws.save_button": {"pt": "Salvar em um espaço de trabalho", "en": "Save to a workspace"},
    "ws.saved": {
        "pt": "Espaço de trabalho criado. Guarde o link de dono abaixo (ele também está na barra de endereço): "
              "é a única chave deste espaço; quem o tiver pode ver, alterar e apagar os dados.",
        "en": "Workspace created. Keep the owner link below (it is also in the address bar): it is the only key to "
              "this workspace; whoever has it can see, change and delete the data."},
    "ws.title": {"pt": "Espaço de trabalho", "en": "Workspace"},
    "ws.badge_owner": {"pt": "Espaço de trabalho (dono)", "en": "Workspace (owner)"},
    "ws.badge_read": {"pt": "Espaço de trabalho (somente leitura)", "en": "Workspace (read-only)"},
    "ws.leave": {"pt": "Sair do espaço de trabalho", "en": "Leave the workspace"},
    "ws.lines": {"pt": "Linhas guardadas", "en": "Lines stored"},
    "ws.customers": {"pt": "Clientes", "en": "Customers"},
    "ws.first_sale": {"pt": "Primeira venda", "en": "First sale"},
    "ws.last_sale": {"pt": "Última venda", "en": "Last sale"},
    "ws.read_only": {"pt": "Visão somente leitura, compartilhada pelo dono deste espaço de trabalho.",
                     "en": "Read-only view, shared by the owner of this workspace."},
    "ws.masked": {"pt": "Nomes e contatos dos clientes estão ocultos nesta visão: só os códigos aparecem.",
                  "en": "Customer names and contact details are hidden in this view: only the ids show."},
    "ws.stored_here": {
        "pt": "Estes dados estão gravados neste servidor, num banco de dados só deste espaço de trabalho. "
              "Para apagá-los, use “Apagar o espaço de trabalho” no fim desta página.",
        "en": "This data is stored on this server, in a database of this workspace alone. To delete it, use "
              "“Delete the workspace” at the bottom of this page."},
    "ws.owner_link": {"pt": "Seu link de dono", "en": "Your owner link"},
    "ws.owner_link_help": {"pt": "Quem tiver este link pode ver, alterar e apagar o espaço de trabalho. Não o compartilhe: "
                                 "para colegas, crie um link somente leitura abaixo.",
                           "en": "Whoever has this link can see, change and delete the workspace. Do not share it: "
                                 "for colleagues, create a read-only link below."},
    "ws.add_title": {"pt": "Adicionar vendas", "en": "Add sales"},
    "ws.add_rule": {
        "pt": "As linhas do arquivo novo substituem as linhas guardadas cujas datas caem nos dias que ele cobre "
              "(da primeira à última data dele); tudo fora desse intervalo é mantido. Assim, exportações sobrepostas, "
              "arquivos reenviados e meses corrigidos nunca contam em dobro.",
        "en": "The new file's lines replace the stored lines dated within the days it covers (from its first to its "
              "last date); everything outside that range is kept. So overlapping exports, re-sent files and "
              "corrected months never count twice."},
    "ws.add_upload": {"pt": "Nova exportação de vendas", "en": "New sales export"},
    "ws.add_button": {"pt": "Adicionar ao histórico", "en": "Add to the history"},
    "ws.added": {
        "pt": "{name}: cobre {first} a {last}. {added} linhas adicionadas, {replaced} substituídas, {unchanged} "
              "mantidas. Histórico agora de {span_first} a {span_last}.",
        "en": "{name}: covers {first} to {last}. {added} lines added, {replaced} replaced, {unchanged} kept. "
              "History now from {span_first} to {span_last}."},
    "ws.uploads": {"pt": "Arquivos recebidos", "en": "Files received"},
    "ws.col_file": {"pt": "Arquivo", "en": "File"},
    "ws.col_saved": {"pt": "Recebido em", "en": "Received on"},
    "ws.col_covers": {"pt": "Cobre", "en": "Covers"},
    "ws.col_added": {"pt": "Linhas adicionadas", "en": "Lines added"},
    "ws.col_replaced": {"pt": "Linhas substituídas", "en": "Lines replaced"},
    "ws.share_title": {"pt": "Compartilhar", "en": "Share"},
    "ws.share_explain": {
        "pt": "Um link somente leitura abre as páginas deste espaço sem envio de arquivos, sem apagar e sem "
              "compartilhar. Você pode revogá-lo a qualquer momento.",
        "en": "A read-only link opens this workspace's pages without uploads, deletion or sharing. You can revoke "
              "it at any time."},
    "ws.expires_days": {"pt": "Expira em (dias; 0 = não expira)", "en": "Expires in (days; 0 = never)"},
    "ws.expires_help": {"pt": "Depois dessa data o link deixa de abrir.", "en": "After that date the link stops opening."},
    "ws.mask": {"pt": "Ocultar nomes e contatos", "en": "Hide names and contacts"},
    "ws.mask_help": {"pt": "Quem abrir o link vê só os códigos dos clientes.",
                     "en": "Whoever opens the link sees only customer ids."},
    "ws.share_button": {"pt": "Criar link somente leitura", "en": "Create a read-only link"},
    "ws.share_done": {"pt": "Link criado. Copie-o agora: por segurança ele não é mostrado de novo.",
                      "en": "Link created. Copy it now: for safety it is not shown again."},
    "ws.links": {"pt": "Links somente leitura", "en": "Read-only links"},
    "ws.link_line": {"pt": "Criado em {created} · {state}{masked}", "en": "Created {created} · {state}{masked}"},
    "ws.link_revoked": {"pt": "revogado", "en": "revoked"},
    "ws.link_expires": {"pt": "expira em {date}", "en": "expires {date}"},
    "ws.link_no_expiry": {"pt": "não expira", "en": "no expiry"},
    "ws.link_masked": {"pt": " · nomes ocultos", "en": " · names hidden"},
    "ws.revoke": {"pt": "Revogar", "en": "Revoke"},
    "ws.erase_title": {"pt": "Apagar dados", "en": "Delete data"},
    "ws.what_is_stored": {
        "pt": "O que está guardado: as linhas de venda limpas (cliente, data, valor, pedido, produto e nome ou "
              "contatos quando a planilha os tem), a lista de arquivos recebidos, as segmentações salvas e os links "
              "(só uma impressão digital deles, nunca o link). A LGPD dá a cada pessoa o direito de ser esquecida: "
              "“Esquecer cliente” apaga as linhas dele e suas linhas nas segmentações salvas.",
        "en": "What is stored: the cleaned sales lines (customer, date, amount, order, product, and name or contacts "
              "when the spreadsheet has them), the list of files received, the saved segmentations and the links "
              "(only a fingerprint of each, never the link). Privacy law (Brazil's LGPD) gives every person the right "
              "to be forgotten: “Forget customer” deletes their lines and their rows in saved segmentations."},
    "ws.forget_label": {"pt": "Código do cliente a esquecer", "en": "Customer id to forget"},
    "ws.forget_help": {"pt": "Exatamente como aparece nas listas de clientes.", "en": "Exactly as it shows in the customer lists."},
    "ws.forget_button": {"pt": "Esquecer cliente", "en": "Forget customer"},
    "ws.forgotten": {"pt": "Cliente esquecido: {lines} linhas apagadas, e suas linhas nas segmentações salvas.",
                     "en": "Customer forgotten: {lines} lines deleted, and their rows in saved segmentations."},
    "ws.forget_none": {"pt": "Nenhum cliente com esse código neste espaço de trabalho.",
                       "en": "No customer with that id in this workspace."},
    "ws.delete_confirm": {"pt": "Entendo que o espaço de trabalho e todos os seus links deixam de existir agora.",
                          "en": "I understand the workspace and all its links cease to exist now."},
    "ws.delete_button": {"pt": "Apagar o espaço de trabalho", "en": "Delete the workspace"},
    "ws.deleted": {"pt": "Espaço de trabalho apagado: seus arquivos foram removidos deste servidor.",
                   "en": "Workspace deleted: its files were removed from this server."},
    "error.workspace_missing": {
        "pt": "Não há espaço de trabalho em {path}. Crie um com: python -m metriqr ingest ARQUIVO --workspace {path}",
        "en": "There is no workspace at {path}. Create one with: python -m metriqr ingest FILE --workspace {path}"},
    "error.workspace_damaged": {
        "pt": "{path} não é um espaço de trabalho do MetriQR, ou o arquivo dele está danificado. "
              "Nenhum outro espaço de trabalho foi afetado.",
        "en": "{path} is not a MetriQR workspace, or its file is damaged. No other workspace was affected."},
    "error.workspace_not_empty": {
        "pt": "A pasta {path} já existe e não é um espaço de trabalho: escolha uma pasta nova ou vazia.",
        "en": "The folder {path} exists and is not a workspace: choose a new or empty folder."},
    "error.workspace_busy": {
        "pt": "O espaço de trabalho está ocupado com outra gravação há mais de {seconds} s. Tente de novo em instantes.",
        "en": "The workspace has been busy with another write for over {seconds} s. Try again in a moment."},
    "error.workspace_empty_upload": {
        "pt": "Nenhuma linha utilizável para adicionar ao espaço de trabalho.",
        "en": "No usable line to add to the workspace."},
    "error.workspace_too_large": {
        "pt": "O espaço de trabalho passaria de {millions} milhões de linhas, o limite por espaço. Nada foi gravado.",
        "en": "The workspace would exceed {millions} million lines, the limit per workspace. Nothing was written."},
    "error.workspace_no_history": {
        "pt": "O espaço de trabalho ainda não tem vendas: adicione um arquivo com python -m metriqr ingest.",
        "en": "The workspace has no sales yet: add a file with python -m metriqr ingest."},
    "error.run_missing": {"pt": "Não há segmentação salva com o número {run}.",
                          "en": "There is no saved segmentation number {run}."},
    "error.not_found": {"pt": "Espaço de trabalho não encontrado. O link pode estar errado, ter expirado ou sido revogado.",
                        "en": "Workspace not found. The link may be wrong, expired or revoked."},
    # --- campaigns (issue 15) ---
    "error.camp_bad_control": {
        "pt": "A parcela do grupo de controle deve estar entre 1% e 90% (0.01 a 0.9), recebido: “{value}”.",
        "en": "The control group's share must be between 1% and 90% (0.01 to 0.9), got “{value}”."},
    "error.camp_empty_target": {"pt": "Nenhum cliente para esta campanha: a seleção está vazia.",
                                "en": "No customer for this campaign: the selection is empty."},
    "error.camp_until_before": {"pt": "A data final {until} é anterior à data da campanha ({as_of}).",
                                "en": "The end date {until} is before the campaign's date ({as_of})."},
    "error.camp_unknown_segment": {
        "pt": "“{value}” não é um segmento. Use uma destas chaves: champions, loyal, potential_loyalist, new, "
              "promising, need_attention, about_to_sleep, cant_lose, at_risk, inactive (e new_in_period como origem "
              "de um fluxo).",
        "en": "“{value}” is not a segment. Use one of these keys: champions, loyal, potential_loyalist, new, "
              "promising, need_attention, about_to_sleep, cant_lose, at_risk, inactive (and new_in_period as a "
              "flow's source)."},
    "error.camp_bad_name": {"pt": "Dê à campanha um nome de 1 a {limit} caracteres.",
                            "en": "Give the campaign a name of 1 to {limit} characters."},
    "error.camp_duplicate": {"pt": "Já existe uma campanha chamada “{name}” neste espaço de trabalho: escolha outro nome.",
                             "en": "There is already a campaign called “{name}” in this workspace: choose another name."},
    "error.camp_unknown": {"pt": "Não há campanha chamada “{name}” neste espaço de trabalho (veja: campaign list).",
                           "en": "There is no campaign called “{name}” in this workspace (see: campaign list)."},
    "error.camp_bad_flow": {"pt": "--flow deve ser ORIGEM:DESTINO, por exemplo loyal:at_risk (recebido: “{value}”).",
                            "en": "--flow must be SOURCE:TARGET, for example loyal:at_risk (got “{value}”)."},
    "error.camp_bad_seed": {"pt": "A semente deve ser um número inteiro, 0 ou mais (recebido: “{value}”).",
                            "en": "The seed must be a whole number, 0 or more (got “{value}”)."},
    "camp.cli_one_source": {"pt": "Escolha os clientes com exatamente uma opção: --segment, --flow ou --customers.",
                            "en": "Choose the customers with exactly one option: --segment, --flow or --customers."},
    "camp.cli_run_with_segment": {"pt": "--run e --as-of só valem com --segment.",
                                  "en": "--run and --as-of only go with --segment."},
    "camp.cli_run_or_as_of": {"pt": "Use --run (uma segmentação salva) ou --as-of (uma data), não os dois.",
                              "en": "Use --run (a saved segmentation) or --as-of (a date), not both."},
    "camp.cli_flow_runs": {"pt": "--flow precisa de --from-run e --to-run (e estes só valem com --flow).",
                           "en": "--flow needs --from-run and --to-run (and these only go with --flow)."},
    "camp.cli_created": {
        "pt": "Campanha “{name}” criada (referência {as_of}): {targeted} clientes no alvo, {control} no grupo de "
              "controle ({share}, semente {seed}).",
        "en": "Campaign “{name}” created (reference date {as_of}): {targeted} customers targeted, {control} in the "
              "control group ({share}, seed {seed})."},
    "camp.cli_written": {"pt": "Lista do alvo (sem o grupo de controle) gravada em {path}.",
                         "en": "Target list (without the control group) written to {path}."},
    "camp.cli_measure_title": {"pt": "Campanha “{name}”: alvo contra controle",
                               "en": "Campaign “{name}”: target against control"},
    "camp.cli_period": {"pt": "Vendas de {as_of} a {until} ({days} dias)",
                        "en": "Sales from {as_of} to {until} ({days} days)"},
    "camp.cli_group_line": {
        "pt": "{group}: {customers} clientes, {buyers} compraram ({rate}); receita {revenue}, {per_customer} por "
              "cliente; {progressed} subiram de segmento",
        "en": "{group}: {customers} customers, {buyers} bought ({rate}); revenue {revenue}, {per_customer} per "
              "customer; {progressed} moved to a better segment"},
    "camp.cli_uplift_rate": {"pt": "Taxa de compra, alvo − controle: {diff} p.p. (IC 95%: {low} a {high})",
                             "en": "Purchase rate, target − control: {diff} pp (95% CI: {low} to {high})"},
    "camp.cli_uplift_revenue": {"pt": "Receita por cliente, alvo − controle: {diff} (IC 95%: {low} a {high})",
                                "en": "Revenue per customer, target − control: {diff} (95% CI: {low} to {high})"},
    "camp.cli_attributable": {"pt": "Receita atribuível à campanha: {diff} (IC 95%: {low} a {high})",
                              "en": "Revenue attributable to the campaign: {diff} (95% CI: {low} to {high})"},
    "camp.cli_none": {"pt": "Nenhuma campanha neste espaço de trabalho (crie uma com: campaign create).",
                      "en": "No campaign in this workspace (create one with: campaign create)."},
    "camp.cli_list_line": {"pt": "{name}  referência {as_of}  {targeted} no alvo, {control} no controle  {status}",
                           "en": "{name}  as of {as_of}  {targeted} targeted, {control} control  {status}"},
    "camp.group_target": {"pt": "Alvo", "en": "Target"},
    "camp.group_control": {"pt": "Controle", "en": "Control"},
    "camp.verdict_effect": {
        "pt": "Efeito: a diferença na taxa de compra entre alvo e controle é maior do que o acaso explicaria.",
        "en": "Effect: the difference in purchase rate between target and control is larger than chance would explain."},
    "camp.verdict_no_effect_yet": {
        "pt": "Nenhum efeito mensurável ainda: a diferença entre alvo e controle cabe no que o acaso produz.",
        "en": "No measurable effect yet: the difference between target and control is within what chance produces."},
    "camp.verdict_too_early": {
        "pt": "Cedo demais: poucos dias de vendas desde a campanha ou poucos clientes num dos grupos para concluir.",
        "en": "Too early: too few days of sales since the campaign, or too few customers in a group, to conclude."},
    "camp.waiting": {
        "pt": "Ainda não há vendas a partir de {as_of}, a data da campanha: adicione as vendas novas ao espaço de "
              "trabalho e meça de novo.",
        "en": "No sales from {as_of}, the campaign's date, yet: add the new sales to the workspace and measure again."},
    "camp.page": {"pt": "Campanhas", "en": "Campaigns"},
    "camp.title": {"pt": "Campanhas", "en": "Campaigns"},
    "camp.intro": {
        "pt": "Aja sobre um grupo de clientes e meça o que a ação fez: uma parte escolhida ao acaso fica de fora "
              "(o grupo de controle) e, quando chegarem as vendas seguintes, o alvo é comparado com ela.",
        "en": "Act on a group of customers and measure what the action did: a part chosen at random is held out "
              "(the control group) and, when the following sales arrive, the target is compared with it."},
    "camp.needs_workspace": {
        "pt": "As campanhas ficam guardadas num espaço de trabalho, porque medir uma campanha exige as vendas que "
              "chegam depois dela. Para abrir um: em Dados, envie a sua planilha e clique em “Salvar em um espaço de "
              "trabalho” (ou abra o link de dono de um espaço que você já tem). Depois salve uma segmentação em "
              "Segmentação e volte aqui.",
        "en": "Campaigns are kept in a workspace, because measuring a campaign needs the sales that arrive after it. "
              "To open one: on Data, upload your spreadsheet and click “Save to a workspace” (or open the owner link "
              "of a workspace you already have). Then save a segmentation on Segmentation and come back here."},
    "camp.go_data": {"pt": "Ir para Dados", "en": "Go to Data"},
    "camp.read_only": {"pt": "Visão somente leitura: você vê as campanhas e as medições, mas não cria campanhas.",
                       "en": "Read-only view: you see the campaigns and their measurements, but cannot create one."},
    "camp.create_title": {"pt": "Nova campanha", "en": "New campaign"},
    "camp.control_explain": {
        "pt": "Por que deixar clientes de fora? Clientes compram mesmo sem campanha. Separando ao acaso uma parte "
              "que não recebe a mensagem (o grupo de controle), os dois grupos só diferem pelo acaso; depois, se o "
              "alvo comprar mais do que o controle além do que o acaso explica, a diferença é efeito da campanha. "
              "Sem controle não há como saber. A separação é guardada e nunca muda.",
        "en": "Why hold customers out? Customers buy even without a campaign. By setting aside at random a part who "
              "do not get the message (the control group), the two groups differ only by chance; later, if the "
              "target buys more than the control beyond what chance explains, the difference is the campaign's "
              "effect. Without a control there is no way to know. The split is stored and never changes."},
    "camp.runs_hint": {
        "pt": "Para escolher um segmento ou um fluxo, salve segmentações em Segmentação (duas, para um fluxo). "
              "Uma lista de clientes sempre pode ser enviada.",
        "en": "To choose a segment or a flow, save segmentations on Segmentation (two, for a flow). A list of "
              "customers can always be uploaded."},
    "camp.source": {"pt": "Clientes da campanha", "en": "Customers of the campaign"},
    "camp.kind_segment": {"pt": "Segmento de uma segmentação salva", "en": "Segment of a saved segmentation"},
    "camp.kind_flow": {"pt": "Fluxo entre duas segmentações", "en": "Flow between two segmentations"},
    "camp.kind_list": {"pt": "Lista enviada", "en": "Uploaded list"},
    "camp.run": {"pt": "Segmentação salva", "en": "Saved segmentation"},
    "camp.segment": {"pt": "Segmento", "en": "Segment"},
    "camp.list_upload": {"pt": "Lista de clientes (CSV, TXT ou XLSX)", "en": "List of customers (CSV, TXT or XLSX)"},
    "camp.list_help": {
        "pt": "Uma coluna com os códigos dos clientes, como nas vendas (cabeçalho “customer” ou “cliente”), ou um "
              "código por linha.",
        "en": "A column with the customer ids, as in the sales (header “customer” or “cliente”), or one id per line."},
    "camp.list_ignored_one": {"pt": "1 código da lista não está no histórico e fica de fora.",
                              "en": "1 id of the list is not in the history and is left out."},
    "camp.list_ignored_many": {"pt": "{n} códigos da lista não estão no histórico e ficam de fora.",
                               "en": "{n} ids of the list are not in the history and are left out."},
    "camp.name": {"pt": "Nome da campanha", "en": "Campaign name"},
    "camp.channel": {"pt": "Canal e mensagem (anotação)", "en": "Channel and message (a note)"},
    "camp.channel_help": {"pt": "Por exemplo: WhatsApp, cupom de 10% — para lembrar o que foi feito.",
                          "en": "For example: WhatsApp, 10% coupon — to remember what was done."},
    "camp.control_share": {"pt": "Grupo de controle", "en": "Control group"},
    "camp.control_share_help": {
        "pt": "A parte dos clientes que não recebe a campanha. 10% é o costume; em grupos pequenos, uma parte maior "
              "torna a medição possível.",
        "en": "The share of customers who do not get the campaign. 10% is usual; with small groups, a larger share "
              "makes the measurement possible."},
    "camp.seed": {"pt": "Semente do sorteio", "en": "Seed of the draw"},
    "camp.seed_help": {"pt": "A mesma semente com os mesmos clientes dá sempre a mesma separação.",
                       "en": "The same seed with the same customers always gives the same split."},
    "camp.preview": {"pt": "{n} clientes: {targeted} no alvo, {control} no grupo de controle.",
                     "en": "{n} customers: {targeted} targeted, {control} in the control group."},
    "camp.small_warning": {
        "pt": "Com menos de {min} clientes no grupo de controle a medição dirá “cedo demais”: use um grupo de "
              "controle de pelo menos {share}.",
        "en": "With fewer than {min} customers in the control group the measurement will say “too early”: use a "
              "control group of at least {share}."},
    "camp.too_few": {
        "pt": "Com menos de {both} clientes não cabem {min} em cada grupo, e a medição dirá “cedo demais”: escolha "
              "mais clientes.",
        "en": "With fewer than {both} customers there cannot be {min} in each group, and the measurement will say "
              "“too early”: choose more customers."},
    "camp.create": {"pt": "Criar campanha", "en": "Create campaign"},
    "camp.created": {
        "pt": "Campanha criada: {targeted} clientes no alvo, {control} no grupo de controle. Baixe a lista do alvo "
              "abaixo.",
        "en": "Campaign created: {targeted} customers targeted, {control} in the control group. Download the target "
              "list below."},
    "camp.list_title": {"pt": "Campanhas deste espaço de trabalho", "en": "This workspace's campaigns"},
    "camp.col_name": {"pt": "Campanha", "en": "Campaign"},
    "camp.col_created": {"pt": "Criada em", "en": "Created"},
    "camp.col_as_of": {"pt": "Data da campanha", "en": "Campaign date"},
    "camp.col_source": {"pt": "Clientes", "en": "Customers"},
    "camp.col_targeted": {"pt": "Alvo", "en": "Target"},
    "camp.col_control": {"pt": "Controle", "en": "Control"},
    "camp.col_status": {"pt": "Situação", "en": "Status"},
    "camp.source_segment": {"pt": "{segment}, {where}", "en": "{segment}, {where}"},
    "camp.source_run": {"pt": "segmentação salva nº {run}", "en": "saved segmentation #{run}"},
    "camp.source_date": {"pt": "segmentação de {date}", "en": "segmentation of {date}"},
    "camp.source_flow": {"pt": "{source} → {target} (nº {first} → nº {second})",
                         "en": "{source} → {target} (#{first} → #{second})"},
    "camp.source_list": {"pt": "lista {name}", "en": "list {name}"},
    "camp.measure_title": {"pt": "Resultado", "en": "Result"},
    "camp.choose": {"pt": "Campanha", "en": "Campaign"},
    "camp.about": {
        "pt": "{source} · data da campanha {as_of} · controle {share} · semente {seed}",
        "en": "{source} · campaign date {as_of} · control {share} · seed {seed}"},
    "camp.download_csv": {"pt": "Baixar a lista do alvo (CSV)", "en": "Download the target list (CSV)"},
    "camp.download_xlsx": {"pt": "Baixar a lista do alvo (XLSX)", "en": "Download the target list (XLSX)"},
    "camp.download_note": {
        "pt": "{n} clientes, só os do alvo (o grupo de controle não está na lista), com nome, e-mail e telefone "
              "quando a planilha os tem.",
        "en": "{n} customers, the target only (the control group is not in the list), with name, e-mail and phone "
              "when the spreadsheet has them."},
    "camp.until": {"pt": "Medir até", "en": "Measure until"},
    "camp.period": {"pt": "Vendas de {as_of} a {until} ({days} dias).", "en": "Sales from {as_of} to {until} ({days} days)."},
    "camp.direction_up": {"pt": "O alvo comprou mais: {diff} a mais na taxa de compra.",
                          "en": "The target bought more: {diff} higher purchase rate."},
    "camp.direction_down": {"pt": "O alvo comprou menos: {diff} a menos na taxa de compra.",
                            "en": "The target bought less: {diff} lower purchase rate."},
    "camp.no_effect_more": {
        "pt": "Isso não prova que a campanha não funcionou: com mais tempo ou mais clientes uma diferença pequena "
              "pode aparecer.",
        "en": "This does not prove the campaign failed: with more time or more customers a small difference may show."},
    "camp.too_early_days": {"pt": "Há {days} dia(s) de vendas desde a campanha; são precisos {min_days}.",
                            "en": "There are {days} day(s) of sales since the campaign; {min_days} are needed."},
    "camp.too_early_customers": {"pt": "Um dos grupos tem menos de {min} clientes.",
                                 "en": "A group has fewer than {min} customers."},
    "camp.rule": {
        "pt": "Regra: com ao menos {min_days} dias de vendas e {min} clientes em cada grupo, há efeito quando o "
              "intervalo de 95% da diferença na taxa de compra não inclui zero.",
        "en": "Rule: with at least {min_days} days of sales and {min} customers in each group, there is an effect "
              "when the 95% interval of the difference in purchase rate excludes zero."},
    "camp.row_customers": {"pt": "Clientes", "en": "Customers"},
    "camp.row_buyers": {"pt": "Compraram desde a campanha", "en": "Bought since the campaign"},
    "camp.row_purchase_rate": {"pt": "Taxa de compra", "en": "Purchase rate"},
    "camp.row_revenue": {"pt": "Receita", "en": "Revenue"},
    "camp.row_revenue_per_customer": {"pt": "Receita por cliente", "en": "Revenue per customer"},
    "camp.row_progressed_share": {"pt": "Subiram de segmento", "en": "Moved to a better segment"},
    "camp.points": {"pt": "{value} p.p.", "en": "{value} pp"},
    "camp.uplift_rate": {"pt": "Diferença na taxa de compra", "en": "Difference in purchase rate"},
    "camp.uplift_rate_help": {
        "pt": "Taxa de compra do alvo menos a do controle, em pontos percentuais (intervalo de Newcombe).",
        "en": "The target's purchase rate minus the control's, in percentage points (Newcombe's interval)."},
    "camp.uplift_revenue": {"pt": "Diferença na receita por cliente", "en": "Difference in revenue per customer"},
    "camp.uplift_revenue_help": {"pt": "Receita por cliente do alvo menos a do controle (intervalo de Welch).",
                                 "en": "The target's revenue per customer minus the control's (Welch's interval)."},
    "camp.attributable": {"pt": "Receita atribuível à campanha", "en": "Revenue attributable to the campaign"},
    "camp.attributable_help": {
        "pt": "A diferença na receita por cliente vezes os clientes do alvo: o que o alvo gastou a mais do que "
              "teria gastado sem a campanha.",
        "en": "The difference in revenue per customer times the targeted customers: what the target spent beyond "
              "what it would have spent without the campaign."},
    "camp.interval": {"pt": "Intervalo de 95%: {low} a {high}", "en": "95% interval: {low} to {high}"},
    "camp.curve_title": {"pt": "Taxa de compra acumulada", "en": "Cumulative purchase rate"},
    "camp.curve_axis": {"pt": "Compraram", "en": "Bought"},
    "camp.curve_caption": {
        "pt": "Parte de cada grupo que já comprou, dia a dia desde a campanha. A distância entre as linhas é o "
              "efeito; linhas juntas, nenhum efeito.",
        "en": "Share of each group who had bought, day by day since the campaign. The gap between the lines is the "
              "effect; lines together, no effect."},
    "camp.status_waiting": {"pt": "aguardando vendas", "en": "waiting for sales"},
    "camp.status_effect": {"pt": "efeito", "en": "effect"},
    "camp.status_no_effect_yet": {"pt": "sem efeito mensurável ainda", "en": "no measurable effect yet"},
    "camp.status_too_early": {"pt": "cedo demais", "en": "too early"},
}


def reason_summary(excluded: dict[str, int], lang: str = DEFAULT_LANG) -> str:
    """`no identified customer: 12; unreadable date: 3` — for messages that list reasons."""
    return "; ".join(f"{t('reason.' + key, lang)}: {fmt_int(count, lang)}" for key, count in excluded.items()) \
        or t("reason.none", lang)


# Under test (tests/conftest.py sets it) an unknown key is an error, not a silent fallback.
STRICT_ENV = "METRIQR_STRICT_TEXTS"


class UnknownTextKey(KeyError):
    """A text key missing from the catalogue (raised only when METRIQR_STRICT_TEXTS=1)."""


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The string for `key` in `lang`, with `params` filled in; the key itself if unknown
    (under test, with METRIQR_STRICT_TEXTS=1, an unknown key raises `UnknownTextKey`)."""
    entry = CATALOGUE.get(key)
    if entry is None:
        if os.environ.get(STRICT_ENV) == "1":
            raise UnknownTextKey(key)
        return key
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


def plural(n: int, key_one: str, key_many: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The singular text for exactly one, the plural otherwise; `{n}` is the count as written in `lang`."""
    return t(key_one if n == 1 else key_many, lang, n=fmt_int(n, lang), **params)


class Term(str):
    """A catalogue key given as a value (to an error), with the typed values its text needs,
    rendered in the reader's language. Equal to its key; the values travel as `params`."""

    params: dict[str, Any]

    def __new__(cls, key: str, **params: Any) -> Term:
        term = super().__new__(cls, key)
        term.params = params
        return term

    def render(self, lang: str) -> str:
        return t(str(self), lang, **{k: render_value(v, lang) for k, v in getattr(self, "params", {}).items()})


class Count(int):
    """A count given as a value, written the way the reader writes numbers (1.048.576 / 1,048,576)."""

    def render(self, lang: str) -> str:
        return fmt_int(int(self), lang)


class Megabytes(float):
    """A size in megabytes given as a value: whole numbers without decimals, others with one,
    in the reader's number format (0,5 / 0.5)."""

    def render(self, lang: str) -> str:
        return fmt_num(float(self), lang, 0 if self.is_integer() else 1)


class Reasons(dict):
    """Counts of excluded rows by reason (`{"no_customer": 12}`), written as one list in the
    reader's language (`reason_summary`)."""

    def render(self, lang: str) -> str:
        return reason_summary(self, lang)


def render_value(value: Any, lang: str) -> Any:
    """A typed value as the reader's language writes it: catalogue terms, counts, sizes,
    reasons and dates (NaT as a dash); numbers and names as they are."""
    import numpy as np

    if isinstance(value, (Term, Count, Megabytes, Reasons)):
        return value.render(lang)
    if isinstance(value, (date, np.datetime64)):
        return fmt_date(value, lang)
    return value
