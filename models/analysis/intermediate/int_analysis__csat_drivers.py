"""CSAT drivers: per month, an ordinary least-squares regression of the contact's CSAT (1-5) on its drivers with
channel fixed effects (statsmodels, heteroskedasticity-robust HC1 standard errors). One row per month x driver.
Rules in _int_analysis__csat_drivers.yml.

Reads with dbt.ref(...) through ccw.pymodels.to_pandas (rows in a deterministic order; libraries imported one at a
time: see that module) and returns a pandas DataFrame.
"""

import numpy as np
import pandas as pd

from ccw.pymodels import library, to_pandas

# the two names the model uses, from their modules: statsmodels.api imports every part of statsmodels (about
# 0.5-1 CPU-s more in each dbt process that builds the model, 2026-12-08)
OLS = library("statsmodels.regression.linear_model").OLS
add_constant = library("statsmodels.tools.tools").add_constant

#: driver -> (label, sign the evaluation framework expects: -1 lowers CSAT, +1 raises it, 0 no prior)
DRIVERS = {
    "wait_minutes": ("queue wait of a live contact (phone, chat), minutes", -1),
    "first_response_hours": ("first response of a ticket (email, web form), hours", -1),
    "handle_minutes": ("handle time of a live contact, minutes", 0),
    "transfers": ("transfers of the contact", -1),
    "not_resolved_first_contact": ("not resolved at first contact (repeat contact or unresolved), 0/1", -1),
}
COLUMNS = ["month", "channel", "csat", *DRIVERS]
CONFIDENCE = 0.95



def design_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """Intercept, the drivers that vary in the month, and one dummy per channel but the first (fixed effects)."""
    drivers = [name for name in DRIVERS if frame[name].nunique() > 1]
    channels = pd.get_dummies(frame["channel"], prefix="channel", drop_first=True, dtype=float)
    return add_constant(pd.concat([frame[drivers], channels], axis=1), has_constant="add")


def month_rows(month, frame: pd.DataFrame, min_responses: int, min_driver_contacts: int) -> list[dict]:
    n = len(frame)
    base = {"month": month, "responses": n, "r_squared": None, "adj_r_squared": None, "csat_mean": frame["csat"].mean()}
    fit = None
    if n >= max(min_responses, 10):
        x = design_matrix(frame)
        if np.linalg.matrix_rank(x.to_numpy()) == x.shape[1] and n > x.shape[1]:
            fit = OLS(frame["csat"].to_numpy(), x).fit(cov_type="HC1")
            base.update(r_squared=float(fit.rsquared), adj_r_squared=float(fit.rsquared_adj))
    rows = []
    for driver, (label, expected_sign) in DRIVERS.items():
        contacts_with_driver = int((frame[driver] != 0).sum())
        row = {
            **base, "driver": driver, "driver_label": label, "expected_sign": expected_sign,
            "contacts_with_driver": contacts_with_driver, "driver_mean": frame[driver].mean() if n else None,
            "coefficient": None, "std_error": None, "t_stat": None, "p_value": None, "ci_low": None,
            "ci_high": None, "standardized_coefficient": None,
        }
        if fit is not None and driver in fit.params.index:
            low, high = fit.conf_int(alpha=1 - CONFIDENCE).loc[driver]
            sd_x, sd_y = frame[driver].std(), frame["csat"].std()
            row.update(
                coefficient=float(fit.params[driver]), std_error=float(fit.bse[driver]),
                t_stat=float(fit.tvalues[driver]), p_value=float(fit.pvalues[driver]), ci_low=float(low),
                ci_high=float(high),
                standardized_coefficient=float(fit.params[driver] * sd_x / sd_y) if sd_y > 0 else None,
            )
        row["has_too_little_data"] = bool(
            fit is None or row["coefficient"] is None or n < min_responses
            or contacts_with_driver < min_driver_contacts
        )
        rows.append(row)
    return rows


def model(dbt, session):
    dbt.config(materialized="table")
    min_responses = int(dbt.config.get("min_responses") or 200)
    min_driver_contacts = int(dbt.config.get("min_driver_contacts") or 30)

    inputs = to_pandas(dbt.ref("int_analysis__csat_driver_inputs"), COLUMNS)
    inputs["month"] = pd.to_datetime(inputs["month"])
    for name in ["csat", *DRIVERS]:
        inputs[name] = pd.to_numeric(inputs[name], errors="coerce").astype(float)
    inputs = inputs.dropna(subset=["csat", *DRIVERS])

    rows = []
    for month, frame in inputs.groupby("month", sort=True):
        rows.extend(month_rows(month, frame.reset_index(drop=True), min_responses, min_driver_contacts))
    columns = [
        "month", "driver", "driver_label", "expected_sign", "responses", "contacts_with_driver", "driver_mean",
        "csat_mean", "coefficient", "std_error", "t_stat", "p_value", "ci_low", "ci_high",
        "standardized_coefficient", "r_squared", "adj_r_squared", "has_too_little_data",
    ]
    result = pd.DataFrame(rows, columns=columns)
    result["month"] = pd.to_datetime(result["month"]).dt.date.astype("date32[pyarrow]")
    for name in ["driver_mean", "csat_mean", "coefficient", "std_error", "t_stat", "p_value", "ci_low", "ci_high",
                 "standardized_coefficient", "r_squared", "adj_r_squared"]:
        result[name] = pd.to_numeric(result[name], errors="coerce").astype(float)
    for name in ["expected_sign", "responses", "contacts_with_driver"]:
        result[name] = result[name].astype("int64")
    result["has_too_little_data"] = result["has_too_little_data"].astype(bool)
    return result
