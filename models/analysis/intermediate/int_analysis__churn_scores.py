"""Churn risk scores: per as-of month, a logistic regression on standardised features (scikit-learn) trained on the
earlier as-of months whose label window had fully elapsed by that month's as-of day, and an orders-only (RFM)
baseline trained the same way; each month's customers are scored as they would have been on its as-of day. One row
per scored customer x as-of month with the risk, its decile and the top drivers. Rules in
_int_analysis__churn_scores.yml.

Incremental by as-of month: every month's inputs (its own customers' features, and the training sample it is
fitted on: features and labels) get an order-independent signature; a daily run scores again only the months whose
signature changed (on a normal day the latest month, whose as-of day moved) and keeps the others' rows, which would
come out the same. The signature covers the sample drawn, not every row of the training months: a correction of an
old month's customer (a contact whose customer is resolved anew) re-scores the later months only when that customer
is in their sample. Each month reads only its own rows from DuckDB; the training candidates (each labelled month's
first rows in the sample order) are read once (not the whole history into pandas).

Memory: a month's rows are read from dbt.ref(...) in chunks (ccw.pymodels.to_pandas_batches: rows in a
deterministic order; libraries imported one at a time: see that module) into its design matrix; its scores are
handed on in chunks as an Arrow stream (ccw.pymodels.stream) that DuckDB writes while the next chunk is computed.
So the model holds one month's design matrix and scores, not its features in pandas nor every month's result (at
1/5 of the scale preset a full build's 16.6 M rows took 3.4 GB as one Arrow table).
"""

import hashlib
import json
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from ccw.pymodels import (
    arrow_table,
    emptied_partitions,
    library,
    rows_fingerprint,
    stored_signatures,
    stream,
    to_pandas_batches,
)

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
#: what scoring a month's customers reads: the customer and what the model features come from
SCORING_COLUMNS = [
    "customer_id", "live_wait_seconds_avg", *[name for name in MODEL_FEATURES if name != "live_wait_minutes"],
]
INPUT_COLUMNS = ["customer_id", "as_of_month", "as_of_date", "label_horizon_days", "is_churned", *SCORING_COLUMNS[1:]]
#: the label columns: a month's scores do not depend on its own label, only its training months' labels do
LABEL_COLUMNS = ["label_horizon_days", "is_churned"]
#: the DOUBLE inputs, rounded in the signature so that a last-bit difference of an average does not count as a change
FLOAT_INPUTS = {"live_wait_seconds_avg", "value_percentile"}
TOP_DRIVERS = 3
#: a month's customers are read, and their contributions and drivers computed and handed on, this many at a time;
#: only the design matrix and the scores of the whole month are held (the deciles rank the whole month)
CHUNK_ROWS = 250_000
#: bump when the method changes, so that an incremental run scores every month again
METHOD_VERSION = 2
COLUMNS = [
    "customer_id", "as_of_month", "churn_risk_score", "churn_risk_decile", "rfm_baseline_score",
    "rfm_baseline_decile", "training_months", "training_customer_months",
    *[f"driver_{i}{suffix}" for i in range(1, TOP_DRIVERS + 1) for suffix in ("", "_contribution")],
    "input_signature",
]
SCHEMA = pa.schema(
    [("customer_id", pa.string()), ("as_of_month", pa.date32()), ("churn_risk_score", pa.float64()),
     ("churn_risk_decile", pa.int64()), ("rfm_baseline_score", pa.float64()), ("rfm_baseline_decile", pa.int64()),
     ("training_months", pa.int64()), ("training_customer_months", pa.int64())]
    + [field for i in range(1, TOP_DRIVERS + 1)
       for field in ((f"driver_{i}", pa.string()), (f"driver_{i}_contribution", pa.float64()))]
    + [("input_signature", pa.string())]
)


def prepare(features: pd.DataFrame) -> pd.DataFrame:
    """Model inputs from int_analysis__churn_features: the model features (with_model_features), dates as dates."""
    out = with_model_features(features)
    out["as_of_month"] = pd.to_datetime(out["as_of_month"]).dt.date
    out["as_of_date"] = pd.to_datetime(out["as_of_date"]).dt.date
    return out


