"""The daily HTML report written from the shared run's serving file: self-contained, every chart drawn, rendered
by headless Chromium (Debian's package, no downloaded browser) without console errors, language switch working."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from ccw.report import write_report
from ccw.report.labels import LABELS
from ccw.report.sections import SECTIONS
from conftest import ROOT, PipelineRun

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
