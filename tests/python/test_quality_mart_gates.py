"""Mart gates on hand-made mart rows in a scratch DuckDB: a rate out of [0, 1], a missing day, marts that do not
reconcile and a broken customer join are caught (stopped, with the rule named); what is consistent passes."""

from __future__ import annotations

import duckdb
import pytest

from ccw.quality import GateReport, run_mart_gates
from ccw.quality.mart_rules import AGENT_RATES, RATES

DAYS = ["2026-10-01", "2026-10-02", "2026-10-04"]  # 2026-10-03 is missing


def _build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema marts")
    rates = ", ".join(f"0.5 as {c}" for c in RATES)
    con.execute(
        f"create table marts.kpi_service_daily as select cast(d as date) as date_day, channel, {rates}, "
        "4.0 as csat_avg, 5.0 as ces_avg, 20.0 as nps, 300.0 as aht_seconds, 20.0 as asa_seconds, "
        "3000.0 as sum_handle_seconds, 10 as handled_with_handle_time, 10 as contacts, 10 as offered, "
        "10 as answered, 2 as surveys_sent "
        f"from (values {', '.join(f'({d!r})' for d in DAYS)}) as days(d), (values ('phone'), ('chat')) as c(channel)"
    )
    con.execute("update marts.kpi_service_daily set service_level = 1.3 where date_day = '2026-10-02' "
                "and channel = 'chat'")
    # 6 rows x 10 contacts = 60 in kpi_service_daily, but fct_contacts has 59: they do not reconcile
    con.execute(
        "create table marts.fct_contacts as select 'C' || range as contact_id, "
        "case when range < 30 then 'phone' else 'chat' end as channel, "
        "range % 10 <> 0 as has_known_customer, 'A1' as agent_id, true as is_answered, "
        "cast('2026-10-01' as date) as arrived_date_local from range(59)"
    )
    con.execute("create table marts.kpi_agent_daily as select 60 as handled, "
                + ", ".join(f"0.5 as {c}" for c in AGENT_RATES))
    con.execute("create table marts.kpi_issue_type_daily as select 60 as volume")
    con.execute("create table marts.fct_survey_responses as select range as response_id from range(12)")
    con.execute("create table marts.kpi_team_monthly as select 60 as handled")
    con.execute("create table marts.kpi_agent_monthly as select 60 as handled")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> GateReport:
    data_dir = tmp_path_factory.mktemp("mart_gates")
    database = data_dir / "build" / "warehouse.duckdb"
    database.parent.mkdir()
    con = duckdb.connect(str(database))
    _build(con)
    con.close()
    return run_mart_gates(database, data_dir)


def _result(report: GateReport, asset: str, rule: str):
    found = [r for r in report.results if r.asset == asset and r.expectation == rule]
    assert len(found) == 1, rule
    return found[0]


def test_broken_marts_stop_before_publishing(report: GateReport) -> None:
    assert not report.ok
    assert report.render().startswith("Mart quality gates: STOPPED")
    assert {(r.asset, r.expectation) for r in report.failures} == {
        ("marts.kpi_service_daily", "service_level_within_0_1"),
        ("marts.kpi_service_daily", "no_missing_day"),
        ("marts.kpi_service_daily", "contacts_reconcile_with_fct_contacts"),
        ("marts.fct_contacts", "no_customer_share_within_band"),
    }


def test_failures_name_what_is_wrong(report: GateReport) -> None:
    rate = _result(report, "marts.kpi_service_daily", "service_level_within_0_1")
    assert rate.message.startswith("1 of 6 rows (16.7%) fail")
    assert _result(report, "marts.kpi_service_daily", "no_missing_day").message.endswith("failing 2026-10-03")
    assert _result(report, "marts.kpi_service_daily", "contacts_reconcile_with_fct_contacts").message.endswith(
        "failing 60, 59"
    )
    # phone: contacts 0..29, every 10th without a customer = 3 of 30 (10 %) > 5 %; chat: 3 of 29 (10.3 %) <= 40 %
    customers = _result(report, "marts.fct_contacts", "no_customer_share_within_band")
    assert customers.message.endswith("failing phone, 0.1")


def test_consistent_marts_pass(report: GateReport) -> None:
    for asset, rule in [
        ("marts.kpi_service_daily", "answered_reconcile_with_kpi_agent_daily"),
        ("marts.kpi_service_daily", "offered_reconcile_with_kpi_issue_type_daily"),
        ("marts.kpi_service_daily", "surveys_reconcile_with_fct_survey_responses"),
        ("marts.kpi_service_daily", "aht_period_within_band"),
        ("marts.kpi_service_daily", "abandon_rate_within_0_1"),
        ("marts.kpi_team_monthly", "handled_reconcile_with_kpi_agent_monthly"),
        ("marts.fct_contacts", "no_agent_share_within_band"),
    ]:
        assert _result(report, asset, rule).success, rule
