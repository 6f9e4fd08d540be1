"""Every query of the report, against the serving file opened read-only.

**KPIs come from the semantic layer.** Every KPI number and ratio the page shows is a metric of the dbt semantic
layer (``models/marts/**/_*__semantic.yml``): the requests of :data:`METRIC_QUERIES` are compiled by MetricFlow from
the semantic manifest the serving file was published with (``main._semantic_manifest``), once per manifest (the SQL
is cached under the manifest's hash, see ``ccw.metrics.compile_metric_sql``), and run on the serving file with the
window's dates bound as parameters. No ratio is derived here a second time: a 7-day figure is the metric over the 7
days, re-aggregated from its numerator and denominator by MetricFlow's SQL, never an average of daily ratios.

**Plain queries remain for what is not a metric**: the report's last data day, the targets of dim_queues (settings,
blended by each target's denominator), the hour x weekday volume heatmap, the agents' quality score, rank and
segment (composites of kpi_agent_monthly), the issue types' weekday baselines, the help-desk backlog, the forecast
and backtest, the alerts and the data-quality table. Each returns a pandas DataFrame (empty when the mart has no rows
for it); the windows end at the last data day of kpi_service_daily.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from ccw.metrics import CompiledQueries, MetricQuery, compile_metric_sql, run_metric_sql


@dataclass(frozen=True)
class Meta:
    last_day: date | None
    first_day: date | None
    version_id: str
    published_at: str


def meta(con: duckdb.DuckDBPyConnection) -> Meta:
    first, last = con.execute("select min(date_day), max(date_day) from marts.kpi_service_daily").fetchone()
    version = con.execute(
        "select max(version_id), strftime(max(published_at), '%Y-%m-%d %H:%M:%S') from main._publish"
    ).fetchone()
    return Meta(last, first, version[0] or "", version[1] or "")


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


# ------------------------------------------------------------------------------------------ metric queries
# Waiting and handling measures (service level, abandonment, ASA, AHT) are those of the live queues
# (queue__is_synchronous: phone, chat), where customers wait on the line and the targets apply; volume, FCR and CSAT
# cover every channel.
LIVE = "{{ Dimension('queue__is_synchronous') }}"
IN_WINDOW = "{{ TimeDimension('metric_time', 'day') }} between $first_day and $last_day"
IN_MONTH = "{{ TimeDimension('metric_time', 'month') }} = $month"
KNOWN_AGENT = "{{ Entity('agent') }} is not null"
OFFERED_CHATS = ("{{ Dimension('contact__channel') }} = 'chat'", "{{ Dimension('contact__is_offered') }}")

#: the headline's figures of a window: every channel, and the live queues
WINDOW_METRICS = ("offered", "fcr_rate", "fcr_pending", "csat_pct")
WINDOW_LIVE_METRICS = ("service_level", "abandon_rate", "asa_seconds", "aht_seconds")

#: every metric request of the report, by name ($first_day, $last_day, $month: parameters bound when run)
METRIC_QUERIES: dict[str, MetricQuery] = {
    # the trend lines: saved queries, exported to the serving file as metrics.centre_daily / live_queues_daily
    "centre_daily": MetricQuery(saved_query="centre_daily"),
    "live_queues_daily": MetricQuery(saved_query="live_queues_daily"),
    "channel_daily": MetricQuery(("offered",), ("metric_time__day", "contact__channel"),
                                 order_by=("metric_time__day", "contact__channel")),
    # one row: a window's figures (the headline's current and previous 7 days, a month for the quadrant)
    "window": MetricQuery(WINDOW_METRICS, where=(IN_WINDOW,)),
    "window_live": MetricQuery(WINDOW_LIVE_METRICS, where=(IN_WINDOW, LIVE)),
    "agents_month": MetricQuery(("answered", "fcr_rate", "csat_pct", "csat_responses"), ("agent",),
                                (IN_MONTH, KNOWN_AGENT)),
    "agents_month_live": MetricQuery(("aht_seconds",), ("agent",), (IN_MONTH, KNOWN_AGENT, LIVE)),
    "issue_types": MetricQuery(("offered",), ("issue_type", "issue_type__label_en", "issue_type__label_zh"),
                               (IN_WINDOW,)),
    "chat_sources": MetricQuery(
        ("offered", "missed_rate", "first_response_mean_seconds", "csat_pct", "csat_responses"),
        ("contact__entry_page", "contact__utm_source"), (IN_WINDOW, *OFFERED_CHATS),
    ),
    "retention": MetricQuery(
        ("retention_customers", "retention_rate_30d", "retention_rate_60d", "retention_rate_90d"),
        ("retention_cohort__cohort", "retention_cohort__csat_band"),
    ),
}


class Metrics:
    """The report's metric queries on one connection: compiled once (or read from the cache), run with params."""

    def __init__(self, con: duckdb.DuckDBPyConnection, manifest_text: str) -> None:
        self.con = con
        self.compiled: CompiledQueries = compile_metric_sql(METRIC_QUERIES, manifest_text)

    def frame(self, name: str, **params: object) -> pd.DataFrame:
        return run_metric_sql(self.con, self.compiled.sql[name], params)

    def window(self, first_day: date, last_day: date) -> dict[str, object]:
        """The headline metrics over ``first_day``..``last_day`` (both included): one value per metric."""
        values: dict[str, object] = {}
        for name in ("window", "window_live"):
            frame = self.frame(name, first_day=first_day, last_day=last_day)
            values.update(frame.iloc[0].to_dict() if len(frame) else dict.fromkeys(frame.columns))
        return values


