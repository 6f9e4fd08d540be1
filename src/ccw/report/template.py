"""The page around the sections: one HTML file with its CSS and the language switch inlined (no network)."""

from __future__ import annotations

from html import escape

from ccw.report.labels import LABELS, span
from ccw.report.queries import Meta
from ccw.report.sections import Section

CSS = """
:root { --ink:#1d2733; --muted:#5f6b7a; --line:#e3e7ec; --bg:#f6f8fa; --ok:#3a9d5d; --bad:#c94f6d; --warn:#d4a72c; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; color:var(--ink); background:var(--bg); }
html[data-lang="en"] .lang-zh, html[data-lang="zh"] .lang-en { display:none; }
header { display:flex; align-items:center; gap:1rem; padding:1rem 1.5rem; background:#fff;
         border-bottom:1px solid var(--line); }
header h1 { margin:0; font-size:1.35rem; }
header .meta { color:var(--muted); font-size:.85rem; }
#lang-switch { margin-left:auto; padding:.35rem .9rem; border:1px solid var(--line); border-radius:4px; background:#fff;
               cursor:pointer; font:inherit; }
nav { padding:.5rem 1.5rem; background:#fff; border-bottom:1px solid var(--line); font-size:.85rem; }
nav a { margin-right:1rem; color:var(--muted); text-decoration:none; }
main { max-width:1180px; margin:0 auto; padding:1rem 1.5rem 2rem; }
section { background:#fff; border:1px solid var(--line); border-radius:6px; padding:1rem 1.25rem; margin:1rem 0; }
section h2 { margin:0 0 .6rem; font-size:1.1rem; }
.caption { color:var(--muted); font-size:.85rem; margin:.4rem 0; }
.empty { color:var(--muted); font-style:italic; }
svg.chart { max-width:100%; height:auto; display:block; margin:.3rem 0; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(190px, 1fr)); gap:.75rem; }
.card { border:1px solid var(--line); border-radius:6px; padding:.6rem .75rem; }
.card-label { color:var(--muted); font-size:.8rem; }
.card-value { font-size:1.5rem; font-weight:600; }
.card-target, .delta { font-size:.78rem; color:var(--muted); display:block; }
.card svg.chart { width:100%; height:34px; }
.badge { display:inline-block; padding:0 .4rem; border-radius:3px; font-size:.75rem; color:#fff;
         background:var(--muted); }
.badge.ok { background:var(--ok); } .badge.bad, .badge.sev-critical { background:var(--bad); }
.badge.sev-warning { background:var(--warn); } .badge.sev-info { background:#6b7a8f; }
table { border-collapse:collapse; width:100%; font-size:.85rem; margin:.4rem 0; }
th, td { text-align:left; padding:.3rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; }
.up { color:var(--bad); } .down { color:var(--ok); }
footer { color:var(--muted); font-size:.8rem; text-align:center; padding:1rem; }
"""

SCRIPT = """
(function () {
  var root = document.documentElement, button = document.getElementById('lang-switch');
  function set(lang) {
    root.setAttribute('data-lang', lang);
    root.setAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
    try { window.localStorage.setItem('ccw-report-lang', lang); } catch (e) { /* storage may be off */ }
  }
  var wanted = (location.hash === '#zh' || location.hash === '#en') ? location.hash.slice(1) : null;
  if (!wanted) { try { wanted = window.localStorage.getItem('ccw-report-lang'); } catch (e) { wanted = null; } }
  if (wanted === 'zh' || wanted === 'en') { set(wanted); }
  button.addEventListener('click', function () { set(root.getAttribute('data-lang') === 'zh' ? 'en' : 'zh'); });
})();
"""


def page(meta: Meta, sections: list[tuple[str, Section]]) -> str:
    title = f"{LABELS['title'][0]} · {LABELS['title'][1]}"
    nav = "".join(f'<a href="#sec-{s.key}">{span(key)}</a>' for key, s in sections)
    body = "".join(
        f'<section id="sec-{s.key}" data-section="{s.key}" data-charts="{s.charts}"><h2>{span(key)}</h2>{s.body}'
        "</section>"
        for key, s in sections
    )
    info = (
        f'{span("data_through")} <strong>{escape(str(meta.last_day))}</strong> · {span("published")} '
        f'{escape(meta.published_at)} UTC · {span("version")} <code>{escape(meta.version_id)}</code>'
    )
    return (
        '<!doctype html>\n<html lang="en" data-lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header><div><h1>{span("title")}</h1><div class="meta">{info}</div></div>'
        f'<button id="lang-switch" type="button">{span("switch")}</button></header>\n'
        f"<nav>{nav}</nav>\n<main>{body}</main>\n<footer>{span('footer')}</footer>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
