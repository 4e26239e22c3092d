"""The app's own speed targets: upload → report in a real browser, and rerun server time.

    python -m bench.app [--data FILE] [--runs 3] [--json-out FILE]

1. Headless Chromium (Debian's `chromium`, driven by Playwright) against a freshly started
   server per run, so every cache is cold: upload FILE on Dados, wait until its cleaning report
   shows, follow the sidebar link to Segmentação, wait until the segment table shows. Wall
   times, as the user waits for them.
2. Server time of later interactions (Streamlit's AppTest runs the same script in-process, so
   a rerun's time is the server's): after the upload and a first visit to each page, repeat
   interactions that change neither the data nor the options, and time each script run.
3. A shared demo link opened as the very first request to a freshly started server (Segmentação
   and Recomendações): seconds to first content (the page's title) and until drawn (its first
   chart drawn and the script finished). For scale, a one-title one-chart Streamlit app takes
   ~1.4 s and ~3–4.5 s on this machine under the same load (see bench/README.md).
4. A 50,000-line marketplace export (bench.generate's Olist-like file: hash ids, timestamps,
   category names shared by many products) uploaded on a fresh server, then Recomendações' first
   view; next to the command line's `recommend --product` on the same file (whole process).

Default FILE: the Online Retail CSV of ../shared/data (541,909 lines), decompressed to a
temporary `online_retail.csv` (the uploader takes .gz too, but a shop exports plain CSV).
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "online_retail.csv.gz"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
REPORT_TARGET_S = 5.0
RERUN_TARGET_S = 0.3
COLD_FIRST_TARGET_S = 3.0
COLD_DRAWN_TARGET_S = 5.0
MARKETPLACE_TARGET_S = 8.0
CASES = ("upload", "reruns", "cold", "marketplace")
COLD_LINKS = {
    "Segmentação": ("/segmentacao?lang=pt&window=all&method=quantile&seg=at_risk", "Segmentação de clientes (RFM)"),
    "Recomendações": ("/recomendacoes?lang=pt&tab=product&product=50107", "Recomendações"),
}


def plain_csv(data: Path, workdir: Path) -> Path:
    """The file to upload: a .gz is decompressed first, as a shop's own export would be plain."""
    if data.suffix != ".gz":
        return data
    out = workdir / data.with_suffix("").name
    with gzip.open(data, "rb") as source, out.open("wb") as target:
        shutil.copyfileobj(source, target)
    return out


SERVER_START_S = 180  # a cold `streamlit run` under load (imports, first compile) can take a minute


class Server:
    """`streamlit run app.py` on a free local port, stopped with its process group; its output is
    kept in a temporary file and its tail quoted if it does not start (also the browser tests' server)."""

    def __enter__(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + SERVER_START_S
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    return url
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    self.log.seek(0)
                    tail = self.log.read().decode(errors="replace")[-2000:]
                    self.__exit__()
                    raise RuntimeError("the Streamlit server did not start: " + tail) from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)
        self.log.close()


def settle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the app's script has finished a run: not running, and the page has content (a
    freshly started server can report "not running" before its first run has begun)."""
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=timeout_ms)
    page.locator("[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']").first.wait_for(
        timeout=timeout_ms)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=timeout_ms)


def browser_runs(upload: Path, runs: int) -> list[dict[str, float]]:
    """Per run: seconds from choosing the file to the Dados report, then to the Segmentação table."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = _launch(p)
        for _ in range(runs):
            with Server() as url:
                page = browser.new_page(viewport={"width": 1400, "height": 1600})
                dados = upload_on_dados(page, url, upload, timeout_ms=120_000)
                start = time.perf_counter()
                page.get_by_role("link", name="Segmentação").first.click()
                page.locator("[data-testid='stTable']").first.wait_for(timeout=120_000)
                settle(page)
                to_segmentacao = time.perf_counter() - start
                results.append({"upload_to_dados": dados, "to_segmentacao": to_segmentacao,
                                "total": dados + to_segmentacao})
                page.close()
        browser.close()
    return results


def rerun_times(upload: Path) -> dict[str, float]:
    """Server seconds of each later interaction (AppTest: the script run, in this process)."""
    from streamlit.testing.v1 import AppTest

    # AppTest's first run warns that it has no browser session ("missing ScriptRunContext"): expected here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.file_uploader(key="upload_0").set_value((upload.name, upload.read_bytes(), "text/csv"))
    at.run()
    for page in ("app_pages/segmentacao.py", "app_pages/migracao.py", "app_pages/recomendacoes.py"):
        at.switch_page(page).run()  # first visits compute and cache each page's results
    timed: dict[str, float] = {}

    def timed_run(name: str, action) -> None:
        action()
        start = time.perf_counter()
        at.run()
        timed[name] = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{name}: {at.exception[0].value}")

    timed_run("Segmentação, back to the page", lambda: at.switch_page("app_pages/segmentacao.py"))
    timed_run("Segmentação, rerun unchanged", lambda: None)
    timed_run("Segmentação, pick another segment", lambda: at.selectbox(key="seg").set_value("at_risk"))
    timed_run("Segmentação, in English", lambda: at.radio(key="lang").set_value("en"))
    timed_run("Migração, back to the page", lambda: at.switch_page("app_pages/migracao.py"))
    timed_run("Recomendações, back to the page", lambda: at.switch_page("app_pages/recomendacoes.py"))
    timed_run("Dados, back to the page", lambda: at.switch_page("app_pages/dados.py"))
    return timed


