"""What the mart gates check before anything is published: the readable part of the mart suites.

Per mart (one GX suite each, validated after the dbt build):

- rates in [0, 1] and scores on their scales (column expectations, critical);
- plausible KPI bands: AHT of phone and chat between 30 s and 1 h per queue-day (warning, mostly 95 %)
  and over the whole period (critical);
- reconciliations between marts (critical): contacts, answered vs. agent handled, offered vs. issue-type
  volume, surveys, team vs. agent months;
- no day missing between the first and the last day (critical);
- distributions that catch a silently broken join: the share of contacts without a known customer per
  channel, of answered contacts without an agent (critical bands), and a day whose share jumps well above
  the previous 28 days' median (warning).
"""

from __future__ import annotations

from dataclasses import dataclass

from ccw.quality.raw_rules import BATCH, CRITICAL, TABLE, WARNING, Rule


@dataclass(frozen=True)
class Band:
    """``column`` within [low, high] on (at least ``mostly`` of) the rows: a GX column expectation."""

    column: str
    low: float
    high: float
    severity: str = CRITICAL
    mostly: float = 1.0
    channels: tuple[str, ...] = ()  # only these channels' rows (a GX row condition); () = every row
    note: str = ""


@dataclass(frozen=True)
class MartSpec:
    table: str  # in schema marts
    bands: tuple[Band, ...] = ()
    rules: tuple[Rule, ...] = ()


RATES = (
    "service_level", "abandon_rate", "sla_first_response_breach_rate", "sla_resolution_breach_rate", "transfer_rate",
    "fcr_rate", "reopen_rate", "one_touch_rate", "resolution_rate", "repeat_contact_rate", "survey_response_rate",
    "csat_pct", "negative_feedback_rate",
)
AGENT_RATES = ("occupancy", "utilization", "adherence", "transfer_rate", "fcr_rate", "csat_pct")
AHT_BAND = (30, 3600)  # seconds, phone and chat (email/web_form AHT is ticket work time, hours to days)
LIVE_CHANNELS = ("phone", "chat")
LIVE = "channel in ('phone', 'chat')"
#: Highest share of contacts without a known customer per channel (chat visitors may stay anonymous).
NO_CUSTOMER_MAX = {"phone": 0.05, "email": 0.05, "web_form": 0.05, "chat": 0.40}
NO_AGENT_MAX = 0.01  # answered contacts without a handling agent
DAILY_JUMP = 0.20  # a day's share above the previous 28 days' median by more than this is a warning


def _equal(name: str, description: str, left: str, right: str) -> Rule:
    """A reconciliation: the two scalar queries must give the same number (a row comes back when not)."""
    return Rule(
        name, description,
        f"select left_total, right_total from (select ({left}) as left_total, ({right}) as right_total) as totals "
        "where left_total is distinct from right_total",
        CRITICAL, TABLE,
    )


def _no_missing_day() -> Rule:
    return Rule(
        "no_missing_day",
        "every day between the first and the last day of kpi_service_daily has rows",
        f"with bounds as (select min(date_day) as first_day, max(date_day) as last_day from {BATCH}), "
        "days as (select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as date_day "
        f"from bounds) select date_day from days where date_day not in (select date_day from {BATCH})",
        CRITICAL, TABLE,
    )


def _period_aht() -> Rule:
    low, high = AHT_BAND
    return Rule(
        "aht_period_within_band",
        f"AHT (K10) of phone and chat over the whole period within [{low}, {high}] s",
        f"select channel, sum(sum_handle_seconds) / nullif(sum(handled_with_handle_time), 0) as aht_seconds "
        f"from {BATCH} where {LIVE} group by channel "
        f"having not coalesce(sum(sum_handle_seconds) / nullif(sum(handled_with_handle_time), 0) between {low} "
        f"and {high}, true)",
        CRITICAL, TABLE,
    )


def _no_customer_share() -> list[Rule]:
    bands = " ".join(f"when '{c}' then {share}" for c, share in NO_CUSTOMER_MAX.items())
    overall = Rule(
        "no_customer_share_within_band",
        "share of contacts without a known customer per channel at most "
        + ", ".join(f"{c} {s:.0%}" for c, s in NO_CUSTOMER_MAX.items()) + " (a broken customer join)",
        f"select channel, avg(case when has_known_customer then 0.0 else 1.0 end) as no_customer_share from {BATCH} "
        f"group by channel having avg(case when has_known_customer then 0.0 else 1.0 end) > "
        f"(case channel {bands} else 0.05 end)",
        CRITICAL, TABLE,
    )
    return [overall, _daily_jump("no_customer", "case when has_known_customer then 0.0 else 1.0 end", "true")]


