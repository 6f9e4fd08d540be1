"""The daily HTML report written from the shared run's serving file: self-contained, every chart drawn, rendered
by headless Chromium (Debian's package, no downloaded browser) without console errors, language switch working; its
headline figures are the semantic layer's metrics (`ccw metrics query`) over the same windows."""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ccw.report import write_report
from ccw.report.labels import LABELS
from ccw.report.sections import SECTIONS
from conftest import ROOT, PipelineRun, pipeline_env

ARTIFACTS = ROOT / "test-artifacts"
#: the fewest charts each section draws on a sample with several weeks of data (sources is a table)
MIN_CHARTS = {"headline": 7, "volume": 2, "service": 2, "quality": 1, "agents": 1, "issues": 1, "retention": 1,
              "forecast": 2}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(built_sample: PipelineRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    docs = built_sample.data_dir / "quality" / "data_docs" / "index.html"
    started = time.perf_counter()
    path = write_report(built_sample.warehouse, out, docs)
    print(f"\nreport: {path} ({path.stat().st_size / 1e3:.0f} kB) in {time.perf_counter() - started:.1f} s")
    return path


def test_shared_run_wrote_the_report(built_sample: PipelineRun) -> None:
    written = built_sample.data_dir / "report" / "index.html"
    assert written.is_file()
    html = written.read_text(encoding="utf-8")
    assert html.count('<svg class="chart"') >= sum(MIN_CHARTS.values())


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe|link|source|embed)\b[^>]*\b(src|href)=", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert not re.search(r"@import", html, re.I)
    assert "<script>" in html  # the language switch, inline
    # every section of the page, in order, and both languages of every heading
    assert re.findall(r'<section id="sec-([a-z_]+)"', html) == [key.removeprefix("sec_") for key, _ in SECTIONS]
    for key, _ in SECTIONS:
        en, zh = LABELS[key]
        assert en in html and zh in html


def test_report_links_the_data_docs(report: Path, built_sample: PipelineRun) -> None:
    html = report.read_text(encoding="utf-8")
    href = re.search(r'<a class="data-docs" href="([^"]+)"', html)
    assert href is not None
    assert (report.parent / href.group(1)).resolve() == (
        built_sample.data_dir / "quality" / "data_docs" / "index.html"
    ).resolve()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _expected_charts(serving: Path) -> dict[str, int]:
    """MIN_CHARTS, without the retention chart when no customer's 30-day window has elapsed yet (a tiny sample)."""
    with duckdb.connect(str(serving), read_only=True) as con:
        elapsed = con.execute("select sum(customers_30d_elapsed) from marts.kpi_customer_retention").fetchone()[0]
    return {k: v for k, v in MIN_CHARTS.items() if k != "retention" or elapsed}


def test_report_renders_in_headless_chromium(report: Path, built_sample: PipelineRun, tmp_path: Path) -> None:
    executable = _chromium()
    if executable is None:
        print("\nSKIP reason: no chromium on PATH (make test installs Debian's chromium with apt-get)")
        pytest.skip("chromium not installed: `apt-get install -y chromium` (make test does it)")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.on("request", lambda r: problems.append(f"network request: {r.url}")
                    if not r.url.startswith(("file:", "data:", "about:")) else None)
            page.goto(report.as_uri(), wait_until="load")

            charts = page.evaluate(
                """() => Array.from(document.querySelectorAll('section')).map(s => ({
                    key: s.dataset.section, declared: Number(s.dataset.charts),
                    charts: Array.from(s.querySelectorAll('svg.chart')).map(svg => {
                        const box = svg.getBoundingClientRect();
                        return {width: box.width, height: box.height,
                                marks: svg.querySelectorAll('path, rect, use, polygon, circle').length};
                    }),
                    rows: s.querySelectorAll('tbody tr').length}))"""
            )
            heading = page.inner_text("#sec-volume h2")
            switch_before = page.inner_text("#lang-switch")
            chart_text_en = page.locator("svg.chart text.lang-en:visible").count()
            page.click("#lang-switch")
            heading_zh = page.inner_text("#sec-volume h2")
            lang = page.evaluate("document.documentElement.lang")
            chart_text_zh = page.locator("svg.chart text.lang-zh:visible").count()
            chart_text_en_hidden = page.locator("svg.chart text.lang-en:visible").count()
            shot = tmp_path / "report-zh.png"
            page.screenshot(path=str(shot), full_page=True)
            page.click("#lang-switch")
            heading_back = page.inner_text("#sec-volume h2")
            page.screenshot(path=str(tmp_path / "report-en.png"), full_page=True)
        finally:
            browser.close()
    ARTIFACTS.mkdir(exist_ok=True)
    for name in ("report-en.png", "report-zh.png"):
        shutil.copy2(tmp_path / name, ARTIFACTS / name)
    print(f"\nscreenshots: {ARTIFACTS / 'report-en.png'}, {ARTIFACTS / 'report-zh.png'}")

    assert problems == []
    by_key = {s["key"]: s for s in charts}
    for key, minimum in _expected_charts(built_sample.warehouse).items():
        drawn = by_key[key]["charts"]
        assert len(drawn) >= minimum and len(drawn) == by_key[key]["declared"], (key, len(drawn))
        assert all(c["width"] > 50 and c["height"] > 20 and c["marks"] >= 3 for c in drawn), (key, drawn)
    assert by_key["agents"]["rows"] >= 5 and by_key["sources"]["rows"] >= 3 and by_key["dq"]["rows"] >= 1
    assert heading == LABELS["sec_volume"][0] and switch_before == LABELS["switch"][0]
    assert heading_zh == LABELS["sec_volume"][1] and lang == "zh-CN"
    assert chart_text_en > 10 and chart_text_zh > 10 and chart_text_en_hidden == 0
    assert heading_back == LABELS["sec_volume"][0]
    assert shot.stat().st_size > 50_000