def week(last_day: date, weeks_back: int = 0) -> tuple[date, date]:
    """The 7 days ending ``weeks_back`` weeks before ``last_day``: (first day, last day), both included."""
    end = last_day - timedelta(days=7 * weeks_back)
    return end - timedelta(days=6), end


def daily_service(metrics: Metrics) -> pd.DataFrame:
    """Per day: offered, FCR (K17) and CSAT of every channel, service level, abandonment, ASA and AHT of the live
    queues (the saved queries centre_daily and live_queues_daily); ``date_day`` ascending."""
    centre = metrics.frame("centre_daily")
    live = metrics.frame("live_queues_daily").drop(columns=["offered"])
    frame = centre.merge(live, on="metric_time__day", how="outer").rename(columns={"metric_time__day": "date_day"})
    return frame.sort_values("date_day", ignore_index=True)


def daily_by_channel(metrics: Metrics) -> pd.DataFrame:
    frame = metrics.frame("channel_daily")
    return frame.rename(columns={"metric_time__day": "date_day", "contact__channel": "channel"})


def fcr_last_day(daily: pd.DataFrame) -> date | None:
    """The newest day with a contact whose FCR window has closed (K17: younger contacts are pending, left out)."""
    judged = daily[daily["fcr_denominator"].fillna(0) > 0]
    return None if judged.empty else pd.Timestamp(judged["date_day"].max()).date()


def targets(con: duckdb.DuckDBPyConnection, first_day: date, last_day: date) -> dict[str, float | None]:
    """The live queues' targets of dim_queues over a window, blended by each target's denominator in the window
    (service level and abandonment: sl_denominator; ASA: answered_with_wait). Settings, not KPIs."""
    row = _df(
        con,
        """
        select sum(t.sl_denominator * q.service_level_target)
                   / nullif(sum(t.sl_denominator) filter (where q.service_level_target is not null), 0)
                   as service_level_target,
               sum(t.sl_denominator * q.abandon_rate_target)
                   / nullif(sum(t.sl_denominator) filter (where q.abandon_rate_target is not null), 0)
                   as abandon_rate_target,
               sum(t.answered_with_wait * q.asa_target_seconds)
                   / nullif(sum(t.answered_with_wait) filter (where q.asa_target_seconds is not null), 0)
                   as asa_target_seconds
        from marts.kpi_service_daily t join marts.dim_queues q on q.queue_id = t.queue_id
        where q.is_synchronous and t.date_day between ? and ?
        """,
        [first_day, last_day],
    ).iloc[0]
    return {key: (None if pd.isna(value) else float(value)) for key, value in row.items()}


