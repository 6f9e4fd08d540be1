"""Contact volume forecast per queue and 30-minute interval: the next 14 local days after the last data day, and a
backtest over the last 4 weeks (two 14-day forecasts made with the data before each origin) beside a seasonal-naive
baseline. Rules in _int_analysis__volume_forecast.yml.

Model (weekday x time-of-day profile): the expected contacts of an interval are the mean of the same local weekday
and local time over the non-holiday days of the 8 weeks before the origin; a holiday at the queue's site scales
the profile by the queue's holiday ratio observed before the origin (actual / profile on past holidays). The
prediction interval is a negative binomial with the profile as mean and the queue's over-dispersion estimated from
the training residuals, widened for the error of the mean.

Reads with dbt.ref(...) through ccw.pymodels.to_pandas (rows in a deterministic order; libraries imported one at a
time: see that module) and returns a pandas DataFrame.
"""

import datetime as dt

import numpy as np
import pandas as pd

from ccw.pymodels import library, to_pandas

stats = library("scipy.stats")

INTERVAL = pd.Timedelta(minutes=30)



def local_midnight_utc(day: dt.date, time_zone: str) -> pd.Timestamp:
    local = pd.Timestamp(day).tz_localize(time_zone, ambiguous=False, nonexistent="shift_forward")
    return local.tz_convert("UTC").tz_localize(None)


def interval_grid(first_day: dt.date, last_day: dt.date, time_zone: str) -> pd.DataFrame:
    """Every UTC half hour whose local date lies in [first_day, last_day], with local time, date, slot, weekday."""
    start = local_midnight_utc(first_day, time_zone)
    end = local_midnight_utc(last_day + dt.timedelta(days=1), time_zone)
    utc = pd.date_range(start, end, freq=INTERVAL, inclusive="left")
    local = utc.tz_localize("UTC").tz_convert(time_zone).tz_localize(None)
    return pd.DataFrame({
        "interval_start_at": utc,
        "interval_start_at_local": local,
        "date_day": local.date,
        "slot": local.hour * 60 + local.minute,
        "weekday": local.weekday,
    })


def profile(history: pd.DataFrame, origin: dt.date, training_days: int) -> tuple[pd.Series, pd.Series, float]:
    """Mean contacts per (weekday, slot) over the non-holiday days of the window before the origin, the number of
    days behind each mean, and the over-dispersion alpha (variance = mean + alpha mean^2) of the window."""
    window = history[
        (history["date_day"] >= origin - dt.timedelta(days=training_days))
        & (history["date_day"] < origin)
        & ~history["is_holiday"]
    ]
    by_key = window.groupby(["weekday", "slot"])["offered"]
    means, days = by_key.mean(), window.groupby("weekday")["date_day"].nunique()
    fitted = window.join(means.rename("fitted"), on=["weekday", "slot"])
    k = fitted["weekday"].map(days).astype(float)
    # in-sample residuals shrink by (k - 1) / k; undo it before solving sum(e^2) = sum(m + alpha m^2) for alpha
    squared = ((fitted["offered"] - fitted["fitted"]) ** 2 * k / (k - 1).where(k > 1)).sum()
    mean_sum, mean_square_sum = fitted["fitted"].sum(), (fitted["fitted"] ** 2).sum()
    alpha = max(0.0, (squared - mean_sum) / mean_square_sum) if mean_square_sum > 0 else 0.0
    return means, days, alpha


def holiday_ratio(history: pd.DataFrame, means: pd.Series, origin: dt.date) -> float | None:
    past = history[(history["date_day"] < origin) & history["is_holiday"]]
    if past.empty:
        return None
    expected = past.join(means.rename("fitted"), on=["weekday", "slot"])["fitted"].sum()
    return float(past["offered"].sum() / expected) if expected > 0 else None


def forecast_days(grid: pd.DataFrame, history: pd.DataFrame, origin: dt.date, ratio: float, means: pd.Series,
                  days: pd.Series, alpha: float) -> pd.DataFrame:
    out = grid.join(means.rename("profile_contacts"), on=["weekday", "slot"])
    out["profile_contacts"] = out["profile_contacts"].fillna(0.0)
    out["training_days"] = out["weekday"].map(days).fillna(0).astype("int64")
    out["forecast_contacts"] = np.where(out["is_holiday"], out["profile_contacts"] * ratio, out["profile_contacts"])
    mean = out["forecast_contacts"].to_numpy()
    k = np.maximum(out["training_days"].to_numpy(), 1)
    variance = (mean + alpha * mean**2) * (1 + 1 / k)
    for level, (low_q, high_q) in {80: (0.10, 0.90), 95: (0.025, 0.975)}.items():
        low, high = negative_binomial_interval(mean, variance, low_q, high_q)
        out[f"lower_{level}"], out[f"upper_{level}"] = low, high
    out["horizon_days"] = [(day - origin).days + 1 for day in out["date_day"]]
    # seasonal naive: the same local weekday and time in the last week observed before the origin
    weeks_back = np.ceil(out["horizon_days"] / 7).astype(int)
    lagged = pd.DataFrame({
        "date_day": [day - dt.timedelta(days=7 * w) for day, w in zip(out["date_day"], weeks_back, strict=True)],
        "slot": out["slot"].to_numpy(),
    })
    observed = history.groupby(["date_day", "slot"])["offered"].sum()
    out["baseline_contacts"] = lagged.join(observed.rename("baseline"), on=["date_day", "slot"])["baseline"].to_numpy()
    out["forecast_origin_date"] = origin
    return out


