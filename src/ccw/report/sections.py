"""One function per section of the report: query (``queries``), chart (``charts``), a little HTML.

Each returns a :class:`Section`; ``template`` lays them out. A section with no rows in the marts says so instead
of drawing an empty chart, and ``core.write_report`` leaves a section that is only that out of the page (a centre
without a phone system, surveys or a CRM gets no empty agent, retention or source sections). KPI figures come
from the semantic layer's metrics (``queries.Metrics``); the daily series and the headline windows are read once
per report (``Context.daily``, ``Context.headline_windows``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from itertools import count
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ccw.report import charts, queries
from ccw.report.labels import LABELS, chart_translations, pair, span, text

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNELS = ("phone", "chat", "email", "web_form")
BANDS = ("csat_4_5", "csat_3", "csat_1_2", "no_csat", "no_contact")


@dataclass
class Section:
    key: str
    body: str
    charts: int = 0


@dataclass
class Context:
    con: duckdb.DuckDBPyConnection
    meta: queries.Meta
    data_docs: Path | None
    out_dir: Path
    metrics: queries.Metrics
    _ids: count = field(default_factory=count)
    _cache: dict[str, object] = field(default_factory=dict)

    def chart(self, fig: object, extra: dict[str, str] | None = None) -> str:
        return charts.to_svg(fig, f"c{next(self._ids)}", chart_translations(extra))

    @property
    def last_day(self) -> date:
        assert self.meta.last_day is not None
        return self.meta.last_day

    def daily(self) -> pd.DataFrame:
        """The daily series of every channel and of the live queues (saved queries centre_daily and
        live_queues_daily), read once per report."""
        if "daily" not in self._cache:
            self._cache["daily"] = queries.daily_service(self.metrics)
        return self._cache["daily"]  # type: ignore[return-value]

    def headline_windows(self) -> dict[str, Window]:
        """The headline's windows: the last 7 days and the 7 before (every KPI but FCR), and for FCR (K17) the 7
        days through the newest day with a judged contact and the 7 before; each with its metric values."""
        if "windows" not in self._cache:
            windows = {"current": queries.week(self.last_day), "previous": queries.week(self.last_day, 1)}
            fcr_day = queries.fcr_last_day(self.daily())
            if fcr_day is not None:
                windows |= {"fcr_current": queries.week(fcr_day), "fcr_previous": queries.week(fcr_day, 1)}
            self._cache["windows"] = {
                name: Window(first, last, self.metrics.window(first, last)) for name, (first, last) in windows.items()
            }
        return self._cache["windows"]  # type: ignore[return-value]

    def targets(self) -> dict[str, float | None]:
        """The live queues' targets over the current headline window (dim_queues settings, not metrics)."""
        if "targets" not in self._cache:
            current = self.headline_windows()["current"]
            self._cache["targets"] = queries.targets(self.con, current.first_day, current.last_day)
        return self._cache["targets"]  # type: ignore[return-value]


@dataclass(frozen=True)
class Window:
    """A headline window (both days included) and the metric values over it."""

    first_day: date
    last_day: date
    values: dict[str, object]

    def value(self, column: str) -> float | None:
        value = self.values.get(column)
        return None if _missing(value) else float(value)  # type: ignore[arg-type]


