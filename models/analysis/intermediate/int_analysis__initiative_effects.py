"""Initiative effects: per initiative of seeds/initiatives.csv x target KPI, the KPI before and after the start over
two equal windows for the units in scope and for comparable untreated units, and the difference-in-differences of
the daily KPI with a Newey-West (HAC) 95 % confidence interval (statsmodels). Rules in
_int_analysis__initiative_effects.yml.

Reads with dbt.ref(...) through ccw.pymodels.to_pandas (rows in a deterministic order; libraries imported one at a
time: see that module) and returns a pandas DataFrame.
"""

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ccw.pymodels import library, to_pandas

# the two names the model uses, from their modules: statsmodels.api imports every part of statsmodels (about
# 0.5-1 CPU-s more in each dbt process that builds the model, 2026-12-08)
OLS = library("statsmodels.regression.linear_model").OLS
add_constant = library("statsmodels.tools.tools").add_constant

#: the KPIs an initiative can target (metric names of docs/kpis.md) and their K-ids
KPI_IDS = {
    "abandon_rate": "K03", "service_level": "K04", "asa_seconds": "K05", "aht_seconds": "K10",
    "transfer_rate": "K16", "fcr_rate": "K17", "csat_avg": "K22",
}
REGISTER = ["initiative_id", "start_date", "end_date", "scope_type", "scope_values", "comparison_values",
            "target_kpis", "expected_direction"]
UNIT_DAYS = ["scope_type", "unit_id", "date_day", "kpi", "numerator", "denominator"]
CONFIDENCE = 0.95
COLUMNS = [
    "initiative_id", "kpi", "kpi_id", "expected_direction", "as_of_date", "window_days", "before_start_date",
    "after_start_date", "after_end_date", "treated_units", "comparison_units", "comparison_unit_ids",
    "before_days", "after_days", "treated_before", "treated_after", "comparison_before", "comparison_after",
    "effect", "std_error", "ci_low", "ci_high", "p_value", "counterfactual_after", "relative_effect",
    "relative_ci_low", "relative_ci_high", "has_too_little_data",
]



def split(value) -> list[str]:
    """`a|b` -> ['a', 'b']; empty or null -> []."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return []
    return [part.strip() for part in str(value).split("|") if part.strip()]


def as_date(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def window_days(start: date, end: date | None, first_day: date, as_of: date, max_days: int) -> int:
    """Days of each of the two equal windows: the days from the start to the end (or the as-of day, while running),
    at most the days of data before the start and at most max_days; 0 before the start."""
    after_end = min(end, as_of) if end is not None else as_of
    return max(0, min((after_end - start).days + 1, (start - first_day).days, max_days))


def daily_rates(days: pd.DataFrame, units: list[str]) -> pd.Series:
    """KPI per day over ``units``: summed numerators / summed denominators (never an average of ratios)."""
    picked = days[days["unit_id"].isin(units)].groupby("date_day")[["numerator", "denominator"]].sum()
    picked = picked[picked["denominator"] > 0]
    return picked["numerator"] / picked["denominator"]


def window_value(days: pd.DataFrame, units: list[str], first: date, last: date) -> float | None:
    inside = days[days["unit_id"].isin(units) & (days["date_day"] >= first) & (days["date_day"] <= last)]
    denominator = inside["denominator"].sum()
    return float(inside["numerator"].sum() / denominator) if denominator > 0 else None


def did(days: pd.DataFrame, treated: list[str], comparison: list[str], start: date, window: int,
        min_days: int) -> dict:
    """Difference-in-differences of the daily KPI of the treated units against the comparison units over the
    ``window`` days before ``start`` and the ``window`` days from it. ``days``: date_day (date), unit_id,
    numerator, denominator of one KPI.

    The gap (treated - comparison) of each day with data on both sides is regressed on an after-start indicator:
    OLS of the gap on a constant and the indicator is OLS with unit and day fixed effects on the two series, and its
    coefficient is mean gap after - mean gap before. Standard errors are Newey-West (HAC, Bartlett kernel,
    floor(4 (n/100)^(2/9)) lags), as consecutive days' gaps are correlated."""
    before_start, after_end = start - timedelta(days=window), start + timedelta(days=window - 1)
    row = {
        "before_days": 0, "after_days": 0, "effect": None, "std_error": None, "ci_low": None, "ci_high": None,
        "p_value": None, "counterfactual_after": None, "relative_effect": None, "relative_ci_low": None,
        "relative_ci_high": None,
        "treated_before": window_value(days, treated, before_start, start - timedelta(days=1)),
        "treated_after": window_value(days, treated, start, after_end),
        "comparison_before": window_value(days, comparison, before_start, start - timedelta(days=1)),
        "comparison_after": window_value(days, comparison, start, after_end),
    }
    inside = days[(days["date_day"] >= before_start) & (days["date_day"] <= after_end)]
    treated_rates = daily_rates(inside, treated)
    gap = (treated_rates - daily_rates(inside, comparison)).dropna().sort_index()
    after = np.array([day >= start for day in gap.index], dtype=float)
    row["before_days"], row["after_days"] = int((after == 0).sum()), int((after == 1).sum())
    if window < min_days or min(row["before_days"], row["after_days"]) < max(3, min_days // 2):
        return row
    lags = int(np.floor(4 * (len(gap) / 100) ** (2 / 9)))
    fit = OLS(gap.to_numpy(dtype=float), add_constant(after, has_constant="add")).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags})
    low, high = fit.conf_int(alpha=1 - CONFIDENCE)[1]
    effect = float(fit.params[1])
    counterfactual = float(treated_rates.loc[gap.index[after == 1]].mean()) - effect
    row.update(effect=effect, std_error=float(fit.bse[1]), ci_low=float(low), ci_high=float(high),
               p_value=float(fit.pvalues[1]) if np.isfinite(fit.pvalues[1]) else None,
               counterfactual_after=counterfactual)
    if counterfactual > 0:
        row.update(relative_effect=effect / counterfactual, relative_ci_low=float(low) / counterfactual,
                   relative_ci_high=float(high) / counterfactual)
    return row


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