def upload_on_dados(page, url: str, upload: Path, *, timeout_ms: int) -> float:
    """Open Dados, choose the file, and return the seconds until its cleaning report is drawn."""
    page.goto(f"{url}/dados")
    settle(page, timeout_ms)
    start = time.perf_counter()
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_text(f"Sua planilha: {upload.name}").first.wait_for(timeout=timeout_ms)
    page.locator("[data-testid='stMetric']").first.wait_for(timeout=timeout_ms)
    settle(page, timeout_ms)
    return time.perf_counter() - start


def _launch(p):
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: apt-get install -y chromium")
    return p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)


def cold_link_runs(runs: int) -> dict[str, list[dict[str, float]]]:
    """Per link and run: a freshly started server whose first request is the link. Seconds from
    the request to the page's title (first content) and to its chart drawn with the script done."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict[str, float]]] = {name: [] for name in COLD_LINKS}
    with sync_playwright() as p:
        browser = _launch(p)
        for _ in range(runs):
            for name, (path, title) in COLD_LINKS.items():
                with Server() as url:
                    page = browser.new_page(viewport={"width": 1400, "height": 1600})
                    start = time.perf_counter()
                    page.goto(url + path)
                    page.get_by_role("heading", name=title).first.wait_for(timeout=120_000)  # the page's title
                    first = time.perf_counter() - start
                    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=120_000)
                    settle(page)
                    results[name].append({"first_content": first, "drawn": time.perf_counter() - start})
                    page.close()
        browser.close()
    return results


def marketplace_runs(upload: Path, runs: int) -> list[dict[str, float]]:
    """Per run, on a fresh server: upload the marketplace export on Dados, then seconds from the
    click on Recomendações to its first view drawn (the also-bought table shown, script done)."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = _launch(p)
        for _ in range(runs):
            with Server() as url:
                page = browser.new_page(viewport={"width": 1400, "height": 1600})
                dados = upload_on_dados(page, url, upload, timeout_ms=300_000)
                start = time.perf_counter()
                page.get_by_role("link", name="Recomendações").first.click()
                page.get_by_text("Quem comprou este produto também comprou").first.wait_for(timeout=300_000)
                page.locator("[data-testid='stDataFrame'], [data-testid='stAlert']").first.wait_for(timeout=300_000)
                settle(page, 300_000)
                results.append({"upload_to_dados": dados, "recomendacoes_first_view": time.perf_counter() - start})
                page.close()
        browser.close()
    return results


def cli_recommend_seconds(upload: Path) -> float:
    """The command line on the same file and question as the page's first view (whole process)."""
    import pandas as pd

    product = pd.read_csv(upload, usecols=["product_id"])["product_id"].value_counts().index[0]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "metriqr", "recommend", str(upload), "--product", product],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def _verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated subset of {', '.join(CASES)} (default: all)")
    args = parser.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    out: dict[str, object] = {"data": str(args.data)}
    with tempfile.TemporaryDirectory() as workdir:
        if "upload" in cases or "reruns" in cases:
            upload = plain_csv(args.data, Path(workdir))
            print(f"upload: {upload.name}, {upload.stat().st_size / 1e6:.1f} MB")
        if "upload" in cases:
            runs = out["browser_runs"] = browser_runs(upload, args.runs)
            for i, run in enumerate(runs, 1):
                print(f"  run {i}: upload → Dados report {run['upload_to_dados']:.2f} s, "
                      f"→ Segmentação table {run['to_segmentacao']:.2f} s, total {run['total']:.2f} s")
            median = statistics.median(run["total"] for run in runs)
            print(f"{_verdict(median, REPORT_TARGET_S)}  upload → Segmentação report, median {median:.2f} s "
                  f"(target ≤ {REPORT_TARGET_S:g} s)")
        if "reruns" in cases:
            reruns = out["reruns"] = rerun_times(upload)
            for name, seconds in reruns.items():
                print(f"  {'PASS' if seconds < RERUN_TARGET_S else 'MISS'}  {name}: {seconds:.3f} s server time")
    if "cold" in cases:
        cold = out["cold_links"] = cold_link_runs(args.runs)
        for name, runs in cold.items():
            for i, run in enumerate(runs, 1):
                print(f"  cold link to {name}, run {i}: first content {run['first_content']:.2f} s, "
                      f"drawn {run['drawn']:.2f} s")
            first = statistics.median(r["first_content"] for r in runs)
            drawn = statistics.median(r["drawn"] for r in runs)
            print(f"{_verdict(first, COLD_FIRST_TARGET_S)}  demo link to {name} on a cold server: first content, "
                  f"median {first:.2f} s (target ≤ {COLD_FIRST_TARGET_S:g} s)")
            print(f"{_verdict(drawn, COLD_DRAWN_TARGET_S)}  demo link to {name} on a cold server: drawn, "
                  f"median {drawn:.2f} s (target ≤ {COLD_DRAWN_TARGET_S:g} s)")
    if "marketplace" in cases:
        from bench.generate import ensure_marketplace

        market = ensure_marketplace(50_000)
        runs = out["marketplace_runs"] = marketplace_runs(market, args.runs)
        for i, run in enumerate(runs, 1):
            print(f"  marketplace run {i}: upload → Dados {run['upload_to_dados']:.2f} s, "
                  f"→ Recomendações first view {run['recomendacoes_first_view']:.2f} s")
        median = statistics.median(r["recomendacoes_first_view"] for r in runs)
        cli = out["marketplace_cli_recommend_s"] = cli_recommend_seconds(market)
        print(f"{_verdict(median, MARKETPLACE_TARGET_S)}  50k-line marketplace export → Recomendações' first view, "
              f"median {median:.2f} s (target ≤ {MARKETPLACE_TARGET_S:g} s; the command line's "
              f"`recommend --product`, whole process: {cli:.2f} s)")
    if args.json_out:
        args.json_out.write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
