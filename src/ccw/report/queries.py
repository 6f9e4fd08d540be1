"""Every query of the report, against the serving file's ``marts`` schema (read-only).

Ratios are re-aggregated from summed numerators and denominators, never averaged. Each function returns a pandas
DataFrame (empty when the mart has no rows for it); the windows end at the last data day of kpi_service_daily.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd


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


# The service ratios of kpis.md from summed parts over `t` (kpi_service_daily) joined to `q` (dim_queues). Waiting
# and handling measures (service level, abandonment, ASA, AHT) are those of the live queues (is_synchronous: phone,
# chat), where customers wait on the line and the targets apply; volume, FCR and CSAT cover every channel.
LIVE = "q.is_synchronous"
SERVICE_RATIOS = f"""
    sum(t.offered) as offered,
    sum(t.answered) as answered,
    sum(t.answered_within_sl) filter (where {LIVE}) / nullif(sum(t.sl_denominator) filter (where {LIVE}), 0)
        as service_level,
    sum(t.abandoned - t.short_abandoned) filter (where {LIVE})
        / nullif(sum(t.sl_denominator) filter (where {LIVE}), 0) as abandon_rate,
    sum(t.sum_wait_seconds_answered) filter (where {LIVE})
        / nullif(sum(t.answered_with_wait) filter (where {LIVE}), 0) as asa_seconds,
    case when sum(t.fcr_pending) = 0 then sum(t.fcr_resolved_first_contact) / nullif(sum(t.fcr_denominator), 0)
    end as fcr_rate,
    sum(t.csat_top2_responses) / nullif(sum(t.csat_responses), 0) as csat_pct,
    sum(t.csat_sum) / nullif(sum(t.csat_responses), 0) as csat_avg,
    sum(t.sum_handle_seconds) filter (where {LIVE})
        / nullif(sum(t.handled_with_handle_time) filter (where {LIVE}), 0) as aht_seconds
"""
SERVICE_FROM = "marts.kpi_service_daily t left join marts.dim_queues q on q.queue_id = t.queue_id"


def daily_service(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All channels and queues per day (the sparklines and trends)."""
    return _df(con, f"select t.date_day, {SERVICE_RATIOS} from {SERVICE_FROM} group by 1 order by 1")


def period_service(con: duckdb.DuckDBPyConnection, last_day: date) -> pd.DataFrame:
    """The last 7 days ('current') and the 7 before ('previous'), with the live queues' targets of dim_queues
    weighted by each target's denominator (service level and abandonment: sl_denominator; ASA: answered_with_wait).
    """
    return _df(
        con,
        f"""
        select case when t.date_day > ?::date - 7 then 'current' else 'previous' end as period,
               {SERVICE_RATIOS},
               sum(t.sl_denominator * q.service_level_target) filter (where {LIVE})
                   / nullif(sum(t.sl_denominator) filter (where {LIVE} and q.service_level_target is not null), 0)
                   as service_level_target,
               sum(t.sl_denominator * q.abandon_rate_target) filter (where {LIVE})
                   / nullif(sum(t.sl_denominator) filter (where {LIVE} and q.abandon_rate_target is not null), 0)
                   as abandon_rate_target,
               sum(t.answered_with_wait * q.asa_target_seconds) filter (where {LIVE})
                   / nullif(sum(t.answered_with_wait) filter (where {LIVE} and q.asa_target_seconds is not null), 0)
                   as asa_target_seconds
        from {SERVICE_FROM}
        where t.date_day > ?::date - 14
        group by 1
        """,
        [last_day, last_day],
    )


