"""Churn risk scores: per as-of month, a logistic regression on standardised features (scikit-learn) trained on the
earlier as-of months whose label window had fully elapsed by that month's as-of day, and an orders-only (RFM)
baseline trained the same way; each month's customers are scored as they would have been on its as-of day. One row
per scored customer x as-of month with the risk, its decile and the top drivers. Rules in
_int_analysis__churn_scores.yml.

Reads with dbt.ref(...) through ccw.pymodels.to_pandas (rows in a deterministic order; libraries imported one at a
time: see that module) and returns a pandas DataFrame.
"""

import numpy as np
import pandas as pd

from ccw.pymodels import library, to_pandas

LogisticRegression = library("sklearn.linear_model").LogisticRegression
StandardScaler = library("sklearn.preprocessing").StandardScaler

#: the orders-only baseline: recency, frequency, value (RFM)
RFM_FEATURES = ["days_since_last_order", "orders_90d", "orders_180d", "value_percentile"]
#: service features (contacts, surveys, complaints) the churn model adds to the RFM ones
SERVICE_FEATURES = [
    "repeat_contacts", "unresolved_contacts", "transferred_contacts", "abandoned_contacts",
    "complaint_contacts", "phone_contacts", "chat_contacts", "ticket_contacts", "live_wait_minutes",
    "survey_responses", "low_csat_responses", "nps_detractor_responses", "high_effort_responses",
    "negative_feedback_responses", "negative_comments",
]
MODEL_FEATURES = RFM_FEATURES + SERVICE_FEATURES
#: counts and days enter the model as log(1 + x): a tenth contact adds less than a first
LOG_FEATURES = {"days_since_last_order", "orders_90d", "orders_180d", "live_wait_minutes", *SERVICE_FEATURES}
INPUT_COLUMNS = ["customer_id", "as_of_month", "as_of_date", "label_horizon_days", "is_churned",
                 "live_wait_seconds_avg", *[name for name in MODEL_FEATURES if name != "live_wait_minutes"]]
TOP_DRIVERS = 3
COLUMNS = [
    "customer_id", "as_of_month", "churn_risk_score", "churn_risk_decile", "rfm_baseline_score",
    "rfm_baseline_decile", "training_months", "training_customer_months",
    *[f"driver_{i}{suffix}" for i in range(1, TOP_DRIVERS + 1) for suffix in ("", "_contribution")],
]



def prepare(features: pd.DataFrame) -> pd.DataFrame:
    """Model inputs from int_analysis__churn_features: live_wait_minutes (0 without a live contact), numbers as
    floats, dates as dates."""
    out = features.copy()
    out["as_of_month"] = pd.to_datetime(out["as_of_month"]).dt.date
    out["as_of_date"] = pd.to_datetime(out["as_of_date"]).dt.date
    out["live_wait_minutes"] = pd.to_numeric(out["live_wait_seconds_avg"], errors="coerce").fillna(0) / 60.0
    for name in MODEL_FEATURES:
        out[name] = pd.to_numeric(out[name], errors="coerce").astype(float).fillna(0.0)
    return out


def design(frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    """The feature matrix: log(1 + x) of LOG_FEATURES (negative values clipped to 0), the others as they are."""
    columns = [np.log1p(frame[name].clip(lower=0)) if name in LOG_FEATURES else frame[name] for name in features]
    return np.column_stack(columns).astype(float) if columns else np.zeros((len(frame), 0))


def training_rows(frame: pd.DataFrame, as_of_date) -> pd.Series:
    """Rows whose label was known on ``as_of_date``: an earlier as-of month with its label window
    (as_of_date, as_of_date + horizon] ended on or before that day."""
    ends = pd.to_datetime(frame["as_of_date"]) + pd.to_timedelta(frame["label_horizon_days"], unit="D")
    return (ends <= pd.Timestamp(as_of_date)) & frame["is_churned"].notna()


class ChurnModel:
    """Standardisation + logistic regression on the columns ``columns`` of a design matrix (design(frame,
    MODEL_FEATURES)); contributions = coefficient x standardised value (the change of the log-odds from an average
    customer of the training rows)."""

    def __init__(self, features: list[str]):
        self.features = features
        self.columns = [MODEL_FEATURES.index(name) for name in features]
        self.scaler = StandardScaler()
        self.logit = LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=100)

    def fit(self, x: np.ndarray, label: np.ndarray) -> "ChurnModel":
        self.logit.fit(self.scaler.fit_transform(x[:, self.columns]), label.astype(bool))
        return self

    def standardised(self, x: np.ndarray) -> np.ndarray:
        return self.scaler.transform(x[:, self.columns])

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.logit.predict_proba(self.standardised(x))[:, 1]

    def contributions(self, x: np.ndarray) -> np.ndarray:
        return self.standardised(x) * self.logit.coef_[0]


