"""What the mart gates check before anything is published: the readable part of the mart suites.

Only what the dbt tests cannot say. A rule a dbt test already checks is not repeated here: the dbt tests run as
blocking asset checks in the same build (rates in [0, 1] and scores on their scales are in the `accepted_ranges` tests
of the KPI marts; kpi_service_daily's contacts, offered, answered, abandoned and IVR-contained counts per day and
channel equal fct_contacts' in `tests/dbt/kpi/assert_kpi_service_daily_reconciles_with_fct_contacts.sql`).

Per mart (one GX suite each, validated after the dbt build):

- plausible KPI bands: AHT of phone and chat between 30 s and 1 h per queue-day, ASA under 1 h (warnings, mostly
  95 %) and AHT over the whole period (critical);
- reconciliations between marts at publish time (critical), per day where the marts have one: answered vs. agent
  handled, offered vs. issue-type volume, surveys of known contacts, team vs. agent months; they hold by
  construction on every day, complete or not (a day whose file of some source is missing or was refused,
  ``marts.data_completeness_daily``, is computed from what landed), so a failing day names the mart defect, the
  counts and the day's missing or refused sources;
- surveys whose contact is not in fct_contacts (its file missing, refused or corrected away): a warning naming
  the survey files and counts, critical above a share that only a broken survey-to-contact join reaches;
- no day without rows between the first and the last day (a warning: a quiet day of a small help desk is normal;
  a day whose contacts the mart lost fails the per-day reconciliation);
- distributions against history that catch a silently broken join: the share of contacts without a known customer
  per channel, of answered contacts without an agent (critical bands), and a day whose share jumps well above
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


AHT_BAND = (30, 3600)  # seconds, phone and chat (email/web_form AHT is ticket work time, hours to days)
LIVE_CHANNELS = ("phone", "chat")
LIVE = "channel in ('phone', 'chat')"
#: Highest share of contacts without a known customer per channel (chat visitors may stay anonymous).
NO_CUSTOMER_MAX = {"phone": 0.05, "email": 0.05, "web_form": 0.05, "chat": 0.40}
NO_AGENT_MAX = 0.01  # answered contacts without a handling agent
#: Highest share of surveys (of files of complete export days) whose contact is not in fct_contacts
NO_CONTACT_SURVEY_MAX = 0.05
COMPLETENESS = "marts.data_completeness_daily"
DAILY_JUMP = 0.20  # a day's share above the previous 28 days' median by more than this is a warning


def _equal(name: str, description: str, left: str, right: str) -> Rule:
    """A reconciliation: the two scalar queries must give the same number (a row comes back when not)."""
    return Rule(
        name, description,
        f"select left_total, right_total from (select ({left}) as left_total, ({right}) as right_total) as totals "
        "where left_total is distinct from right_total",
        CRITICAL, TABLE,
    )


def _equal_by_day(name: str, description: str, left: str, right: str) -> Rule:
    """A reconciliation per day: ``left`` and ``right`` select (date_day, total). A day where they differ comes
    back with both totals and the sources missing or refused that day (``data_completeness_daily``), so the
    message names the day, the counts and what did not land."""
    return Rule(
        name, description,
        f"with left_days as ({left}), right_days as ({right}), "
        "compared as (select coalesce(left_days.date_day, right_days.date_day) as date_day, "
        "coalesce(left_days.total, 0) as left_total, coalesce(right_days.total, 0) as right_total "
        "from left_days full outer join right_days on left_days.date_day is not distinct from right_days.date_day) "
        "select compared.date_day, left_total, right_total, "
        "coalesce(days.incomplete_source_list, 'every source landed') as sources_of_the_day from compared "
        f"left join (select distinct date_day, incomplete_source_list from {COMPLETENESS}) as days "
        "on compared.date_day = days.date_day where left_total <> right_total order by compared.date_day",
        CRITICAL, TABLE,
    )


def _survey_contacts() -> list[Rule]:
    """Surveys whose contact is not in fct_contacts count nowhere in the KPI marts (kpi_service_daily's rule): a
    warning per survey file; critical when their share over the survey files of complete days shows a broken join."""
    surveys = (
        "select responses._source_file, responses._export_date, contacts.contact_id is null as has_no_contact "
        f"from {BATCH} as surveys inner join staging.stg_survey__responses as responses "
        "on surveys.response_id = responses.response_id "
        "left join marts.fct_contacts as contacts on surveys.contact_id = contacts.contact_id"
    )
    per_file = Rule(
        "surveys_without_contact",
        "surveys whose contact is not in fct_contacts (its file missing, refused or corrected away; they count "
        "nowhere in the KPI marts), per survey file, with the sources missing or refused on its day",
        f"with surveys as ({surveys}) select surveys._source_file, count(*) as surveys_without_contact, "
        "coalesce(min(days.incomplete_source_list), 'every source landed') as sources_of_the_day from surveys "
        f"left join (select distinct date_day, incomplete_source_list from {COMPLETENESS}) as days "
        "on surveys._export_date = days.date_day where surveys.has_no_contact group by surveys._source_file "
        "order by surveys_without_contact desc, surveys._source_file",
        WARNING, TABLE,
    )
    share = Rule(
        "surveys_without_contact_share_within_band",
        f"share of surveys without a contact in fct_contacts at most {NO_CONTACT_SURVEY_MAX:.0%} over the survey "
        "files of complete export days (a broken survey-to-contact join)",
        f"with surveys as ({surveys}), complete as (select distinct date_day from {COMPLETENESS} "
        "where is_complete_day) "
        "select count(*) filter (where has_no_contact) as surveys_without_contact, count(*) as surveys "
        "from surveys inner join complete on surveys._export_date = complete.date_day "
        f"having count(*) filter (where has_no_contact) > {NO_CONTACT_SURVEY_MAX} * count(*)",
        CRITICAL, TABLE,
    )
    return [per_file, share]


def _no_missing_day() -> Rule:
    """A warning: a day without any contact is normal for a small help desk (weekends, a quiet month) and suspicious
    for a busy centre; a day whose contacts the mart lost fails the per-day reconciliation with fct_contacts."""
    return Rule(
        "no_missing_day",
        "every day between the first and the last day of kpi_service_daily has rows (else: no contact that day, "
        "or its files missing: see data_completeness_daily)",
        f"with bounds as (select min(date_day) as first_day, max(date_day) as last_day from {BATCH}), "
        "days as (select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as date_day "
        f"from bounds) select date_day from days where date_day not in (select date_day from {BATCH})",
        WARNING, TABLE,
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
            Band("aht_seconds", *AHT_BAND, severity=WARNING, mostly=0.95, channels=LIVE_CHANNELS, note="K10 band"),
            Band("asa_seconds", 0, 3600, severity=WARNING, mostly=0.95, channels=LIVE_CHANNELS, note="K05 band"),
        ),
        rules=(
            _no_missing_day(),
            _period_aht(),
            _equal_by_day(
                "answered_reconcile_with_kpi_agent_daily",
                "per day, sum(answered) equals the contacts handled by agents in kpi_agent_daily plus the answered "
                "contacts without a known agent (fct_contacts; their share has its own band)",
                f"select date_day, sum(answered) as total from {BATCH} group by date_day",
                "select date_day, sum(total) as total from (select date_day, handled as total "
                "from marts.kpi_agent_daily union all select arrived_date_local, 1 from marts.fct_contacts "
                "where is_offered and is_answered and agent_id is null) as handled group by date_day"),
            _equal_by_day(
                "offered_reconcile_with_kpi_issue_type_daily",
                "per day, sum(offered) equals the volume of kpi_issue_type_daily",
                f"select date_day, sum(offered) as total from {BATCH} group by date_day",
                "select date_day, sum(volume) as total from marts.kpi_issue_type_daily group by date_day"),
            _equal_by_day(
                "surveys_reconcile_with_fct_survey_responses",
                "per day, sum(surveys_sent) equals the rows of fct_survey_responses whose contact is in fct_contacts",
                f"select date_day, sum(surveys_sent) as total from {BATCH} group by date_day",
                "select contacts.arrived_date_local as date_day, count(*) as total "
                "from marts.fct_survey_responses as surveys inner join marts.fct_contacts as contacts "
                "on surveys.contact_id = contacts.contact_id group by contacts.arrived_date_local"),
        ),
    ),
    MartSpec(
        "kpi_team_monthly",
        rules=(
            # agents of unknown team (no roster: dim_agents.is_rostered false) have no team row; no row at all is 0
            _equal("handled_reconcile_with_kpi_agent_monthly",
                   "sum(handled) equals that of kpi_agent_monthly's agents of a known team",
                   f"select coalesce(sum(handled), 0) from {BATCH}",
                   "select coalesce(sum(handled), 0) from marts.kpi_agent_monthly where team is not null"),
        ),
    ),
    MartSpec("fct_contacts", rules=(*_no_customer_share(), *_no_agent_share())),
    MartSpec("fct_survey_responses", rules=tuple(_survey_contacts())),
)

BY_SPEC_TABLE = {s.table: s for s in SPECS}