def fcr_period(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """FCR of the latest 7 days whose contacts all have a closed FCR window (the newest days are still pending),
    and of the 7 days before; `through` is the last of those days."""
    return _df(
        con,
        """
        with days as (
            select date_day from marts.kpi_service_daily group by 1
            having sum(fcr_pending) = 0 and sum(fcr_denominator) > 0
        ),
        last as (select max(date_day) as day from days)
        select case when t.date_day > last.day - 7 then 'current' else 'previous' end as period,
               max(t.date_day) as through,
               sum(t.fcr_resolved_first_contact) / nullif(sum(t.fcr_denominator), 0) as fcr_rate
        from marts.kpi_service_daily t, last
        where t.date_day > last.day - 14 and t.date_day <= last.day
        group by 1
        """,
    )


def daily_by_channel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(
        con,
        f"select t.date_day, t.channel, {SERVICE_RATIOS} from {SERVICE_FROM} group by 1, 2 order by 1, 2",
    )


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


def agent_month(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Agents of the latest month: quality score and KPIs (kpi_agent_monthly) with their live AHT (phone and chat,
    K10, from analysis_agent_segments; kpi_agent_monthly's AHT also counts ticket work time)."""
    return _df(
        con,
        """
        select m.agent_id, m.team, m.quality_score, m.quality_rank_in_team, m.quality_kpis_used, m.handled,
               m.fcr_rate, m.csat_pct, m.csat_responses, m.segment, m.month, s.live_aht_seconds
        from marts.kpi_agent_monthly m
        left join marts.analysis_agent_segments s
          on s.row_type = 'agent' and s.month = m.month and s.agent_id = m.agent_id
        where m.month = (select max(month) from marts.kpi_agent_monthly)
        order by m.quality_score desc nulls last, m.agent_id
        """,
    )


def centre_month(con: duckdb.DuckDBPyConnection, month: date) -> tuple[float | None, float | None]:
    """The whole centre's live AHT and CSAT top-2 in a month (the quadrant's reference lines)."""
    row = con.execute(
        f"""
        select sum(t.sum_handle_seconds) filter (where {LIVE})
                   / nullif(sum(t.handled_with_handle_time) filter (where {LIVE}), 0),
               sum(t.csat_top2_responses) / nullif(sum(t.csat_responses), 0)
        from {SERVICE_FROM}
        where date_trunc('month', t.date_day) = ?
        """,
        [month],
    ).fetchone()
    return row[0], row[1]


def issue_pareto(con: duckdb.DuckDBPyConnection, last_day: date) -> pd.DataFrame:
    return _df(
        con,
        """
        select coalesce(t.issue_type, '(none)') as issue_type, coalesce(d.label_en, '(none)') as label_en,
               coalesce(d.label_zh, '（无）') as label_zh, sum(t.volume) as volume
        from marts.kpi_issue_type_daily t left join marts.dim_issue_types d using (issue_type)
        where t.date_day > ?::date - 28 and t.date_day <= ?::date
        group by all having sum(t.volume) > 0 order by volume desc, issue_type
        """,
        [last_day, last_day],
    )


def issue_movers(con: duckdb.DuckDBPyConnection, last_day: date) -> pd.DataFrame:
    """Last 7 days' volume against the summed weekday baselines of the same days (rows with a baseline only)."""
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


def customer_sources(con: duckdb.DuckDBPyConnection, last_day: date, limit: int = 12) -> pd.DataFrame:
    return _df(
        con,
        """
        select entry_page, utm_source, sum(volume) as volume,
               sum(missed) / nullif(sum(volume), 0) as missed_rate,
               sum(sum_first_response_seconds) / nullif(sum(first_response_contacts), 0) as first_response_seconds,
               sum(csat_top2_responses) / nullif(sum(csat_responses), 0) as csat_pct,
               sum(csat_responses) as csat_responses
        from marts.kpi_customer_source_daily
        where date_day > ?::date - 28 and date_day <= ?::date
        group by all order by volume desc, entry_page nulls last, utm_source nulls last limit ?
        """,
        [last_day, last_day, limit],
    )


def retention(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Retention per CSAT band (contacted) and for the no-contact baseline, all months."""
    return _df(
        con,
        """
        select case when cohort = 'no_contact' then 'no_contact' else csat_band end as band,
               sum(customers) as customers,
               sum(retained_30d) / nullif(sum(customers_30d_elapsed), 0) as retention_30d,
               sum(retained_60d) / nullif(sum(customers_60d_elapsed), 0) as retention_60d,
               sum(retained_90d) / nullif(sum(customers_90d_elapsed), 0) as retention_90d
        from marts.kpi_customer_retention group by 1
        """,
    )


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
