"""Improvement initiatives (issue 19): the difference-in-differences of int_analysis__initiative_effects on
hand-built days with a known effect, the register matching the generator's plant, and on the shared default build
the planted callback pilot recovered (verdict improved, the planted 20 % cut inside the interval) while the placebo
shows no detectable effect."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from types import ModuleType

import duckdb
import pandas as pd
import pytest

from ccw.generate import params as P
from ccw.pymodel_host import load_model
from conftest import ROOT, PipelineRun

EFFECTS_MODEL = ROOT / "models" / "analysis" / "intermediate" / "int_analysis__initiative_effects.py"


@pytest.fixture(scope="module")
def effects() -> ModuleType:
    return load_model(EFFECTS_MODEL)


START = date(2026, 10, 11)


def hand_built_days(effect: float) -> pd.DataFrame:
    """10 days before 11 Oct and 10 from it. Comparison c1 (100 contacts a day) alternates 0.10 / 0.12, c2 (300)
    stays 0.14, so the pooled comparison KPI is (100 c1 + 300 x 0.14) / 400 = 0.13 / 0.135. The treated unit t
    (200 a day) is the pooled comparison + 0.05 + e before the start and + 0.05 + effect + e from it, e = +/-0.01
    alternating (summing to 0 in each window): the mean daily gap moves by exactly ``effect``."""
    rows = []
    for i in range(20):
        day = START - timedelta(days=10) + timedelta(days=i)
        c1 = 0.10 + 0.02 * (i % 2)
        pooled = (100 * c1 + 300 * 0.14) / 400
        treated = pooled + 0.05 + (effect if day >= START else 0.0) + (0.01 if i % 2 else -0.01)
        rows += [{"unit_id": "c1", "date_day": day, "numerator": 100 * c1, "denominator": 100.0},
                 {"unit_id": "c2", "date_day": day, "numerator": 300 * 0.14, "denominator": 300.0},
                 {"unit_id": "t", "date_day": day, "numerator": 200 * treated, "denominator": 200.0}]
    return pd.DataFrame(rows)


def test_did_recovers_a_known_cut(effects: ModuleType) -> None:
    row = effects.did(hand_built_days(-0.03), ["t"], ["c1", "c2"], START, 10, 4)
    assert (row["before_days"], row["after_days"]) == (10, 10)
    assert row["effect"] == pytest.approx(-0.03, abs=1e-12)
    assert row["ci_high"] < 0 < row["std_error"]
    # the pooled comparison: (0.13 + 0.135) / 2 = 0.1325 on each side (ratio of sums over the window)
    assert row["comparison_before"] == pytest.approx(0.1325) and row["comparison_after"] == pytest.approx(0.1325)
    assert row["treated_before"] == pytest.approx(0.1825) and row["treated_after"] == pytest.approx(0.1525)
    # counterfactual: the treated mean after (0.1525) - effect = 0.1825; relative -0.03 / 0.1825
    assert row["counterfactual_after"] == pytest.approx(0.1825)
    assert row["relative_effect"] == pytest.approx(-0.03 / 0.1825)


def test_did_without_an_effect_has_an_interval_around_zero(effects: ModuleType) -> None:
    row = effects.did(hand_built_days(0.0), ["t"], ["c1", "c2"], START, 10, 4)
    assert row["effect"] == pytest.approx(0.0, abs=1e-12)
    assert row["ci_low"] < 0 < row["ci_high"]


def test_windows_are_equal_and_bounded(effects: ModuleType) -> None:
    first, as_of = date(2026, 8, 3), date(2026, 10, 31)
    assert effects.window_days(date(2026, 9, 16), None, first, as_of, 56) == 44  # 44 days of data before
    assert effects.window_days(date(2026, 9, 23), date(2026, 10, 20), first, as_of, 56) == 28  # its 28 days
    assert effects.window_days(date(2026, 10, 20), None, first, as_of, 56) == 12  # 12 days since the start
    assert effects.window_days(date(2026, 11, 9), None, first, as_of, 56) == 0  # planned
    assert effects.window_days(date(2026, 10, 1), None, date(2026, 1, 1), as_of, 14) == 14


def test_default_comparison_leaves_out_units_of_overlapping_initiatives(effects: ModuleType) -> None:
    days = hand_built_days(-0.03).assign(scope_type="queue", kpi="abandon_rate")
    register = pd.DataFrame([
        {"initiative_id": "A", "start_date": START, "end_date": None, "scope_type": "queue", "scope_values": "t",
         "comparison_values": None, "target_kpis": "abandon_rate", "expected_direction": "decrease"},
        {"initiative_id": "B", "start_date": START - timedelta(days=3), "end_date": None, "scope_type": "queue",
         "scope_values": "c2", "comparison_values": "", "target_kpis": "abandon_rate",
         "expected_direction": "decrease"},
    ])
    rows = {row["initiative_id"]: row for row in effects.initiative_rows(register, days, 10, 4)}
    assert rows["A"]["comparison_unit_ids"] == "c1"
    assert rows["B"]["comparison_unit_ids"] == "c1"
    assert rows["A"]["window_days"] == 10 and not rows["A"]["has_too_little_data"]


def test_register_matches_the_generator_plant() -> None:
    with (ROOT / "seeds" / "initiatives.csv").open(encoding="utf-8") as handle:
        register = {row["initiative_id"]: row for row in csv.DictReader(handle)}
    pilot = register["INI-001"]
    assert (pilot["scope_type"], pilot["scope_values"]) == ("queue", P.CALLBACK_PILOT_QUEUE)
    assert pilot["start_date"] == P.CALLBACK_PILOT_START.isoformat() and pilot["end_date"] == ""
    assert (pilot["target_kpis"], pilot["expected_direction"]) == ("abandon_rate", "decrease")
    placebo = register["INI-002"]
    assert P.CALLBACK_PILOT_QUEUE not in placebo["scope_values"].split("|") + placebo["comparison_values"].split("|")


@pytest.fixture(scope="module")
def warehouse(built_sample: PipelineRun) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built_sample.warehouse), read_only=True)  # the serving file: the mart is published
    yield con
    con.close()


def impact(con: duckdb.DuckDBPyConnection, initiative_id: str, kpi: str) -> dict:
    frame = con.execute(
        "select * from marts.analysis_initiative_impact where initiative_id = ? and kpi = ?", [initiative_id, kpi]
    ).df()
    assert len(frame) == 1, (initiative_id, kpi, frame)
    return frame.iloc[0].to_dict()


def test_planted_callback_pilot_is_recovered(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = impact(warehouse, "INI-001", "abandon_rate")
    print(f"\ncallback pilot: effect {row['effect']:+.4f} [{row['ci_low']:+.4f}, {row['ci_high']:+.4f}], relative "
          f"{row['relative_effect']:+.3f} [{row['relative_ci_low']:+.3f}, {row['relative_ci_high']:+.3f}], "
          f"{row['window_days']} days a window")
    assert row["pdca_stage"] == "do" and not row["has_too_little_data"]
    assert row["verdict"] == "improved", row
    assert row["relative_ci_low"] <= -P.CALLBACK_PILOT_SAVE <= row["relative_ci_high"], row


def test_placebo_has_no_detectable_effect(warehouse: duckdb.DuckDBPyConnection) -> None:
    for kpi in ("abandon_rate", "asa_seconds"):
        row = impact(warehouse, "INI-002", kpi)
        print(f"\nplacebo {kpi}: effect {row['effect']:+.4f} [{row['ci_low']:+.4f}, {row['ci_high']:+.4f}]")
        assert row["pdca_stage"] == "check" and not row["has_too_little_data"]
        assert row["verdict"] == "no detectable effect", row
    planned = impact(warehouse, "INI-003", "fcr_rate")
    assert planned["pdca_stage"] == "plan" and planned["verdict"] is None and planned["has_too_little_data"]
