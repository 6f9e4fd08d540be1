"""Mart gates on hand-made mart rows in a scratch DuckDB: a missing day, marts that do not reconcile on a day (named
with the day's missing or refused sources) and a broken customer join are caught (stopped, with the rule named);
surveys whose contact is gone are a warning naming their file unless a broken join makes them common on complete
days; what is consistent passes. A rate out of [0, 1] is no mart-gate rule: the KPI marts' accepted_ranges dbt tests
(blocking asset checks of the same build) say it, and the gates do not repeat them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ccw.quality import GateReport, run_mart_gates
from ccw.quality.mart_rules import SPECS

DAYS = ["2026-10-01", "2026-10-02", "2026-10-04"]  # 2026-10-03 is missing
DAY_VALUES = ", ".join(f"({d!r})" for d in DAYS)


def _build(con: duckdb.DuckDBPyConnection, orphan_surveys_on_complete_days: int = 0) -> None:
    con.execute("create schema marts")
    con.execute("create schema staging")
    con.execute(
        "create table marts.kpi_service_daily as select cast(d as date) as date_day, channel, 1.3 as service_level, "
        "4.0 as csat_avg, 5.0 as ces_avg, 20.0 as nps, 300.0 as aht_seconds, 20.0 as asa_seconds, "
        "3000.0 as sum_handle_seconds, 10 as handled_with_handle_time, 10 as contacts, 10 as offered, "
        "10 as answered, 2 as surveys_sent "
        f"from (values {DAY_VALUES}) as days(d), (values ('phone'), ('chat')) as c(channel)"
    )
    # 20 contacts offered a day in kpi_service_daily, but kpi_issue_type_daily has a volume of 19 on 2026-10-04: that
    # day does not reconcile; its contact records file was refused (data_completeness_daily)
    con.execute(
        "create table marts.fct_contacts as select 'C' || range as contact_id, "
        "case when range < 30 then 'phone' else 'chat' end as channel, "
        "range % 10 <> 0 as has_known_customer, 'A1' as agent_id, true as is_offered, true as is_answered, "
        "cast(case when range < 20 then '2026-10-01' when range < 40 then '2026-10-02' else '2026-10-04' end as date) "
        "as arrived_date_local from range(59)"
    )
    con.execute("create table marts.data_completeness_daily as select cast(d as date) as date_day, "
                "d <> '2026-10-04' as is_complete_day, "
                "case when d = '2026-10-04' then 'telephony__contact_records refused' end as incomplete_source_list "
                "from (values ('2026-10-01'), ('2026-10-02'), ('2026-10-03'), ('2026-10-04')) as days(d)")
    con.execute("create table marts.kpi_agent_daily as select cast(d as date) as date_day, 20 as handled "
                f"from (values {DAY_VALUES}) as days(d)")
    con.execute("create table marts.kpi_issue_type_daily as select cast(d as date) as date_day, "
                f"case when d = '2026-10-04' then 19 else 20 end as volume from (values {DAY_VALUES}) as days(d)")
    # 4 surveys a day of known contacts (C0-C3, C20-C23, C40-C43) = 4 a day in kpi_service_daily; one more survey
    # of a contact that is gone, in the file of the incomplete day; and, for a broken join, surveys of unknown
    # contacts in the files of complete days
    con.execute(
        "create table marts.fct_survey_responses as "
        "select 'S' || range as response_id, 'C' || (range // 4 * 20 + range % 4) as contact_id, "
        "cast(case range // 4 when 0 then '2026-10-01' when 1 then '2026-10-02' else '2026-10-04' end as date) "
        "as export_date from range(12) "
        "union all select 'S-gone', 'helpdesk:gone', cast('2026-10-04' as date) "
        f"union all select 'S-x' || range, 'x' || range, cast('2026-10-02' as date) "
        f"from range({orphan_surveys_on_complete_days})"
    )
    con.execute("create table staging.stg_survey__responses as select response_id, "
                "'survey/responses/' || strftime(export_date, '%Y-%m-%d') || '.csv' as _source_file, "
                "export_date as _export_date from marts.fct_survey_responses")
    con.execute("create table marts.kpi_team_monthly as select 60 as handled")
    # an agent of unknown team (no roster) handled 7: kpi_team_monthly has no row for them
    con.execute("create table marts.kpi_agent_monthly as select * from (values (60, 'T1'), (7, null)) "
                "as agents(handled, team)")


def _gates(data_dir, orphan_surveys_on_complete_days: int = 0) -> GateReport:
    database = data_dir / "build" / "warehouse.duckdb"
    database.parent.mkdir()
    con = duckdb.connect(str(database))
    _build(con, orphan_surveys_on_complete_days)
    con.close()
    return run_mart_gates(database, data_dir)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> GateReport:
    return _gates(tmp_path_factory.mktemp("mart_gates"))


def _result(report: GateReport, asset: str, rule: str):
    found = [r for r in report.results if r.asset == asset and r.expectation == rule]
    assert len(found) == 1, rule
    return found[0]


def test_broken_marts_stop_before_publishing(report: GateReport) -> None:
    assert not report.ok
    assert report.render().startswith("Mart quality gates: STOPPED")
    assert {(r.asset, r.expectation) for r in report.failures} == {
        ("marts.kpi_service_daily", "offered_reconcile_with_kpi_issue_type_daily"),
        ("marts.fct_contacts", "no_customer_share_within_band"),
    }


def test_no_gate_repeats_a_dbt_test(report: GateReport) -> None:
    """A service level of 1.3 in every row fails no gate: the rate bands are dbt's accepted_ranges tests; and the
    contacts of kpi_service_daily against fct_contacts are a dbt test (per day and channel), not a gate."""
    rules = {r.expectation for r in report.results}
    assert not [r for r in rules if r.endswith("_within_0_1")], rules
    assert "contacts_reconcile_with_fct_contacts" not in rules
    assert "kpi_agent_daily" not in {s.table for s in SPECS}
    import yaml

    from conftest import ROOT

    kpi = yaml.safe_load((ROOT / "models" / "marts" / "kpi" / "_kpi_service_daily.yml").read_text(encoding="utf-8"))
    service = next(m for m in kpi["models"] if m["name"] == "kpi_service_daily")
    [ranges] = [t["accepted_ranges"]["arguments"]["ranges"] for t in service["data_tests"]
                if isinstance(t, dict) and "accepted_ranges" in t]
    assert ranges["service_level"] == {"min_value": 0, "max_value": 1} and ranges["nps"]["min_value"] == -100
    assert (ROOT / "tests" / "dbt" / "kpi" / "assert_kpi_service_daily_reconciles_with_fct_contacts.sql").is_file()


def test_failures_name_what_is_wrong(report: GateReport) -> None:
    # a day without contacts is a warning (a quiet day of a small help desk), named
    quiet = _result(report, "marts.kpi_service_daily", "no_missing_day")
    assert (quiet.severity, quiet.success) == ("warning", False) and quiet.message.endswith("failing 2026-10-03")
    assert _result(report, "marts.kpi_service_daily", "offered_reconcile_with_kpi_issue_type_daily").message.endswith(
        "failing 2026-10-04, 20, 19, telephony__contact_records refused"
    )
    # phone: contacts 0..29, every 10th without a customer = 3 of 30 (10 %) > 5 %; chat: 3 of 29 (10.3 %) <= 40 %
    customers = _result(report, "marts.fct_contacts", "no_customer_share_within_band")
    assert customers.message.endswith("failing phone, 0.1")


def test_consistent_marts_pass(report: GateReport) -> None:
    for asset, rule in [
        ("marts.kpi_service_daily", "answered_reconcile_with_kpi_agent_daily"),
        ("marts.kpi_service_daily", "surveys_reconcile_with_fct_survey_responses"),
        ("marts.kpi_service_daily", "aht_period_within_band"),
        ("marts.kpi_team_monthly", "handled_reconcile_with_kpi_agent_monthly"),
        ("marts.fct_contacts", "no_agent_share_within_band"),
    ]:
        assert _result(report, asset, rule).success, rule
    # the survey of a contact that is gone is a warning naming its file; it is on an incomplete day, so no band
    orphans = _result(report, "marts.fct_survey_responses", "surveys_without_contact")
    assert not orphans.success and orphans.severity == "warning"
    assert orphans.message.endswith("failing survey/responses/2026-10-04.csv, 1, telephony__contact_records refused")
    assert _result(report, "marts.fct_survey_responses", "surveys_without_contact_share_within_band").success


def test_surveys_without_contact_on_complete_days_stop_as_a_broken_join(tmp_path: Path) -> None:
    """1 survey of an unknown contact among the 8 of complete days is 12.5 % > 5 %: a broken survey-to-contact join."""
    report = _gates(tmp_path, orphan_surveys_on_complete_days=1)
    failing = _result(report, "marts.fct_survey_responses", "surveys_without_contact_share_within_band")
    assert failing.is_blocking and failing.message.endswith("failing 1, 9")