# ------------------------------------------------------------------------------ headline = semantic layer
CARD = re.compile(r'<div class="card" data-kpi="(?P<kpi>\w+)" data-value="(?P<value>[^"]*)" '
                  r'data-window="(?P<first>[\d-]+)\.\.(?P<last>[\d-]+)"')
DAY = "{{ TimeDimension('metric_time', 'day') }}"
LIVE = "{{ Dimension('queue__is_synchronous') }}"


def _between(first: date, last: date) -> str:
    return f"{DAY} between '{first}' and '{last}'"


def _close(shown: float | None, metric: object) -> bool:
    if metric is None or (isinstance(metric, float) and math.isnan(metric)):
        return shown is None
    return shown is not None and math.isclose(shown, float(metric), rel_tol=1e-12)


def test_headline_figures_equal_ccw_metrics_query(report: Path, built_sample: PipelineRun,
                                                   semantic_layer: Any) -> None:
    """Each headline card is its metric over the card's window: the last 7 data days (service level, ASA,
    abandonment, AHT on the live queues), and for FCR (K17: pending contacts left out) the 7 days through the newest
    day with a judged contact. One query through the `ccw metrics query` command, the rest through the same
    SemanticLayer in-process."""
    cards = {m["kpi"]: (float(m["value"]) if m["value"] else None, date.fromisoformat(m["first"]),
                        date.fromisoformat(m["last"])) for m in CARD.finditer(report.read_text(encoding="utf-8"))}
    assert set(cards) == {"offered", "service_level", "asa_seconds", "abandon_rate", "fcr_rate", "csat_pct",
                          "aht_seconds"}
    with duckdb.connect(str(built_sample.warehouse), read_only=True) as con:
        last_day, fcr_day = con.execute("select max(date_day), max(date_day) filter (where fcr_denominator > 0) "
                                        "from marts.kpi_service_daily").fetchone()
    window = (last_day - timedelta(days=6), last_day)
    assert {kpi: card[1:] for kpi, card in cards.items() if kpi != "fcr_rate"} == dict.fromkeys(
        set(cards) - {"fcr_rate"}, window)
    assert cards["fcr_rate"][1:] == (fcr_day - timedelta(days=6), fcr_day)

    live = ["service_level", "abandon_rate", "asa_seconds", "aht_seconds"]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("ccw")), "metrics", "query", "--metrics", ",".join(live),
         "--where", _between(*window), "--where", LIVE, "--csv", "--warehouse", str(built_sample.warehouse),
         "--manifest", str(built_sample.build_warehouse.parent / "dbt_target" / "semantic_manifest.json")],
        cwd=ROOT, env=pipeline_env(built_sample.data_dir), capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (queried,) = list(csv.DictReader(io.StringIO(done.stdout)))
    every = semantic_layer.query(["offered", "csat_pct"], where=[_between(*window)]).iloc[0]
    fcr = semantic_layer.query(["fcr_rate"], where=[_between(*cards["fcr_rate"][1:])]).iloc[0]
    expected = {**{kpi: float(queried[kpi]) if queried[kpi] else None for kpi in live}, "offered": every["offered"],
                "csat_pct": every["csat_pct"], "fcr_rate": fcr["fcr_rate"]}
    print("\nheadline (report, metric):", {kpi: (cards[kpi][0], expected[kpi]) for kpi in cards})
    assert {kpi for kpi in cards if not _close(cards[kpi][0], expected[kpi])} == set()