def negative_binomial_interval(mean, variance, low_q, high_q):
    """Quantiles of the count distribution with this mean and variance (negative binomial; Poisson when the
    variance does not exceed the mean); 0 for a mean of 0."""
    mean, variance = np.asarray(mean, float), np.asarray(variance, float)
    positive = mean > 0
    over = positive & (variance > mean * (1 + 1e-9))
    low, high = np.zeros_like(mean), np.zeros_like(mean)
    n = np.where(over, mean**2 / np.where(over, variance - mean, 1.0), 1.0)
    p = np.where(over, mean / np.where(over, variance, 1.0), 0.5)
    low[over], high[over] = stats.nbinom.ppf(low_q, n[over], p[over]), stats.nbinom.ppf(high_q, n[over], p[over])
    poisson = positive & ~over
    low[poisson], high[poisson] = stats.poisson.ppf(low_q, mean[poisson]), stats.poisson.ppf(high_q, mean[poisson])
    return low, high


def model(dbt, session):
    dbt.config(materialized="table")
    horizon_days = int(dbt.config.get("horizon_days") or 14)
    backtest_days = int(dbt.config.get("backtest_days") or 28)
    training_days = int(dbt.config.get("training_days") or 56)

    intervals = to_pandas(dbt.ref("kpi_service_interval"), ["queue_id", "interval_start_at", "date_day", "offered"])
    queues = to_pandas(dbt.ref("dim_queues"), ["queue_id", "channel", "site", "time_zone"])
    holidays = to_pandas(dbt.ref("int_calendar__site_holidays"), ["site", "holiday_date"])
    intervals["interval_start_at"] = pd.to_datetime(intervals["interval_start_at"])
    intervals["date_day"] = pd.to_datetime(intervals["date_day"]).dt.date
    holiday_keys = {(site, pd.Timestamp(day).date()) for site, day in holidays.itertuples(index=False)}

    frames = []
    if not intervals.empty:
        first_day, last_day = intervals["date_day"].min(), intervals["date_day"].max()
        future_origin = last_day + dt.timedelta(days=1)
        backtest_origins = [
            last_day - dt.timedelta(days=backtest_days - 1 - offset) for offset in range(0, backtest_days, horizon_days)
        ]
        counts = intervals.groupby(["queue_id", "interval_start_at"])["offered"].sum()
        for queue in queues.itertuples(index=False):
            grid = interval_grid(first_day, future_origin + dt.timedelta(days=horizon_days - 1), queue.time_zone)
            grid["is_holiday"] = [(queue.site, day) in holiday_keys for day in grid["date_day"]]
            observed = counts.xs(queue.queue_id, level="queue_id") if queue.queue_id in counts.index.levels[0] else None
            grid["offered"] = grid["interval_start_at"].map(observed).fillna(0).astype(float) if observed is not None \
                else 0.0
            history = grid[grid["date_day"] <= last_day]
            pooled_ratios = []
            plans = [(origin, "backtest") for origin in backtest_origins] + [(future_origin, "forecast")]
            for origin, period in plans:
                if origin - first_day < dt.timedelta(days=7):
                    continue  # not one full week of history before the origin
                means, days, alpha = profile(history, origin, training_days)
                ratio = holiday_ratio(history, means, origin)
                pooled_ratios.append(ratio)
                end = origin + dt.timedelta(days=horizon_days)
                target = grid[(grid["date_day"] >= origin) & (grid["date_day"] < end)]
                out = forecast_days(target, history, origin, 1.0 if ratio is None else ratio, means, days, alpha)
                out["holiday_ratio"] = ratio
                out["dispersion_alpha"] = alpha
                out["period"] = period
                out["actual_contacts"] = out["offered"] if period == "backtest" else np.nan
                out["queue_id"], out["channel"] = queue.queue_id, queue.channel
                frames.append(out)

    columns = [
        "queue_id", "channel", "period", "forecast_origin_date", "interval_start_at", "interval_start_at_local",
        "date_day", "horizon_days", "is_holiday", "training_days", "profile_contacts", "holiday_ratio",
        "dispersion_alpha", "forecast_contacts", "lower_80", "upper_80", "lower_95", "upper_95", "baseline_contacts",
        "actual_contacts",
    ]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
    result = pd.concat(frames, ignore_index=True)[columns]
    result["interval_end_at"] = result["interval_start_at"] + INTERVAL
    for name in ["interval_start_at", "interval_end_at", "interval_start_at_local"]:
        result[name] = result[name].astype("datetime64[us]")
    # dates leave as Python dates (a DATE column), not as timestamps
    result["forecast_origin_date"] = pd.to_datetime(result["forecast_origin_date"]).dt.date.astype("date32[pyarrow]")
    result["date_day"] = pd.to_datetime(result["date_day"]).dt.date.astype("date32[pyarrow]")
    result["horizon_days"] = result["horizon_days"].astype("int64")
    for name in ["profile_contacts", "holiday_ratio", "dispersion_alpha", "forecast_contacts", "lower_80", "upper_80",
                 "lower_95", "upper_95", "baseline_contacts", "actual_contacts"]:
        result[name] = pd.to_numeric(result[name], errors="coerce").astype(float)
    result["is_holiday"] = result["is_holiday"].astype(bool)
    return result
