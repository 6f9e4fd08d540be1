"""Analysis marts on the shared default build (read-only): the generator's CSAT drivers come out with the right
sign, the forecast beats the seasonal-naive baseline, segments keep their names, the quality score columns of
kpi_agent_monthly rank agents within their team."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from conftest import PipelineRun

#: the generator lowers a contact's latent satisfaction with its wait (capped at 15 min), each transfer and an
#: unresolved issue (src/ccw/generate/surveys.py experience()); the regression must find all three
GENERATOR_DRIVERS = ("wait_minutes", "transfers", "not_resolved_first_contact")


@pytest.fixture(scope="module")
def warehouse(built_sample: PipelineRun) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built_sample.build_warehouse), read_only=True)
    yield con
    con.close()


def test_generator_drivers_lower_csat_with_a_significant_negative_coefficient(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = warehouse.execute(
        """
        select month, driver, coefficient, ci_high, p_value, responses
        from marts.analysis_csat_drivers
        where not has_too_little_data and driver in (?, ?, ?)
        order by month, driver
        """,
        list(GENERATOR_DRIVERS),
    ).fetchall()
    months = {row[0] for row in rows}
    assert len(months) >= 2, f"too few months with enough CSAT responses: {rows}"
    assert len(rows) == len(months) * len(GENERATOR_DRIVERS), f"a generator driver is missing or flagged: {rows}"
    wrong = [row for row in rows if not (row[2] < 0 and row[3] < 0)]
    assert not wrong, f"driver with a non-negative coefficient or a 95 % interval reaching 0: {wrong}"


def test_too_little_data_flags_are_set_on_thin_rows(warehouse: duckdb.DuckDBPyConnection) -> None:
    thin = warehouse.execute(
        """
        select count(*) from marts.analysis_csat_drivers
        where (responses < 200 or contacts_with_driver < 30 or coefficient is null) and not has_too_little_data
        """
    ).fetchone()[0]
    assert thin == 0
    thin_correlations = warehouse.execute(
        "select count(*) from marts.analysis_kpi_correlations where agent_days < 30 and not has_too_little_data"
    ).fetchone()[0]
    assert thin_correlations == 0


def test_forecast_beats_seasonal_naive_in_the_backtest(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute(
        "select scope, wape, baseline_wape, coverage_80, intervals from marts.forecast_backtest order by scope"
    ).fetchall()
    queues = warehouse.execute("select count(*) from marts.dim_queues").fetchone()[0]
    assert len(rows) == queues + 1, rows  # every queue and 'all queues'
    for scope, wape, baseline_wape, coverage_80, intervals in rows:
        print(f"{scope:<18} WAPE {wape:.3f} vs seasonal naive {baseline_wape:.3f}, 80 % coverage {coverage_80:.2f}")
        assert intervals >= 28 * 46, (scope, intervals)  # 4 weeks of half hours
        assert wape < baseline_wape, f"{scope}: model {wape:.3f} does not beat seasonal naive {baseline_wape:.3f}"
        assert 0.7 <= coverage_80 <= 1.0, (scope, coverage_80)


def test_segment_names_are_stable_across_months(warehouse: duckdb.DuckDBPyConnection) -> None:
    ids_per_name = warehouse.execute(
        """
        select segment, count(distinct segment_id), count(distinct month)
        from marts.analysis_agent_segments where row_type = 'segment_profile' group by segment
        """
    ).fetchall()
    months = warehouse.execute("select count(distinct month) from marts.analysis_agent_segments").fetchone()[0]
    assert len(ids_per_name) >= 2, ids_per_name
    assert all(ids == 1 for _, ids, _ in ids_per_name), ids_per_name
    kept = warehouse.execute(
        """
        with agent_segments as (
            select month, agent_id, segment from marts.analysis_agent_segments
            where row_type = 'agent' and is_segmented
        )
        select avg(case when later.segment = earlier.segment then 1.0 else 0.0 end), count(*)
        from agent_segments as earlier
        inner join agent_segments as later
            on earlier.agent_id = later.agent_id and later.month = earlier.month + interval 1 month
        """
    ).fetchone()
    print(f"{months} months; share of agents keeping their segment into the next month: {kept[0]:.2f} of {kept[1]}")
    assert kept[1] > 0 and kept[0] >= 0.7, kept
    sizes = warehouse.execute(
        """
        select month, sum(case when row_type = 'agent' and is_segmented then 1 else 0 end),
            sum(case when row_type = 'segment_profile' then agents else 0 end)
        from marts.analysis_agent_segments group by month
        """
    ).fetchall()
    assert all(agents == profile_total for _, agents, profile_total in sizes), sizes


def test_quality_ranks_run_from_one_within_each_team(warehouse: duckdb.DuckDBPyConnection) -> None:
    bad = warehouse.execute(
        """
        select month, team, count(quality_score), min(quality_rank_in_team), max(quality_rank_in_team),
            max(quality_percentile_in_team)
        from marts.kpi_agent_monthly
        where quality_score is not null
        group by month, team
        having min(quality_rank_in_team) <> 1 or max(quality_rank_in_team) > count(quality_score)
            or max(quality_percentile_in_team) <> 1
        """
    ).fetchall()
    assert not bad
    scored = warehouse.execute(
        "select count(quality_score), count(*), count(segment) from marts.kpi_agent_monthly"
    ).fetchone()
    assert scored[0] >= 0.9 * scored[1], scored  # nearly every agent-month has enough data for a score
    assert scored[2] >= 0.9 * scored[1], scored