def _no_agent_share() -> list[Rule]:
    overall = Rule(
        "no_agent_share_within_band",
        f"share of answered contacts without a handling agent at most {NO_AGENT_MAX:.0%} (a broken agent join)",
        f"select channel, avg(case when agent_id is null then 1.0 else 0.0 end) as no_agent_share from {BATCH} "
        f"where is_answered group by channel having avg(case when agent_id is null then 1.0 else 0.0 end) > "
        f"{NO_AGENT_MAX}",
        CRITICAL, TABLE,
    )
    return [overall, _daily_jump("no_agent", "case when agent_id is null then 1.0 else 0.0 end", "is_answered")]


def _daily_jump(what: str, flag: str, where: str) -> Rule:
    daily = (
        f"select arrived_date_local as date_day, channel, avg({flag}) as share, count(*) as contacts from {BATCH} "
        f"where {where} group by arrived_date_local, channel"
    )
    return Rule(
        f"{what}_share_daily_jump",
        f"a day's share of {what.replace('_', ' ')} contacts is not {DAILY_JUMP:.0%} above the median of the "
        "previous 28 days (per channel, days with 20+ contacts)",
        f"with daily as ({daily}), with_trailing as (select *, median(share) over "
        "(partition by channel order by date_day range between interval 28 day preceding "
        "and interval 1 day preceding) as trailing_median from daily) "
        f"select date_day, channel, share, trailing_median from with_trailing where contacts >= 20 "
        f"and share > trailing_median + {DAILY_JUMP}",
        WARNING, TABLE,
    )


SPECS: tuple[MartSpec, ...] = (
    MartSpec(
        "kpi_service_daily",
        bands=(
            *(Band(c, 0, 1, note="a rate") for c in RATES),
            Band("csat_avg", 1, 5, note="K22 scale"),
            Band("ces_avg", 1, 7, note="K25 scale"),
            Band("nps", -100, 100, note="K24 scale"),
            Band("aht_seconds", *AHT_BAND, severity=WARNING, mostly=0.95, channels=LIVE_CHANNELS, note="K10 band"),
            Band("asa_seconds", 0, 3600, severity=WARNING, mostly=0.95, channels=LIVE_CHANNELS, note="K05 band"),
        ),
        rules=(
            _no_missing_day(),
            _period_aht(),
            _equal("contacts_reconcile_with_fct_contacts", "sum(contacts) equals the rows of fct_contacts",
                   f"select sum(contacts) from {BATCH}", "select count(*) from marts.fct_contacts"),
            _equal("answered_reconcile_with_kpi_agent_daily",
                   "sum(answered) equals the contacts handled by agents in kpi_agent_daily",
                   f"select sum(answered) from {BATCH}", "select sum(handled) from marts.kpi_agent_daily"),
            _equal("offered_reconcile_with_kpi_issue_type_daily",
                   "sum(offered) equals the volume of kpi_issue_type_daily",
                   f"select sum(offered) from {BATCH}", "select sum(volume) from marts.kpi_issue_type_daily"),
            _equal("surveys_reconcile_with_fct_survey_responses",
                   "sum(surveys_sent) equals the rows of fct_survey_responses",
                   f"select sum(surveys_sent) from {BATCH}", "select count(*) from marts.fct_survey_responses"),
        ),
    ),
    MartSpec(
        "kpi_agent_daily",
        bands=tuple(Band(c, 0, 1, note="a rate") for c in AGENT_RATES),
    ),
    MartSpec(
        "kpi_team_monthly",
        rules=(
            _equal("handled_reconcile_with_kpi_agent_monthly", "sum(handled) equals that of kpi_agent_monthly",
                   f"select sum(handled) from {BATCH}", "select sum(handled) from marts.kpi_agent_monthly"),
        ),
    ),
    MartSpec("fct_contacts", rules=(*_no_customer_share(), *_no_agent_share())),
)

BY_SPEC_TABLE = {s.table: s for s in SPECS}