def deciles(score: np.ndarray) -> np.ndarray:
    """1 (lowest) .. 10 (highest) by score, equal-sized groups (ties by position)."""
    n = len(score)
    if not n:
        return np.zeros(0, dtype=np.int64)
    rank = pd.Series(score).rank(method="first").to_numpy()
    return np.ceil(rank * 10 / n).astype(np.int64)


def top_drivers(contributions: np.ndarray, features: list[str], k: int = TOP_DRIVERS) -> pd.DataFrame:
    """Per row, the k features with the largest positive contributions to the risk (driver_i and
    driver_i_contribution, largest first); null where fewer than k push the risk up."""
    k_used = min(k, contributions.shape[1])
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :k_used]
    values = np.take_along_axis(contributions, order, axis=1)
    names = np.asarray(features, dtype=object)[order]
    out = {}
    for i in range(k):
        pushes = values[:, i] > 0 if i < k_used else np.zeros(len(contributions), bool)
        out[f"driver_{i + 1}"] = np.where(pushes, names[:, i] if i < k_used else None, None)
        out[f"driver_{i + 1}_contribution"] = np.where(pushes, values[:, i] if i < k_used else np.nan, np.nan)
    return pd.DataFrame(out)


def sample(rows: np.ndarray, max_rows: int, seed: int = 0) -> np.ndarray:
    """At most max_rows of the row positions ``rows``, drawn without replacement with a fixed seed (deterministic)."""
    if len(rows) <= max_rows:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, size=max_rows, replace=False))


def score_month(frame: pd.DataFrame, x: np.ndarray, month, max_training_rows: int) -> pd.DataFrame | None:
    """The customers of ``month`` scored by the churn model and the RFM baseline trained on the rows known on its
    as-of day (``x``: the design matrix of ``frame``); None when there are no such rows or they hold one class."""
    is_current = (frame["as_of_month"] == month).to_numpy()
    if not is_current.any():
        return None
    as_of = frame.loc[is_current, "as_of_date"].max()
    known = np.flatnonzero(((frame["as_of_month"] < month) & training_rows(frame, as_of)).to_numpy())
    label = frame["is_churned"].to_numpy()
    if not len(known) or len(set(label[known].astype(bool))) < 2:
        return None
    train = sample(known, max_training_rows)
    model = ChurnModel(MODEL_FEATURES).fit(x[train], label[train])
    baseline = ChurnModel(RFM_FEATURES).fit(x[train], label[train])
    current = x[is_current]
    risk, base = model.score(current), baseline.score(current)
    out = top_drivers(model.contributions(current), MODEL_FEATURES)
    out.insert(0, "customer_id", frame.loc[is_current, "customer_id"].to_numpy())
    out.insert(1, "as_of_month", month)
    out.insert(2, "churn_risk_score", risk)
    out.insert(3, "churn_risk_decile", deciles(risk))
    out.insert(4, "rfm_baseline_score", base)
    out.insert(5, "rfm_baseline_decile", deciles(base))
    out.insert(6, "training_months", int(frame["as_of_month"].iloc[known].nunique()))
    out.insert(7, "training_customer_months", int(len(train)))
    return out


def score_all(features: pd.DataFrame, max_training_rows: int) -> pd.DataFrame:
    """Every as-of month that has training rows, scored (COLUMNS)."""
    frame = prepare(features).reset_index(drop=True)
    x = design(frame, MODEL_FEATURES)
    parts = [score_month(frame, x, month, max_training_rows) for month in sorted(frame["as_of_month"].unique())]
    parts = [part for part in parts if part is not None]
    result = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    return result[COLUMNS]


def model(dbt, session):
    dbt.config(materialized="table")
    max_training_rows = int(dbt.config.get("max_training_rows") or 100_000)

    features = to_pandas(dbt.ref("int_analysis__churn_features"), INPUT_COLUMNS)
    result = score_all(features, max_training_rows)
    result["as_of_month"] = pd.to_datetime(result["as_of_month"]).dt.date.astype("date32[pyarrow]")  # DATE if empty
    for name in ["churn_risk_score", "rfm_baseline_score",
                 *[f"driver_{i}_contribution" for i in range(1, TOP_DRIVERS + 1)]]:
        result[name] = pd.to_numeric(result[name], errors="coerce").astype(float)
    for name in ["churn_risk_decile", "rfm_baseline_decile", "training_months", "training_customer_months"]:
        result[name] = pd.to_numeric(result[name], errors="coerce").astype("int64")
    for name in ["customer_id", *[f"driver_{i}" for i in range(1, TOP_DRIVERS + 1)]]:
        result[name] = result[name].astype("string")  # VARCHAR even when every value is null
    return result