def with_model_features(features: pd.DataFrame) -> pd.DataFrame:
    """The MODEL_FEATURES added: live_wait_minutes (0 without a live contact), the others as floats (null as 0)."""
    out = features.copy()
    out["live_wait_minutes"] = pd.to_numeric(out["live_wait_seconds_avg"], errors="coerce").fillna(0) / 60.0
    for name in MODEL_FEATURES:
        out[name] = pd.to_numeric(out[name], errors="coerce").astype(float).fillna(0.0)
    return out


def design(frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    """The feature matrix: log(1 + x) of LOG_FEATURES (negative values clipped to 0), the others as they are."""
    columns = [np.log1p(frame[name].clip(lower=0)) if name in LOG_FEATURES else frame[name] for name in features]
    return np.column_stack(columns).astype(float) if columns else np.zeros((len(frame), 0))


def month_plan(features) -> pd.DataFrame:
    """One row per as-of month of the features relation: its as-of day, label horizon, whether its label is known
    (is_churned is set once the horizon has elapsed, for all its customers at once), its row count and an
    order-independent fingerprint of its scoring inputs (labels left out)."""
    scoring = [name for name in INPUT_COLUMNS if name not in LABEL_COLUMNS]
    plan = features.aggregate(
        "as_of_month, max(as_of_date) as as_of_date, max(label_horizon_days) as label_horizon_days, "
        "count(is_churned) > 0 as is_labelled, count(*) as customers, "
        f"{rows_fingerprint(scoring, FLOAT_INPUTS)} as scoring_fingerprint",
        "as_of_month",
    ).df()
    plan["as_of_month"] = pd.to_datetime(plan["as_of_month"]).dt.date
    plan["as_of_date"] = pd.to_datetime(plan["as_of_date"]).dt.date
    return plan.sort_values("as_of_month").reset_index(drop=True)


def known_months(plan: pd.DataFrame, month) -> list:
    """The months whose labels were known on ``month``'s as-of day: earlier months, labelled, whose label window
    (as_of_date, as_of_date + horizon] ended on or before that day."""
    as_of = pd.Timestamp(plan.loc[plan["as_of_month"] == month, "as_of_date"].max())
    ends = pd.to_datetime(plan["as_of_date"]) + pd.to_timedelta(plan["label_horizon_days"], unit="D")
    known = (plan["as_of_month"] < month) & plan["is_labelled"] & (ends <= as_of)
    return list(plan.loc[known, "as_of_month"])


#: the order the training sample is drawn in: a fixed, order-independent order that new rows do not reshuffle
SAMPLE_ORDER = ["sample_key", "customer_id", "as_of_month"]


def training_candidates(features, max_training_rows: int) -> pd.DataFrame:
    """Each labelled month's first max_training_rows labelled customers in the sample order (sample_key: a hash of
    customer and month; then customer, month), all months together in that order. The training sample of any set
    of months is the first max_training_rows of their candidates: the first N of a union are among the first N of
    each part. So the history is read once per run, not once per month scored. The candidates' keys are ranked
    first, from the keys alone, and only their rows read (at 1/5 of the scale preset, 9 labelled months of 1.9 M
    customers: 4.9 s against 9.8 s for a top-N of whole rows per month). Only the keys up to each month's N-th
    smallest sample key (DuckDB's top-N aggregate ``min(x, n)``) are ranked, not every labelled key: the N first and
    any that tie with the last of them, so the ranking picks the same rows (the keys of 16.7 M synthetic labelled
    customer-months, 9 months: 2.3 s against 4.7 s; the whole function 6.4 s against 8.1 s)."""
    candidates = features.query("features", f"""
        with labelled as (
            select customer_id, as_of_month, hash(customer_id, as_of_month) as sample_key
            from features
            where is_churned is not null
        ),
        cuts as (
            select as_of_month, max(sample_key) as last_sample_key
            from (
                select as_of_month, unnest(min(sample_key, {int(max_training_rows)})) as sample_key
                from labelled
                group by as_of_month
            ) as smallest
            group by as_of_month
        ),
        keys as (
            select labelled.customer_id, labelled.as_of_month, labelled.sample_key
            from labelled
            inner join cuts on labelled.as_of_month = cuts.as_of_month
            where labelled.sample_key <= cuts.last_sample_key
            qualify row_number() over (
                partition by labelled.as_of_month order by labelled.sample_key, labelled.customer_id
            ) <= {int(max_training_rows)}
        )
        select {", ".join(f"features.{name}" for name in INPUT_COLUMNS)}, keys.sample_key
        from features
        inner join keys on features.customer_id = keys.customer_id and features.as_of_month = keys.as_of_month
        order by {", ".join(f"{name} asc nulls last" for name in SAMPLE_ORDER)}
    """).df()
    candidates["as_of_month"] = pd.to_datetime(candidates["as_of_month"]).dt.date
    return candidates


def training_sample(candidates: pd.DataFrame, months: list, max_training_rows: int) -> pd.DataFrame:
    """The labelled customers of ``months`` the model is fitted on: the first max_training_rows of them in the sample
    order (INPUT_COLUMNS, in to_pandas's row order)."""
    sample = candidates.loc[candidates["as_of_month"].isin(set(months)), INPUT_COLUMNS].head(max_training_rows)
    return sample.sort_values(INPUT_COLUMNS, kind="mergesort", na_position="last").reset_index(drop=True)


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """An order-independent fingerprint of a frame's INPUT_COLUMNS: the sum of its rows' hashes, with every value in
    one dtype per kind (text, timestamp, float; FLOAT_INPUTS rounded to 9 decimals), so that the dtype pandas chose
    for a column (an integer column with a null becomes float) does not count as a change."""
    values = {}
    for name in INPUT_COLUMNS:
        column = frame[name]
        if name == "customer_id":
            values[name] = column.astype(str)
        elif name in ("as_of_month", "as_of_date"):
            values[name] = pd.to_datetime(column)
        else:
            values[name] = pd.to_numeric(column, errors="coerce").astype(float)
            if name in FLOAT_INPUTS:
                values[name] = values[name].round(9)
    hashes = pd.util.hash_pandas_object(pd.DataFrame(values), index=False).to_numpy(dtype=np.uint64)
    return str(int(hashes.sum(dtype=np.uint64)))


def signatures(plan: pd.DataFrame, candidates: pd.DataFrame, max_training_rows: int) -> dict:
    """as_of_month -> a digest of everything its scores depend on: the method, the training-size cap, the month's
    scoring inputs, the months it trains on and the training sample drawn from them (features and labels). Same
    digest, same scores."""
    out = {}
    for month, scoring in zip(plan["as_of_month"], plan["scoring_fingerprint"], strict=True):
        known = known_months(plan, month)
        sample = frame_fingerprint(training_sample(candidates, known, max_training_rows))
        text = json.dumps([METHOD_VERSION, max_training_rows, str(month), scoring, [str(m) for m in known], sample])
        out[month] = hashlib.sha256(text.encode()).hexdigest()
    return out


def month_design(features, month, customers: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``customers`` customers of one as-of month, sorted by customer (ccw.pymodels.to_pandas's order of
    SCORING_COLUMNS, whose first, customer_id, is unique in a month): their ids and their design matrix
    (design(with_model_features(rows), MODEL_FEATURES)), read CHUNK_ROWS at a time."""
    ids = np.empty(customers, dtype=object)
    x = np.empty((customers, len(MODEL_FEATURES)))
    start = 0
    for batch in to_pandas_batches(features.filter(f"as_of_month = DATE '{month}'"), SCORING_COLUMNS, CHUNK_ROWS):
        end = start + len(batch)
        ids[start:end] = batch["customer_id"].to_numpy()
        x[start:end] = design(with_model_features(batch), MODEL_FEATURES)
        start = end
    assert start == customers, f"{month}: read {start} customers, counted {customers}"
    return ids, x


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
        return self.score_standardised(self.standardised(x))

    def score_standardised(self, z: np.ndarray) -> np.ndarray:
        """score() of rows already standardised (``z = standardised(x)``)."""
        return self.logit.predict_proba(z)[:, 1]

    def contributions(self, x: np.ndarray) -> np.ndarray:
        return self.contributions_standardised(self.standardised(x))

    def contributions_standardised(self, z: np.ndarray) -> np.ndarray:
        """contributions() of rows already standardised."""
        return z * self.logit.coef_[0]


def deciles(score: np.ndarray) -> np.ndarray:
    """1 (lowest) .. 10 (highest) by score, equal-sized groups (ties by position)."""
    n = len(score)
    if not n:
        return np.zeros(0, dtype=np.int64)
    rank = np.empty(n)
    rank[np.argsort(score, kind="stable")] = np.arange(1, n + 1)  # ties in row order (pandas' rank "first")
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


def score_month(month, ids: np.ndarray, x: np.ndarray, train: pd.DataFrame,
                training_months: int) -> Iterator[pd.DataFrame]:
    """The customers of one month (``ids``, design matrix ``x``) scored by the churn model and the RFM baseline
    trained on ``train`` (prepared, labelled rows of earlier months), in frames of COLUMNS (but input_signature) of
    CHUNK_ROWS rows. The scores and their deciles are computed over the whole month; the contributions and drivers
    a chunk at a time (row by row, so the chunks change nothing). Nothing without training rows or with one class."""
    label = train["is_churned"].astype(bool).to_numpy()
    if not len(x) or not len(label) or len(set(label)) < 2:
        return
    x_train = design(train, MODEL_FEATURES)
    model = ChurnModel(MODEL_FEATURES).fit(x_train, label)
    baseline = ChurnModel(RFM_FEATURES).fit(x_train, label)
    z = model.standardised(x)  # once for the scores and every chunk's contributions
    risk, base = model.score_standardised(z), baseline.score(x)
    risk_decile, base_decile = deciles(risk), deciles(base)
    for start in range(0, len(x), CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        out = top_drivers(model.contributions_standardised(z[rows]), MODEL_FEATURES)
        out.insert(0, "customer_id", ids[rows])
        out.insert(1, "as_of_month", month)
        out.insert(2, "churn_risk_score", risk[rows])
        out.insert(3, "churn_risk_decile", risk_decile[rows])
        out.insert(4, "rfm_baseline_score", base[rows])
        out.insert(5, "rfm_baseline_decile", base_decile[rows])
        out.insert(6, "training_months", training_months)
        out.insert(7, "training_customer_months", len(train))
        yield out


def score_months(features, plan: pd.DataFrame, candidates: pd.DataFrame, months: list, signature: dict,
                 max_training_rows: int) -> Iterator[pa.Table]:
    """The scores of ``months``, a month at a time and CHUNK_ROWS rows at a time (computed as they are asked for),
    each row carrying its month's input signature; a month that cannot be scored gives no table."""
    customers = dict(zip(plan["as_of_month"], plan["customers"], strict=True))
    for month in months:
        known = known_months(plan, month)
        if not known:
            continue
        train = prepare(training_sample(candidates, known, max_training_rows))
        ids, x = month_design(features, month, customers[month])
        for scored in score_month(month, ids, x, train, len(known)):
            scored["input_signature"] = signature[month]
            yield arrow_table(scored, SCHEMA)


def rescored(features, plan: pd.DataFrame, candidates: pd.DataFrame, changed: list, signature: dict, stored: dict,
             max_training_rows: int) -> Iterator[pa.Table]:
    """An incremental run's tables: the scores of the months whose signature changed, then a placeholder row
    (customer_id null, deleted by the post-hook) for each month that had scores and has none now."""
    scored = set()
    for table in score_months(features, plan, candidates, changed, signature, max_training_rows):
        scored.add(table.column("as_of_month")[0].as_py())  # a table is one month's chunk, never empty
        yield table
    yield emptied_partitions(stored, signature, changed, scored, SCHEMA, "as_of_month")


def score_all(features: pd.DataFrame, max_training_rows: int) -> pd.DataFrame:
    """Every as-of month of a features frame that has training rows, scored (COLUMNS): the model's full build, on
    an in-memory DuckDB relation."""
    duckdb = library("duckdb")
    relation = duckdb.connect().from_df(features[INPUT_COLUMNS])
    plan = month_plan(relation)
    candidates = training_candidates(relation, max_training_rows)
    signature = signatures(plan, candidates, max_training_rows)
    months = score_months(relation, plan, candidates, list(plan["as_of_month"]), signature, max_training_rows)
    return pa.concat_tables([SCHEMA.empty_table(), *months]).to_pandas(date_as_object=True)


def model(dbt, session):
    max_training_rows = int(dbt.config.get("max_training_rows") or 100_000)
    features = dbt.ref("int_analysis__churn_features")
    plan = month_plan(features)
    candidates = training_candidates(features, max_training_rows)
    signature = signatures(plan, candidates, max_training_rows)
    months = list(plan["as_of_month"])
    if not dbt.is_incremental:
        return stream(SCHEMA, score_months(features, plan, candidates, months, signature, max_training_rows))

    stored = stored_signatures(session, dbt.this, "as_of_month", "input_signature")
    changed = [month for month in months if stored.get(month) != signature[month]]
    return stream(SCHEMA, rescored(features, plan, candidates, changed, signature, stored, max_training_rows))