# ---------------------------------------------------------------- formatting
def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def pct(value: object, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{float(value):.{digits}%}"


def secs(value: object) -> str:
    return "–" if _missing(value) else f"{float(value):,.0f}"


def num(value: object) -> str:
    return "–" if _missing(value) else f"{float(value):,.0f}"


def signed_pct(value: object) -> str:
    return "–" if _missing(value) else f"{float(value):+.0%}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], css: str = "") -> str:
    """A table whose headers are label keys and whose cells are HTML already."""
    head = "".join(f"<th>{span(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def caption(key: str) -> str:
    return f'<p class="caption">{span(key)}</p>'


def empty() -> str:
    return f'<p class="empty">{span("no_data")}</p>'


def _values(frame: pd.DataFrame, column: str) -> list[float | None]:
    return [None if _missing(v) else float(v) for v in frame[column]]


# ---------------------------------------------------------------- sections
KPI_CARDS: tuple[tuple[str, str, Callable[[object], str], bool, str | None], ...] = (
    # label key, column, format, higher is better, target column
    ("offered", "offered", num, True, None),
    ("service_level", "service_level", pct, True, "service_level_target"),
    ("asa", "asa_seconds", secs, False, "asa_target_seconds"),
    ("abandon_rate", "abandon_rate", pct, False, "abandon_rate_target"),
    ("fcr_rate", "fcr_rate", pct, True, None),
    ("csat_pct", "csat_pct", pct, True, None),
    ("aht", "aht_seconds", secs, False, None),
)


def headline(ctx: Context) -> Section:
    windows = ctx.headline_windows()
    daily = ctx.daily()
    daily = daily[pd.to_datetime(daily["date_day"]) <= pd.Timestamp(ctx.last_day)].tail(56)
    if daily.empty:
        return Section("headline", empty())
    targets = ctx.targets()
    cards = [_card(ctx, key, column, fmt, higher, target_col, windows, targets, daily)
             for key, column, fmt, higher, target_col in KPI_CARDS]
    return Section("headline", caption("window") + f'<div class="cards">{"".join(cards)}</div>', len(cards))


def _card(ctx: Context, key: str, column: str, fmt: Callable[[object], str], higher: bool, target_col: str | None,
          windows: dict[str, Window], targets: dict[str, float | None], daily: pd.DataFrame) -> str:
    """One KPI: its metric over the last 7 days, its target and status, the change against the 7 days before, a
    sparkline of the last 8 weeks. FCR (K17) leaves the contacts whose repeat window is still open (pending) out of
    its denominator, so its window ends at the newest day with a judged contact (the days after have none)."""
    note = ""
    current, previous = windows.get("current"), windows.get("previous")
    if column == "fcr_rate":
        current, previous = windows.get("fcr_current"), windows.get("fcr_previous")
        if current is not None:
            pending = current.value("fcr_pending") or 0
            note = (f'<span class="delta">{span("fcr_through")} {current.last_day:%Y-%m-%d}; '
                    f'{num(pending)} {span("fcr_pending_left_out")}</span>')
    value = None if current is None else current.value(column)
    before = None if previous is None else previous.value(column)
    target = targets.get(target_col) if target_col is not None else None
    status = ""
    if target is not None and value is not None:
        ok = value >= target if higher else value <= target
        status = f'<span class="badge {"ok" if ok else "bad"}">{span("met" if ok else "missed")}</span>'
    target_html = f'{span("target")} {fmt(target)}' if target is not None else span("no_target")
    delta = ""
    if before and value is not None:
        delta = f'<span class="delta">{signed_pct(value / before - 1)} {span("vs_prev")}</span>'
    spark = ctx.chart(charts.sparkline(_values(daily, column), target=target))
    window = "" if current is None else f"{current.first_day:%Y-%m-%d}..{current.last_day:%Y-%m-%d}"
    raw = "" if value is None else repr(value)
    return (
        f'<div class="card" data-kpi="{column}" data-value="{raw}" data-window="{window}">'
        f'<div class="card-label">{span(key)}</div>'
        f'<div class="card-value">{fmt(value)}</div><div class="card-target">{target_html} {status}</div>'
        f"{delta}{note}{spark}</div>"
    )


def volume(ctx: Context) -> Section:
    by_channel = queries.daily_by_channel(ctx.metrics)
    cells = queries.hour_weekday(ctx.con, ctx.last_day)
    if by_channel.empty:
        return Section("volume", empty())
    wide = by_channel.pivot(index="date_day", columns="channel", values="offered").fillna(0)
    present = [c for c in CHANNELS if c in wide.columns] + [c for c in wide.columns if c not in CHANNELS]
    series = {LABELS[c][0] if c in LABELS else c: wide[c].tolist() for c in present}
    parts = [ctx.chart(charts.trend(list(wide.index), series, stacked=True, ylabel=text("contacts")))]
    if not cells.empty:
        matrix = np.zeros((7, 24))
        for row in cells.itertuples():
            matrix[int(row.weekday) - 1, int(row.hour)] = row.offered_per_interval
        fig = charts.heatmap(matrix, [text(d) for d in WEEKDAYS], [f"{h:02d}" for h in range(24)],
                             xlabel=text("hour"), ylabel=text("weekday"))
        parts += [caption("heatmap_caption"), ctx.chart(fig)]
    return Section("volume", "".join(parts), len(parts) - (1 if len(parts) > 1 else 0))


def service(ctx: Context) -> Section:
    daily = ctx.daily()
    if daily.empty:
        return Section("service", empty())
    targets = ctx.targets()

    def target(col: str) -> float | None:
        return targets.get(col)

    rates = {text("service_level"): _values(daily, "service_level"),
             text("abandon_rate"): _values(daily, "abandon_rate")}
    rate_targets = {text("service_level"): target("service_level_target"),
                    text("abandon_rate"): target("abandon_rate_target")}
    asa = {text("asa"): _values(daily, "asa_seconds")}
    parts = [
        ctx.chart(charts.trend(daily["date_day"].tolist(), rates, percent=True, targets=rate_targets)),
        ctx.chart(charts.trend(daily["date_day"].tolist(), asa, targets={text("asa"): target("asa_target_seconds")},
                               ylabel=text("asa"))),
    ]
    return Section("service", "".join(parts), 2)


def quality(ctx: Context) -> Section:
    daily = ctx.daily()
    if daily.empty:
        return Section("quality", empty())
    series = {text("fcr_rate"): _values(daily, "fcr_rate"), text("csat_pct"): _values(daily, "csat_pct")}
    return Section("quality", caption("fcr_caption")
                   + ctx.chart(charts.trend(daily["date_day"].tolist(), series, percent=True)), 1)


def agents(ctx: Context) -> Section:
    month = queries.latest_agent_month(ctx.con)
    frame = queries.agent_month(ctx.con, ctx.metrics, month) if month is not None else pd.DataFrame()
    if frame.empty:
        return Section("agents", empty())
    top = frame[frame["quality_score"].notna()].head(10)
    rows = [
        [escape(str(r.agent_id)), escape(str(r.team)), f"{r.quality_score:.1f}", num(r.quality_rank_in_team),
         num(r.handled), secs(r.live_aht_seconds), pct(r.fcr_rate), pct(r.csat_pct), escape(str(r.segment or "–"))]
        for r in top.itertuples()
    ]
    body = [f'<p class="caption">{span("leaderboard_caption")} ({month:%Y-%m})</p>',
            table(["agent", "team", "quality_score", "rank_in_team", "handled", "aht", "fcr_rate", "csat_pct",
                   "segment"], rows, "leaderboard")]
    scatter = frame[frame["live_aht_seconds"].notna() & frame["csat_pct"].notna()]
    x_ref, y_ref = queries.centre_month(ctx.metrics, month)
    n = 0
    if not scatter.empty and x_ref is not None and y_ref is not None:
        fig = charts.quadrant(scatter["live_aht_seconds"], scatter["csat_pct"], x_ref=x_ref, y_ref=y_ref,
                              xlabel=text("aht_seconds"), ylabel=text("csat_pct"))
        body += [caption("quadrant_caption"), ctx.chart(fig)]
        n = 1
    return Section("agents", "".join(body), n)


def issues(ctx: Context) -> Section:
    frame = queries.issue_pareto(ctx.metrics, ctx.last_day)
    if frame.empty:
        return Section("issues", empty())
    extra = dict(zip(frame["label_en"], frame["label_zh"], strict=True))
    fig = charts.pareto(frame["label_en"].tolist(), frame["volume"].tolist(), ylabel=text("volume_28d"),
                        cumulative_label=text("cumulative"))
    body = [ctx.chart(fig, extra)]
    movers = queries.issue_movers(ctx.con, ctx.last_day).head(6)
    if not movers.empty:
        rows = [[pair(r.label_en, r.label_zh), num(r.volume), num(r.expected),
                 f'<span class="{"up" if r.change > 0 else "down"}">{signed_pct(r.change)}</span>']
                for r in movers.itertuples()]
        body += [caption("movers_caption"), table(["issue_type", "volume", "expected", "change"], rows)]
    return Section("issues", "".join(body), 1)


def sources(ctx: Context) -> Section:
    frame = queries.customer_sources(ctx.metrics, ctx.last_day)
    if frame.empty:
        return Section("sources", empty())
    rows = [
        [escape(r.entry_page) if isinstance(r.entry_page, str) else span("unknown"),
         escape(r.utm_source) if isinstance(r.utm_source, str) else span("direct"),
         num(r.volume), pct(r.missed_rate), secs(r.first_response_seconds), pct(r.csat_pct)]
        for r in frame.itertuples()
    ]
    return Section("sources", table(["entry_page", "utm_source", "volume", "missed_rate", "first_response",
                                     "csat_pct"], rows), 0)


def retention(ctx: Context) -> Section:
    frame = queries.retention(ctx.metrics).set_index("band")
    bands = [b for b in BANDS if b in frame.index and not _missing(frame.loc[b, "retention_30d"])]
    if not bands:
        return Section("retention", empty())
    series = {text(f"retention_{d}"): [frame.loc[b, f"retention_{d}"] for b in bands] for d in ("30d", "60d", "90d")}
    fig = charts.grouped_bars([text(b) for b in bands], {k: [None if _missing(v) else v for v in vs]
                                                         for k, vs in series.items()},
                              highlight_last=bands[-1] == "no_contact")
    return Section("retention", caption("retention_caption") + ctx.chart(fig), 1)


def backlog(ctx: Context) -> Section:
    """The help-desk backlog: open tickets at the end of each day by status, and the age of today's backlog."""
    frame = queries.ticket_backlog(ctx.con, ctx.last_day)
    if frame.empty:
        return Section("backlog", empty())
    series = {text(f"status_{s}"): _values(frame, f"open_{s}") for s in ("new", "open", "pending", "hold")}
    parts = [ctx.chart(charts.trend(frame["date_day"].tolist(), series, stacked=True, ylabel=text("open_tickets")))]
    last = frame.iloc[-1]
    parts.append(table(["date", "open_tickets", "created", "solved", "reopened"],
                       [[str(pd.Timestamp(last.date_day).date()), num(last.open_tickets), num(last.created_tickets),
                         num(last.solved_tickets), num(last.reopened_tickets)]]))
    ages = queries.ticket_backlog_ages(ctx.con, pd.Timestamp(last.date_day).date())
    if not ages.empty:
        by_band = ages.pivot_table(index="age_band", columns="channel", values="open_tickets", aggfunc="sum",
                                   fill_value=0)
        channels = [c for c in CHANNELS if c in by_band.columns]
        rows = [[escape(str(band)), *(num(by_band.loc[band, c]) for c in channels)] for band in by_band.index]
        parts += [caption("backlog_age_caption"), table(["age_band", *channels], rows)]
    return Section("backlog", "".join(parts), 1)


def forecast(ctx: Context) -> Section:
    body, n = [], 0
    back = queries.backtest(ctx.con)
    labels = {"forecast": text("forecast"), "actual": text("actual"), "band": text("band_80"),
              "ylabel": text("contacts")}
    if back.empty:
        body.append(f'<p class="empty">{span("no_backtest")}</p>')
    else:
        body += [caption("forecast_caption"), ctx.chart(charts.forecast_lines(
            back["interval_start_at_local"].tolist(), back["forecast"], actual=back["actual"], labels=labels))]
        n += 1
    future = queries.forecast_next_days(ctx.con)
    if not future.empty:
        body += [caption("forecast_future_caption"), ctx.chart(charts.forecast_lines(
            future["interval_start_at_local"].tolist(), future["forecast"].fillna(0), lower=future["lower_80"],
            upper=future["upper_80"], labels=labels))]
        n += 1
        gap = future[future["staffing_gap"].notna()]
        if not gap.empty:
            body += [caption("gap_caption"), ctx.chart(charts.gap_bars(
                gap["interval_start_at_local"].tolist(), gap["staffing_gap"], ylabel=text("staffing_gap")))]
            n += 1
    return Section("forecast", "".join(body) or empty(), n)


def alerts(ctx: Context) -> Section:
    day = queries.latest_alert_day(ctx.con, ctx.last_day)
    if day is None:
        return Section("alerts", f'<p class="empty">{span("no_alerts")}</p>')
    counts = queries.alert_counts(ctx.con, day)
    frame = queries.open_alerts(ctx.con, day)
    badges = " ".join(
        f'<span class="badge sev-{s}">{span(s) if s in LABELS else escape(s)} {counts[s]}</span>'
        for s in ("critical", "warning", "info") if s in counts
    )
    rows = []
    for r in frame.itertuples():
        interval = r.grain != "queue_day" and not _missing(r.period_start_at_local)
        when = f"{pd.Timestamp(r.period_start_at_local):%Y-%m-%d %H:%M}" if interval else str(r.date_day)[:10]
        value = pct(r.kpi_value) if "rate" in r.kpi or r.kpi == "service_level" else secs(r.kpi_value)
        rows.append([f'<span class="badge sev-{escape(r.severity)}">{escape(r.severity)}</span>',
                     f"{escape(r.kpi)} ({escape(r.kpi_id or '')})", escape(str(r.queue_id or r.channel or "–")),
                     escape(str(when)), value, escape(r.evidence or "")])
    return Section("alerts", f'<p class="caption">{span("alerts_caption")} ({day}) {badges}</p>'
                   + table(["severity", "kpi", "queue", "when", "value", "evidence"], rows, "alerts"))


#: verdict of analysis_initiative_impact -> (label key, badge class)
VERDICTS = {"improved": ("verdict_improved", "ok"), "no detectable effect": ("verdict_none", "sev-info"),
            "worse": ("verdict_worse", "bad")}


def _kpi_value(kpi: str, value: object) -> str:
    return pct(value) if kpi.endswith("_rate") or kpi == "service_level" else (
        f"{float(value):.2f}" if kpi == "csat_avg" and not _missing(value) else secs(value))


def initiatives(ctx: Context) -> Section:
    """Running and finished initiatives with their verdicts (analysis_initiative_impact)."""
    frame = queries.initiatives(ctx.con)
    if frame.empty:
        return Section("initiatives", f'<p class="empty">{span("no_initiatives")}</p>')
    rows = []
    for r in frame.itertuples():
        end = "" if pd.isna(r.end_date) else f" – {pd.Timestamp(r.end_date).date()}"
        label, css = VERDICTS.get(r.verdict, ("verdict_too_little", "sev-info"))
        interval = "–" if _missing(r.relative_effect) else (
            f"{signed_pct(r.relative_effect)} [{signed_pct(r.relative_ci_low)}, {signed_pct(r.relative_ci_high)}]")
        stage = f"stage_{r.pdca_stage}"
        rows.append([
            f"{escape(r.initiative_name)} ({escape(r.initiative_id)})",
            f"{span(stage)}<br>{pd.Timestamp(r.start_date).date()}{end}",
            f"{escape(r.kpi)} ({escape(r.kpi_id or '')}) {span('expect_' + r.expected_direction)}"
            if r.expected_direction in ("decrease", "increase") else escape(r.kpi),
            f"{_kpi_value(r.kpi, r.treated_before)} → {_kpi_value(r.kpi, r.treated_after)}"
            + ("" if _missing(r.window_days) or not r.window_days else f" ({int(r.window_days)} d)"),
            interval,
            f'<span class="badge {css}">{span(label)}</span>',
        ])
    return Section("initiatives", caption("initiatives_caption") + table(
        ["initiative", "pdca_stage", "kpi", "before_after", "relative_effect", "verdict"], rows, "initiatives"))


def churn(ctx: Context) -> Section:
    """The churn model's backtest beside the RFM baseline and the retention worklist of the latest month
    (analysis_churn_backtest, analysis_customer_churn_risk)."""
    backtest = queries.churn_backtest(ctx.con)
    summary, worklist = queries.churn_latest(ctx.con)
    if backtest.empty and not summary.get("scored"):
        return Section("churn", f'<p class="empty">{span("no_churn")}</p>')
    rows = [[span(r.model) if r.model in ("churn_model", "rfm_baseline") else escape(r.model),
             str(pd.Timestamp(r.as_of_month).date())[:7], num(r.customers), pct(r.churn_rate),
             "–" if _missing(r.roc_auc) else f"{float(r.roc_auc):.3f}",
             "–" if _missing(r.pr_auc) else f"{float(r.pr_auc):.3f}",
             "–" if _missing(r.brier_score) else f"{float(r.brier_score):.3f}", pct(r.calibration_error)]
            for r in backtest.itertuples()]
    body = caption("churn_backtest_caption") + table(
        ["churn_model_name", "backtest_month", "churn_scored", "churn_rate", "roc_auc", "pr_auc", "brier_score",
         "calibration_error"], rows, "churn-backtest")
    if summary.get("scored"):
        body += table(["scored_month", "churn_horizon", "churn_scored", "worklist_size"], [[
            str(pd.Timestamp(summary["as_of_month"]).date())[:7], num(summary["label_horizon_days"]),
            num(summary["scored"]), num(summary["worklist"])]], "churn-summary")
    body += caption("churn_worklist_caption")
    if worklist.empty:
        return Section("churn", body + f'<p class="empty">{span("no_worklist")}</p>')
    items = []
    for r in worklist.itertuples():
        drivers = [d for d in (r.driver_1, r.driver_2, r.driver_3) if isinstance(d, str)]
        items.append([num(r.retention_priority_rank), escape(r.customer_id), pct(r.value_percentile, 0),
                      pct(r.churn_risk_score), num(r.churn_risk_decile),
                      ", ".join(span(f"drv_{d}") if f"drv_{d}" in LABELS else escape(d) for d in drivers) or "–"])
    return Section("churn", body + table(
        ["priority", "customer", "value_percentile", "churn_risk", "risk_decile", "top_drivers"], items,
        "churn-worklist"))


#: the driver values of analysis_complaints that have a label (queues and teams are shown as they are named)
COMPLAINT_VALUES = ("within_target", "outside_target", "short_abandon", "repeat", "first", "unknown_customer",
                    "transferred", "not_transferred", "not_answered", "resolved", "unresolved", "none")
#: (feedback type, source) of analysis_feedback_themes -> the label of its column in the report
THEME_COLUMNS = (("praise", "survey_comment", "themes_praise"), ("complaint", "survey_comment", "themes_complaint"),
                 ("complaint", "ticket_subject", "themes_tickets"))


def _complaint_slice(r: object) -> str:
    """A slice of analysis_complaints as '<dimension>: <value>' in both languages."""
    dimension, value = r.dimension, r.dimension_value  # type: ignore[attr-defined]
    if dimension == "issue_type" and isinstance(getattr(r, "label_en", None), str):
        shown = pair(r.label_en, r.label_zh or r.label_en)  # type: ignore[attr-defined]
    elif dimension == "channel" and value in CHANNELS:
        shown = span(value)
    elif value in COMPLAINT_VALUES:
        shown = span(f"cval_{value}")
    else:
        shown = escape(str(value))
    return f"{span(f'cdim_{dimension}')}: {shown}"


def _rate_change(before: object, after: object) -> str:
    return f"{pct(before)} → {pct(after)}"


def _complaint_drivers(ctx: Context) -> str:
    drivers = queries.complaint_drivers(ctx.con)
    if drivers.empty:
        return caption("complaint_drivers_caption") + f'<p class="empty">{span("no_complaint_drivers")}</p>'
    rows = [[_complaint_slice(r), num(r.contacts), num(r.complaint_contacts),
             _rate_change(r.previous_complaint_rate, r.complaint_rate), f"{float(r.complaint_rate_lift):.2f}×"]
            for r in drivers.itertuples()]
    return caption("complaint_drivers_caption") + table(
        ["complaint_slice", "contacts", "complaints", "complaint_rate", "complaint_lift"], rows, "complaint-drivers")


def _complaint_movers(ctx: Context) -> str:
    movers = queries.complaint_movers(ctx.con)
    if movers.empty:
        return caption("complaint_movers_caption") + f'<p class="empty">{span("no_complaint_movers")}</p>'
    rows = []
    for r in movers.itertuples():
        css = "bad" if r.mover_direction == "rose" else "ok"
        badge = f'<span class="badge {css}">{span("mover_" + r.mover_direction)}</span>'
        rows.append([f"{span('period_' + r.period_type)} {pd.Timestamp(r.period_start).date()}",
                     f"{badge} {_complaint_slice(r)}", num(r.contacts),
                     _rate_change(r.previous_complaint_rate, r.complaint_rate),
                     f"{float(r.complaint_rate_change_z):+.1f}"])
    return caption("complaint_movers_caption") + table(
        ["period", "complaint_slice", "contacts", "complaint_rate", "z_score"], rows, "complaint-movers")


def complaints(ctx: Context) -> Section:
    """Complaint volume, rate and causes of the latest month, the movers of the latest week and month, and the praise
    and complaint themes (analysis_complaints, analysis_feedback_themes)."""
    centre = queries.complaints_month(ctx.con)
    themes = queries.feedback_themes(ctx.con)
    if centre.empty and themes.empty:
        return Section("complaints", f'<p class="empty">{span("no_complaints")}</p>')
    body = ""
    if not centre.empty:
        c = next(centre.itertuples())
        body += caption("complaints_caption") + table(
            ["complaint_month", "contacts", "complaints", "complaint_rate", "negative_feedback_rate"],
            [[str(pd.Timestamp(c.period_start).date())[:7], num(c.contacts), num(c.complaint_contacts),
              _rate_change(c.previous_complaint_rate, c.complaint_rate), pct(c.negative_feedback_rate)]],
            "complaints-summary")
        body += table(["measure", "complaints", "all_contacts"], [
            [span("asa"), secs(c.complaint_asa_seconds), secs(c.asa_seconds)],
            [span("repeat_contact_rate"), pct(c.complaint_repeat_contact_rate), pct(c.repeat_contact_rate)],
            [span("fcr_rate"), pct(c.complaint_fcr_rate), pct(c.fcr_rate)],
            [span("resolution_rate"), pct(c.complaint_resolution_rate), pct(c.resolution_rate)],
        ], "complaints-measures")
        body += _complaint_drivers(ctx) + _complaint_movers(ctx)
    if not themes.empty:
        body += caption("themes_caption")
        columns = []
        for feedback_type, source, _ in THEME_COLUMNS:
            part = themes[(themes.feedback_type == feedback_type) & (themes.text_source == source)]
            columns.append([f"{escape(r.term)} <small>({num(r.mentions)}, {pct(r.mention_share, 0)})</small>"
                            for r in part.itertuples()])
        rows = [[num(rank + 1), *(column[rank] if rank < len(column) else "" for column in columns)]
                for rank in range(max(len(column) for column in columns))]
        body += table(["rank", *(label for _, _, label in THEME_COLUMNS)], rows, "feedback-themes")
    return Section("complaints", body)


def data_quality(ctx: Context) -> Section:
    frame = queries.data_quality(ctx.con, ctx.last_day)
    if ctx.data_docs is not None:
        href = Path(_relative(ctx.data_docs, ctx.out_dir)).as_posix()
        link = f'<p><a class="data-docs" href="{escape(href)}">{span("data_docs")}</a></p>'
    else:
        link = f'<p class="empty">{span("no_data_docs")}</p>'
    if frame.empty:
        return Section("dq", empty() + link)
    rows = [[escape(r.check_name), f'<span class="badge sev-{escape(r.severity)}">{escape(r.severity)}</span>',
             num(r.rows_landed if r.check_name == "rows_landed" else r.rows_affected), num(r.files_affected)]
            for r in frame.itertuples()]
    return Section("dq", _completeness(ctx) + caption("dq_caption")
                   + table(["check", "severity", "rows_affected", "files_affected"], rows) + link)


def _completeness(ctx: Context) -> str:
    """The incomplete export days of the last 7 days, each with its missing or refused sources."""
    days = queries.incomplete_days(ctx.con, ctx.last_day)
    if days.empty:
        return f'<p class="caption dq-complete">{span("dq_complete")}</p>'
    items = "".join(f"<li>{pd.Timestamp(r.date_day).date()}: {escape(str(r.incomplete_source_list))}</li>"
                    for r in days.itertuples())
    return f'<p class="caption dq-incomplete">{span("dq_incomplete")}</p><ul class="dq-incomplete">{items}</ul>'


def _relative(target: Path, start: Path) -> str:
    return os.path.relpath(target.resolve(), start.resolve())


SECTIONS: tuple[tuple[str, Callable[[Context], Section]], ...] = (
    ("sec_headline", headline),
    ("sec_volume", volume),
    ("sec_service", service),
    ("sec_quality", quality),
    ("sec_agents", agents),
    ("sec_issues", issues),
    ("sec_sources", sources),
    ("sec_retention", retention),
    ("sec_backlog", backlog),
    ("sec_forecast", forecast),
    ("sec_alerts", alerts),
    ("sec_initiatives", initiatives),
    ("sec_churn", churn),
    ("sec_complaints", complaints),
    ("sec_dq", data_quality),
)