def hour_weekday(con: duckdb.DuckDBPyConnection, last_day: date) -> pd.DataFrame:
    """Mean offered contacts per 30-minute interval by local ISO weekday and hour, last 28 days."""
    return _df(
        con,
        """
        with cells as (
            select isodow(interval_start_at_local) as weekday, hour(interval_start_at_local) as hour,
                   sum(offered) as offered
            from marts.kpi_service_interval
            where date_day > ?::date - 28 and date_day <= ?::date
            group by 1, 2
        ),
        days as (
            select isodow(date_day) as weekday, count(distinct date_day) as days
            from marts.kpi_service_interval where date_day > ?::date - 28 and date_day <= ?::date group by 1
        )
        select c.weekday, c.hour, c.offered / d.days / 2.0 as offered_per_interval
        from cells c join days d using (weekday) order by 1, 2
        """,
        [last_day, last_day, last_day, last_day],
    )


def latest_agent_month(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute("select max(month) from marts.kpi_agent_monthly").fetchone()[0]


def agent_month(con: duckdb.DuckDBPyConnection, metrics: Metrics, month: date) -> pd.DataFrame:
    """Agents of ``month``: the quality score, its rank in the team and the segment (composites of
    kpi_agent_monthly and analysis_agent_segments, not metrics) with their KPIs from the metrics: handled (K02),
    FCR (K17), CSAT top-2 (K23) over every channel and the live AHT (K10, phone and chat)."""
    scores = _df(
        con,
        """
        select m.agent_id, m.team, m.quality_score, m.quality_rank_in_team, m.quality_kpis_used, m.segment, m.month
        from marts.kpi_agent_monthly m where m.month = ?
        """,
        [month],
    )
    kpis = metrics.frame("agents_month", month=month).rename(columns={"answered": "handled"})
    live = metrics.frame("agents_month_live", month=month).rename(columns={"aht_seconds": "live_aht_seconds"})
    frame = scores.merge(kpis, left_on="agent_id", right_on="agent", how="left").drop(columns=["agent"])
    frame = frame.merge(live, left_on="agent_id", right_on="agent", how="left").drop(columns=["agent"])
    return frame.sort_values(["quality_score", "agent_id"], ascending=[False, True], na_position="last",
                             ignore_index=True)


def centre_month(metrics: Metrics, month: date) -> tuple[float | None, float | None]:
    """The whole centre's live AHT (K10) and CSAT top-2 (K23) in a month (the quadrant's reference lines)."""
    last = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    values = metrics.window(month, last)

    def number(value: object) -> float | None:
        return None if value is None or pd.isna(value) else float(value)

    return number(values.get("aht_seconds")), number(values.get("csat_pct"))


def issue_pareto(metrics: Metrics, last_day: date) -> pd.DataFrame:
    """Offered contacts (K01) per issue type over the last 28 days, largest first."""
    frame = metrics.frame("issue_types", first_day=last_day - timedelta(days=27), last_day=last_day)
    frame = frame.rename(columns={"issue_type__label_en": "label_en", "issue_type__label_zh": "label_zh",
                                  "offered": "volume"})
    frame["issue_type"] = frame["issue_type"].fillna("(none)")
    frame["label_en"] = frame["label_en"].fillna("(none)")
    frame["label_zh"] = frame["label_zh"].fillna("（无）")
    frame = frame[frame["volume"].fillna(0) > 0]
    return frame.sort_values(["volume", "issue_type"], ascending=[False, True], ignore_index=True)


def issue_movers(con: duckdb.DuckDBPyConnection, last_day: date) -> pd.DataFrame:
    """Last 7 days' volume against the summed weekday baselines of the same days (rows with a baseline only): the
    baselines are kpi_issue_type_daily's, not a metric."""
    return _df(
        con,
        """
        select coalesce(t.issue_type, '(none)') as issue_type, coalesce(d.label_en, '(none)') as label_en,
               coalesce(d.label_zh, '（无）') as label_zh, sum(t.volume) as volume,
               sum(t.baseline_mean_volume) as expected,
               sum(t.volume) / nullif(sum(t.baseline_mean_volume), 0) - 1 as change
        from marts.kpi_issue_type_daily t left join marts.dim_issue_types d using (issue_type)
        where t.date_day > ?::date - 7 and t.date_day <= ?::date and t.baseline_weeks > 0
        group by all having sum(t.baseline_mean_volume) > 0
        order by abs(change) desc, issue_type
        """,
        [last_day, last_day],
    )


def customer_sources(metrics: Metrics, last_day: date, limit: int = 12) -> pd.DataFrame:
    """Offered chats of the last 28 days per entry page and UTM source: volume (K01), missed rate, mean first
    response (K06) and CSAT top-2 (K23); the largest ``limit``."""
    frame = metrics.frame("chat_sources", first_day=last_day - timedelta(days=27), last_day=last_day)
    frame = frame.rename(columns={"contact__entry_page": "entry_page", "contact__utm_source": "utm_source",
                                  "offered": "volume", "first_response_mean_seconds": "first_response_seconds"})
    frame = frame.sort_values(["volume", "entry_page", "utm_source"], ascending=[False, True, True],
                              na_position="last", ignore_index=True)
    return frame.head(limit)


def retention(metrics: Metrics) -> pd.DataFrame:
    """Retention at 30 / 60 / 90 days per CSAT band (contacted) and for the no-contact baseline, all months."""
    frame = metrics.frame("retention")
    frame["band"] = frame["retention_cohort__csat_band"].where(
        frame["retention_cohort__cohort"] != "no_contact", "no_contact"
    )
    return frame.rename(columns={"retention_customers": "customers", "retention_rate_30d": "retention_30d",
                                 "retention_rate_60d": "retention_60d", "retention_rate_90d": "retention_90d"})[
        ["band", "customers", "retention_30d", "retention_60d", "retention_90d"]
    ]


def backtest(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Forecast against actual contacts per interval, all queues, from the latest backtest origin."""
    return _df(
        con,
        """
        select interval_start_at_local, sum(forecast_contacts) as forecast, sum(actual_contacts) as actual
        from marts.staffing_requirements
        where period = 'backtest'
          and forecast_origin_date = (select max(forecast_origin_date) from marts.staffing_requirements
                                      where period = 'backtest')
        group by 1 order by 1
        """,
    )


def forecast_next_days(con: duckdb.DuckDBPyConnection, days: int = 7) -> pd.DataFrame:
    """The forecast period's first days: contacts, summed queue 80 % bounds and the staffing gap per interval."""
    return _df(
        con,
        """
        with f as (
            select interval_start_at_local, sum(forecast_contacts) as forecast, sum(lower_80) as lower_80,
                   sum(upper_80) as upper_80
            from marts.forecast_contact_volume
            where date_day < (select min(date_day) from marts.forecast_contact_volume) + ?
            group by 1
        ),
        s as (
            select interval_start_at_local, sum(staffing_gap) as staffing_gap,
                   sum(scheduled_requirement) as scheduled_requirement, sum(scheduled_agents) as scheduled_agents
            from marts.staffing_requirements
            where period = 'forecast'
              and date_day < (select min(date_day) from marts.staffing_requirements where period = 'forecast') + ?
            group by 1
        )
        select * from f full join s using (interval_start_at_local) order by 1
        """,
        [days, days],
    )


def ticket_backlog(con: duckdb.DuckDBPyConnection, last_day: date, days: int = 56) -> pd.DataFrame:
    """Help-desk tickets open at the end of each day by status, and the day's flows (last ``days`` days)."""
    return _df(con, """
        select date_day,
               sum(case when status = 'new' then open_tickets else 0 end) as open_new,
               sum(case when status = 'open' then open_tickets else 0 end) as open_open,
               sum(case when status = 'pending' then open_tickets else 0 end) as open_pending,
               sum(case when status = 'hold' then open_tickets else 0 end) as open_hold,
               sum(open_tickets) as open_tickets, sum(created_tickets) as created_tickets,
               sum(solved_tickets) as solved_tickets, sum(reopened_tickets) as reopened_tickets
        from marts.kpi_ticket_backlog_daily
        where date_day between ? - cast(? as integer) + 1 and ?
        group by date_day order by date_day
    """, [last_day, days, last_day])


def ticket_backlog_ages(con: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    """Tickets open at the end of ``day`` by age band and channel."""
    return _df(con, """
        select age_band, channel, sum(open_tickets) as open_tickets
        from marts.kpi_ticket_backlog_daily
        where date_day = ? and open_tickets > 0
        group by age_band, channel order by age_band, channel
    """, [day])


def latest_alert_day(con: duckdb.DuckDBPyConnection, last_day: date) -> date | None:
    """The newest day with alerts within the last 7 data days (the last data day may have none yet)."""
    return con.execute(
        "select max(date_day) from marts.alerts where date_day > ?::date - 7 and date_day <= ?", [last_day, last_day]
    ).fetchone()[0]


def open_alerts(con: duckdb.DuckDBPyConnection, day: date, limit: int = 40) -> pd.DataFrame:
    return _df(
        con,
        """
        select severity, kpi, kpi_id, grain, queue_id, channel, date_day, period_start_at_local, kpi_value,
               target, expected_value, alert_type, evidence
        from marts.alerts where date_day = ?
        order by case severity when 'critical' then 0 when 'warning' then 1 else 2 end, kpi, queue_id,
                 period_start_at_local
        limit ?
        """,
        [day, limit],
    )


def alert_counts(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, int]:
    rows = con.execute("select severity, count(*) from marts.alerts where date_day = ? group by 1", [day])
    return dict(rows.fetchall())


def initiatives(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The running and finished improvement initiatives (PDCA do, check, act) x target KPI with their verdicts."""
    return _df(
        con,
        """
        select initiative_id, initiative_name, pdca_stage, start_date, end_date, kpi, kpi_id, expected_direction,
               window_days, treated_before, treated_after, effect, ci_low, ci_high, relative_effect,
               relative_ci_low, relative_ci_high, verdict, has_too_little_data
        from marts.analysis_initiative_impact
        where pdca_stage in ('do', 'check', 'act')
        order by start_date desc, initiative_id, kpi
        """,
    )


def churn_backtest(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The month-level metrics of the latest backtest month, churn model and RFM baseline (analysis_churn_backtest)."""
    return _df(
        con,
        """
        select as_of_month, model, label_horizon_days, customers, churn_rate, roc_auc, pr_auc, brier_score,
               calibration_error
        from marts.analysis_churn_backtest
        where risk_decile = 1
          and as_of_month = (select max(as_of_month) from marts.analysis_churn_backtest)
        order by model
        """,
    )


def churn_latest(con: duckdb.DuckDBPyConnection, limit: int = 10) -> tuple[dict[str, object], pd.DataFrame]:
    """(customers scored, on the worklist, the month and horizon of the latest scored month; the top ``limit`` of its
    retention worklist) from analysis_customer_churn_risk."""
    month = "(select max(as_of_month) from marts.analysis_customer_churn_risk where is_scored)"
    summary = con.execute(
        f"""
        select max(as_of_month) as as_of_month, count(*) as scored,
               sum(case when is_retention_worklist then 1 else 0 end) as worklist,
               max(label_horizon_days) as label_horizon_days
        from marts.analysis_customer_churn_risk
        where is_scored and as_of_month = {month}
        """
    ).df().iloc[0].to_dict()
    worklist = _df(
        con,
        f"""
        select retention_priority_rank, customer_id, value_percentile, churn_risk_score, churn_risk_decile,
               driver_1, driver_2, driver_3
        from marts.analysis_customer_churn_risk
        where is_retention_worklist and as_of_month = {month}
        order by retention_priority_rank
        limit ?
        """,
        [limit],
    )
    return summary, worklist


#: slices with fewer offered contacts in the month are no complaint driver of the report (as the movers' minimum)
COMPLAINT_DRIVER_MIN_CONTACTS = 200


def complaints_month(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The whole centre's complaints of the latest month and the month before (analysis_complaints, dimension all)."""
    return _df(
        con,
        """
        select period_start, is_complete_period, contacts, complaint_contacts, complaint_rate, previous_complaint_rate,
               negative_feedback_rate, asa_seconds, complaint_asa_seconds, repeat_contact_rate,
               complaint_repeat_contact_rate, fcr_rate, complaint_fcr_rate, resolution_rate, complaint_resolution_rate
        from marts.analysis_complaints
        where period_type = 'month' and dimension = 'all' and is_latest_period
        """,
    )


def complaint_drivers(con: duckdb.DuckDBPyConnection, limit: int = 8) -> pd.DataFrame:
    """The slices of the latest month that complain most against the centre (highest complaint_rate_lift), with at
    least COMPLAINT_DRIVER_MIN_CONTACTS contacts; issue type complaint (a complaint by definition) left out."""
    return _df(
        con,
        """
        select c.dimension, c.dimension_value, i.label_en, i.label_zh, c.contacts, c.complaint_contacts,
               c.complaint_rate, c.complaint_rate_lift, c.previous_complaint_rate, c.negative_feedback_rate
        from marts.analysis_complaints as c
        left join marts.dim_issue_types as i
            on c.dimension = 'issue_type' and c.dimension_value = i.issue_type
        where c.period_type = 'month' and c.is_latest_period and c.dimension <> 'all'
          and not (c.dimension = 'issue_type' and c.dimension_value = 'complaint')
          and c.contacts >= ? and c.complaint_rate_lift > 1
        order by c.complaint_rate_lift desc, c.dimension, c.dimension_value
        limit ?
        """,
        [COMPLAINT_DRIVER_MIN_CONTACTS, limit],
    )


def complaint_movers(con: duckdb.DuckDBPyConnection, limit: int = 5) -> pd.DataFrame:
    """The movers of the latest week and month (analysis_complaints: enough contacts, |z| beyond chance), at most
    ``limit`` per period type and direction."""
    return _df(
        con,
        """
        select c.period_type, c.period_start, c.dimension, c.dimension_value, i.label_en, i.label_zh, c.contacts,
               c.previous_complaint_rate, c.complaint_rate, c.complaint_rate_change, c.complaint_rate_change_z,
               c.mover_direction, c.mover_rank
        from marts.analysis_complaints as c
        left join marts.dim_issue_types as i
            on c.dimension = 'issue_type' and c.dimension_value = i.issue_type
        where c.is_latest_period and c.mover_direction is not null and c.mover_rank <= ?
        order by c.period_type desc, c.mover_direction desc, c.mover_rank
        """,
        [limit],
    )


def feedback_themes(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pd.DataFrame:
    """The top ``limit`` terms of each feedback type and source of the latest month (analysis_feedback_themes: terms
    at least 5 customers used, no names, no comments)."""
    return _df(
        con,
        """
        select feedback_type, text_source, term, is_lexicon_term, mentions, texts, mention_share, term_rank
        from marts.analysis_feedback_themes
        where is_latest_month and term_rank <= ?
        order by feedback_type desc, text_source, term_rank
        """,
        [limit],
    )


def incomplete_days(con: duckdb.DuckDBPyConnection, last_day: date) -> pd.DataFrame:
    """Export days of the last 7 days whose file of some source is missing or refused (data_completeness_daily;
    empty when the serving file has no such mart)."""
    found = con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                        "and table_name = 'data_completeness_daily'").fetchone()[0]
    if not found:
        return pd.DataFrame(columns=["date_day", "incomplete_source_list"])
    return _df(
        con,
        """
        select distinct date_day, incomplete_source_list
        from marts.data_completeness_daily
        where not is_complete_day and date_day > ?::date - 7 and date_day <= ?::date
        order by date_day
        """,
        [last_day, last_day],
    )


def data_quality(con: duckdb.DuckDBPyConnection, last_day: date) -> pd.DataFrame:
    return _df(
        con,
        """
        select check_name,
               min(case severity when 'critical' then 0 when 'warning' then 1 else 2 end) as severity_rank,
               min_by(severity, case severity when 'critical' then 0 when 'warning' then 1 else 2 end) as severity,
               count(distinct raw_table) as tables,
               sum(rows_affected) as rows_affected, sum(files_affected) as files_affected,
               sum(rows_landed) filter (where check_name = 'rows_landed') as rows_landed
        from marts.data_quality_daily
        where date_day > ?::date - 7 and date_day <= ?::date
        group by 1 order by severity_rank, 1
        """,
        [last_day, last_day],
    )
