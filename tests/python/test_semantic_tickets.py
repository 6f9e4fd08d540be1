"""The help-desk metrics of the semantic layer (models/marts/contacts/_fct_tickets__semantic.yml) agree with the
marts they are defined on, on the shared run's serving file (read-only).

- the backlog's open tickets are a level: over a month MetricFlow takes the month's last day, which must equal the
  sum of kpi_ticket_backlog_daily's open_tickets on that day; the net flow of a month must equal the change of the
  open backlog from the month before (the reconciliation, through the metrics);
- ticket means are ratios of sums: recomputed here from fct_tickets' columns with plain SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PipelineRun

pytest.importorskip("metricflow", reason="dbt-metricflow is not installed (pyproject.toml dependency): make setup")

from ccw.metrics import SemanticLayer  # noqa: E402 - after the importorskip


@pytest.fixture(scope="module")
def layer(built_sample: PipelineRun) -> Iterator[SemanticLayer]:
    manifest: Path = built_sample.build_warehouse.parent / "dbt_target" / "semantic_manifest.json"
    semantic_layer = SemanticLayer(warehouse=built_sample.warehouse, manifest_path=manifest)
    yield semantic_layer
    semantic_layer.close()


def test_backlog_open_tickets_take_the_last_day_and_the_net_flow_reconciles(layer: SemanticLayer) -> None:
    got = layer.query(["backlog_open_tickets", "backlog_net_flow"], ["metric_time__month"],
                      order_by=["metric_time__month"])
    expected = layer.client.dataframe("""
        with last_days as (
            select date_trunc('month', date_day) as month, max(date_day) as last_day
            from marts.kpi_ticket_backlog_daily group by 1
        )
        select last_days.month, sum(backlog.open_tickets) as open_tickets
        from marts.kpi_ticket_backlog_daily as backlog
        inner join last_days on backlog.date_day = last_days.last_day
        group by last_days.month order by last_days.month
    """)
    assert len(got) == len(expected) >= 3
    months = [str(m)[:10] for m in expected["month"]]
    assert [str(m)[:10] for m in got["metric_time__month"]] == months
    assert [int(v) for v in got["backlog_open_tickets"]] == [int(v) for v in expected["open_tickets"]]
    # the backlog starts empty before the first month; each month's net flow moves it to the month's last day,
    # except where the month's last day is not every queue's (a queue in a zone behind the latest day)
    previous = 0
    for open_tickets, net_flow in zip(got["backlog_open_tickets"][:-1], got["backlog_net_flow"][:-1], strict=True):
        assert int(open_tickets) == previous + int(net_flow)
        previous = int(open_tickets)


def test_ticket_means_are_ratios_of_sums(layer: SemanticLayer) -> None:
    got = layer.query(["tickets_created", "mean_requester_wait_seconds", "mean_full_resolution_seconds",
                       "two_touch_rate", "mean_assignee_stations"], [])
    expected = layer.client.dataframe("""
        select count(*) as tickets,
               sum(requester_wait_seconds) / count(*) as requester_wait,
               sum(full_resolution_seconds) / count(full_resolution_seconds) as full_resolution,
               sum(case when is_two_touch then 1 else 0 end) / sum(case when is_solved then 1 else 0 end) as two_touch,
               sum(assignee_stations) / count(*) as stations
        from marts.fct_tickets
    """)
    row, want = got.iloc[0], expected.iloc[0]
    assert int(row["tickets_created"]) == int(want["tickets"]) > 1000
    assert float(row["mean_requester_wait_seconds"]) == pytest.approx(float(want["requester_wait"]), rel=1e-9)
    assert float(row["mean_full_resolution_seconds"]) == pytest.approx(float(want["full_resolution"]), rel=1e-9)
    assert float(row["two_touch_rate"]) == pytest.approx(float(want["two_touch"]), rel=1e-9)
    assert float(row["mean_assignee_stations"]) == pytest.approx(float(want["stations"]), rel=1e-9)