def initiative_rows(register: pd.DataFrame, unit_days: pd.DataFrame, max_days: int, min_days: int) -> list[dict]:
    """One row per initiative x target KPI (rows without data keep their nulls and has_too_little_data)."""
    as_of = max(unit_days["date_day"]) if len(unit_days) else None
    spans = {}
    for item in register.itertuples(index=False):
        start = as_date(item.start_date)
        spans[item.initiative_id] = (item.scope_type, set(split(item.scope_values)), start, as_date(item.end_date))
    rows = []
    for item in register.itertuples(index=False):
        start, end = as_date(item.start_date), as_date(item.end_date)
        kpis, directions = split(item.target_kpis), split(item.expected_direction)
        treated = split(item.scope_values)
        for position, kpi in enumerate(kpis):
            direction = directions[position] if len(directions) == len(kpis) else (directions or [None])[0]
            row = {"initiative_id": item.initiative_id, "kpi": kpi, "kpi_id": KPI_IDS.get(kpi),
                   "expected_direction": direction, "as_of_date": as_of, "window_days": 0, "treated_units": 0,
                   "comparison_units": 0, "has_too_little_data": True}
            days = unit_days[(unit_days["scope_type"] == item.scope_type) & (unit_days["kpi"] == kpi)]
            if as_of is None or start is None or not len(days):
                rows.append(row)
                continue
            window = window_days(start, end, min(days["date_day"]), as_of, max_days)
            busy_to = (end or as_of)
            others = {
                unit for other, (scope_type, units, other_start, other_end) in spans.items()
                if other != item.initiative_id and scope_type == item.scope_type and other_start is not None
                and overlaps(other_start, other_end or as_of, start - timedelta(days=max_days), busy_to)
                for unit in units
            }
            present = set(days["unit_id"])
            in_scope = sorted(set(treated) & present)
            named = split(item.comparison_values)
            comparison = sorted((set(named) if named else present - others) & present - set(treated))
            row.update(window_days=window, treated_units=len(in_scope), comparison_units=len(comparison),
                       comparison_unit_ids="|".join(comparison) or None)
            if window > 0:
                row.update(before_start_date=start - timedelta(days=window), after_start_date=start,
                           after_end_date=start + timedelta(days=window - 1))
                if in_scope and comparison:
                    row.update(did(days, in_scope, comparison, start, window, min_days))
            row["has_too_little_data"] = row.get("effect") is None
            rows.append(row)
    return rows


def model(dbt, session):
    dbt.config(materialized="table")
    max_days = int(dbt.config.get("max_window_days") or 56)
    min_days = int(dbt.config.get("min_window_days") or 14)

    register = to_pandas(dbt.ref("initiatives"), REGISTER)
    unit_days = to_pandas(dbt.ref("int_analysis__initiative_unit_days"), UNIT_DAYS)
    unit_days["date_day"] = pd.to_datetime(unit_days["date_day"]).dt.date
    for name in ["numerator", "denominator"]:
        unit_days[name] = pd.to_numeric(unit_days[name], errors="coerce").astype(float)

    result = pd.DataFrame(initiative_rows(register, unit_days, max_days, min_days), columns=COLUMNS)
    for name in ["as_of_date", "before_start_date", "after_start_date", "after_end_date"]:
        result[name] = pd.to_datetime(result[name]).dt.date.astype("date32[pyarrow]")
    for name in ["treated_before", "treated_after", "comparison_before", "comparison_after", "effect", "std_error",
                 "ci_low", "ci_high", "p_value", "counterfactual_after", "relative_effect", "relative_ci_low",
                 "relative_ci_high"]:
        result[name] = pd.to_numeric(result[name], errors="coerce").astype(float)
    for name in ["window_days", "treated_units", "comparison_units", "before_days", "after_days"]:
        result[name] = pd.to_numeric(result[name], errors="coerce").fillna(0).astype("int64")
    result["has_too_little_data"] = result["has_too_little_data"].astype(bool)
    for name in ["initiative_id", "kpi", "kpi_id", "expected_direction", "comparison_unit_ids"]:
        result[name] = result[name].astype("string")  # VARCHAR even on an empty frame
    return result
