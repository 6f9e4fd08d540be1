"""Churn risk (issue 19 part 1): the scoring and backtest functions of int_analysis__churn_scores and
int_analysis__churn_backtest on small hand-built frames with hand-computed results, the generator's planted churn,
and on the shared default build the backtest (the model beats the orders-only RFM baseline on ROC AUC), the
worklist and the serving file without PII. The SQL features and label have a dbt unit test
(int_analysis__churn_features_rfm_contacts_surveys_and_label; the months and horizon:
int_analysis__churn_months_windows_and_horizon)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from types import ModuleType

import duckdb
import numpy as np
import pandas as pd
import pytest

from ccw.generate import params as P
from ccw.pymodel_host import HostDbt, load_model
from conftest import ROOT, PipelineRun

ANALYSIS = ROOT / "models" / "analysis" / "intermediate"


@pytest.fixture(scope="module")
def scores() -> ModuleType:
    return load_model(ANALYSIS / "int_analysis__churn_scores.py")


@pytest.fixture(scope="module")
def backtest() -> ModuleType:
    return load_model(ANALYSIS / "int_analysis__churn_backtest.py")


def feature_rows(month: date, as_of: date, churned: list[bool | None], unresolved: list[int]) -> list[dict]:
    """Customers c0.. of one as-of month: the same orders, unresolved contacts as given, 30-day horizon."""
    rows = []
    for i, (label, bad) in enumerate(zip(churned, unresolved, strict=True)):
        row = {name: 0 for name in ["days_since_last_order", "orders_90d", "orders_180d", "value_percentile"]}
        row.update({name: 0 for name in ["repeat_contacts", "transferred_contacts", "abandoned_contacts",
                                         "complaint_contacts", "phone_contacts", "chat_contacts", "ticket_contacts",
                                         "survey_responses", "low_csat_responses", "nps_detractor_responses",
                                         "high_effort_responses", "negative_feedback_responses",
                                         "negative_comments"]})
        row.update(customer_id=f"c{i}", as_of_month=month, as_of_date=as_of, label_horizon_days=30,
                   is_churned=label, unresolved_contacts=bad, live_wait_seconds_avg=None,
                   days_since_last_order=10 + (i // 2) % 3, orders_180d=1 + (i // 2) % 2, orders_90d=1,
                   value_percentile=(i // 2) / 10)
        rows.append(row)
    return rows


def test_prepare_and_design_matrix(scores: ModuleType) -> None:
    frame = pd.DataFrame(feature_rows(date(2026, 8, 1), date(2026, 8, 31), [True, False], [3, 0]))
    frame.loc[0, "live_wait_seconds_avg"], frame.loc[1, "value_percentile"] = 90.0, 0.1
    prepared = scores.prepare(frame)
    assert list(prepared["live_wait_minutes"]) == [1.5, 0.0]  # 90 s; no live contact counts as no wait
    x = scores.design(prepared, scores.MODEL_FEATURES)
    col = scores.MODEL_FEATURES.index
    assert x[0, col("unresolved_contacts")] == pytest.approx(np.log(4))  # log(1 + 3)
    assert x[0, col("days_since_last_order")] == pytest.approx(np.log(11))
    assert x[1, col("value_percentile")] == pytest.approx(0.1)  # not logged
    assert scores.RFM_FEATURES == ["days_since_last_order", "orders_90d", "orders_180d", "value_percentile"]


def test_training_months_are_the_labels_known_on_the_as_of_day(scores: ModuleType) -> None:
    plan = pd.DataFrame({
        "as_of_month": [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)],
        "as_of_date": [date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)],
        "label_horizon_days": [30, 31, 30, 30],
        "is_labelled": [True, True, True, False],
    })
    # 31 Jul + 30 = 30 Aug: known on 31 Aug; 31 Aug + 31 days = 1 Oct: not on 30 Sep, known on 31 Oct;
    # 30 Sep + 30 = 30 Oct: known on 31 Oct; a month never trains on itself or a later month
    assert scores.known_months(plan, date(2026, 8, 1)) == [date(2026, 7, 1)]
    assert scores.known_months(plan, date(2026, 9, 1)) == [date(2026, 7, 1)]
    assert scores.known_months(plan, date(2026, 10, 1)) == [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]
    plan.loc[2, "is_labelled"] = False  # a label not set (not elapsed by the data's last day) is not known
    assert scores.known_months(plan, date(2026, 10, 1)) == [date(2026, 7, 1), date(2026, 8, 1)]


def test_deciles_and_top_drivers(scores: ModuleType) -> None:
    assert list(scores.deciles(np.arange(20, 0, -1) / 20)) == [10, 10, 9, 9, 8, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3,
                                                               2, 2, 1, 1]
    contributions = np.array([[0.5, -0.2, 1.5, 0.1], [-1.0, -0.5, -0.1, 0.3]])
    drivers = scores.top_drivers(contributions, ["a", "b", "c", "d"])
    assert list(drivers.iloc[0][["driver_1", "driver_2", "driver_3"]]) == ["c", "a", "d"]
    assert list(drivers.iloc[0][["driver_1_contribution", "driver_2_contribution"]]) == [1.5, 0.5]
    assert drivers.iloc[1]["driver_1"] == "d" and drivers.iloc[1]["driver_1_contribution"] == 0.3
    assert pd.isna(drivers["driver_2"].iloc[1]) and pd.isna(drivers["driver_2_contribution"].iloc[1])


#: unresolved contacts of customers c0..c19 in planted_months
PLANTED = [1, 0, 2, 0, 1, 0, 3, 0, 1, 0] * 2


def planted_months() -> pd.DataFrame:
    """Aug and Sep: churned exactly the customers with an unresolved contact (PLANTED); Oct: label not elapsed."""
    rows = []
    for month, as_of in [(date(2026, 8, 1), date(2026, 8, 31)), (date(2026, 9, 1), date(2026, 9, 30))]:
        rows += feature_rows(month, as_of, [bad > 0 for bad in PLANTED], PLANTED)
    rows += feature_rows(date(2026, 10, 1), date(2026, 10, 31), [None] * 20, PLANTED)
    return pd.DataFrame(rows)


def test_months_are_scored_by_models_of_earlier_known_labels(scores: ModuleType) -> None:
    """Aug and Sep: churned exactly the customers with an unresolved contact; Oct: label not elapsed. Aug has no
    earlier month (not scored); Sep is scored by Aug's customers only (Aug's label known on 30 Sep), Oct by both.
    The risk follows the planted cause, and contributions add up to the log-odds."""
    features = planted_months()
    result = scores.score_all(features, max_training_rows=1000)
    assert list(result.columns) == scores.COLUMNS
    per_month = result.groupby("as_of_month").agg(
        n=("customer_id", "size"), months=("training_months", "max"), rows=("training_customer_months", "max"))
    assert per_month.to_dict("index") == {date(2026, 9, 1): {"n": 20, "months": 1, "rows": 20},
                                          date(2026, 10, 1): {"n": 20, "months": 2, "rows": 40}}
    october = result[result["as_of_month"] == date(2026, 10, 1)].set_index("customer_id")
    bad = [f"c{i}" for i, unresolved in enumerate(PLANTED) if unresolved > 0]
    good = [f"c{i}" for i, unresolved in enumerate(PLANTED) if unresolved == 0]
    assert october.loc[bad, "churn_risk_score"].min() > october.loc[good, "churn_risk_score"].max()
    assert set(october.loc[bad, "driver_1"]) == {"unresolved_contacts"}
    assert october.loc[bad, "churn_risk_decile"].min() >= 6

    frame = scores.prepare(features).reset_index(drop=True)
    x = scores.design(frame, scores.MODEL_FEATURES)
    train = np.flatnonzero(frame["is_churned"].notna().to_numpy())
    model = scores.ChurnModel(scores.MODEL_FEATURES).fit(x[train], frame["is_churned"].to_numpy()[train])
    logit = model.contributions(x).sum(axis=1) + model.logit.intercept_[0]
    assert model.score(x) == pytest.approx(1 / (1 + np.exp(-logit)))


def test_scores_computed_in_chunks_equal_one_pass(scores: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """A month is read and handed on CHUNK_ROWS rows at a time, its deciles ranked over the whole month: 20
    customers a month in chunks of 3 give 7 tables a month (6 of 3 rows, 1 of 2) and the same scores, deciles and
    drivers as one chunk of the whole month."""
    features = planted_months()
    whole = scores.score_all(features, max_training_rows=1000)

    monkeypatch.setattr(scores, "CHUNK_ROWS", 3)
    relation = duckdb.connect().from_df(features[scores.INPUT_COLUMNS])
    plan = scores.month_plan(relation)
    candidates = scores.training_candidates(relation, 1000)
    signature = scores.signatures(plan, candidates, 1000)
    tables = list(scores.score_months(relation, plan, candidates, list(plan["as_of_month"]), signature, 1000))
    assert [table.num_rows for table in tables] == [3] * 6 + [2] + [3] * 6 + [2]  # Sep, then Oct
    chunked = scores.score_all(features, max_training_rows=1000)
    key = ["as_of_month", "customer_id"]
    pd.testing.assert_frame_equal(chunked.sort_values(key).reset_index(drop=True),
                                  whole.sort_values(key).reset_index(drop=True))
    assert sorted(whole.groupby("as_of_month")["churn_risk_decile"].apply(list).iloc[0]) == sorted(
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10])  # ranked over the month's 20, not a chunk's 3


def test_training_candidates_are_each_labelled_months_first_rows_by_the_sample_order(scores: ModuleType) -> None:
    """Each labelled month's first N labelled customers in the sample order (DuckDB's hash(customer_id,
    as_of_month), then customer), worked out here by sorting every labelled key in pandas: N = 7 of Jul's 20 and
    Aug's 20 labelled customers; Sep unlabelled (none); Jun with 5 labelled of 20 (all 5, fewer than N)."""
    months = {date(2026, 6, 1): date(2026, 6, 30), date(2026, 7, 1): date(2026, 7, 31),
              date(2026, 8, 1): date(2026, 8, 31), date(2026, 9, 1): date(2026, 9, 20)}
    rows = []
    for month, as_of in months.items():
        labels = ([None] * 15 + [True, False, True, False, False] if month == date(2026, 6, 1)
                  else [None] * 20 if month == date(2026, 9, 1) else [i % 3 == 0 for i in range(20)])
        rows += feature_rows(month, as_of, labels, [0] * 20)
    relation = duckdb.connect().from_df(pd.DataFrame(rows)[scores.INPUT_COLUMNS])

    keys = relation.filter("is_churned is not null").select(
        "customer_id, as_of_month, hash(customer_id, as_of_month) as sample_key").df()
    keys["as_of_month"] = pd.to_datetime(keys["as_of_month"]).dt.date
    keys["sample_key"] = keys["sample_key"].astype("uint64")
    ordered = keys.sort_values(["sample_key", "customer_id", "as_of_month"])
    expected = ordered.groupby("as_of_month", sort=False).head(7)

    candidates = scores.training_candidates(relation, 7)
    assert candidates["as_of_month"].value_counts().to_dict() == {
        date(2026, 6, 1): 5, date(2026, 7, 1): 7, date(2026, 8, 1): 7}
    assert list(zip(candidates["customer_id"], candidates["as_of_month"], strict=True)) == list(
        zip(expected["customer_id"], expected["as_of_month"], strict=True))  # the same rows, in the sample order
    assert candidates["is_churned"].notna().all()


def build_model(module: ModuleType, con: duckdb.DuckDBPyConnection, refs: dict[str, str], this: str,
                placeholder: str, max_training_rows: int = 1000) -> set[date]:
    """One dbt run of a churn model as its YAML configures it: a full build when the table is missing, else an
    incremental one (delete+insert by as_of_month, then the post-hook's delete of rows whose ``placeholder`` column
    is null). Returns the months the run returned rows for."""
    exists = this in {row[0] for row in con.sql("show tables").fetchall()}
    dbt = HostDbt(con, this, refs, is_incremental=exists, config={"max_training_rows": max_training_rows})
    returned = module.model(dbt, con)
    # as dbt-duckdb does: the result is read into a temporary table through another cursor (a stream's parts read
    # their inputs from con while it is read), then merged
    writer = con.cursor()
    writer.register("returned", returned)
    writer.execute("create temp table returned_rows as select * from returned")
    if not exists:
        writer.execute(f"create table {this} as select * from returned_rows")
    else:
        writer.execute(f"delete from {this} where as_of_month in (select as_of_month from returned_rows)")
        writer.execute(f"insert into {this} select * from returned_rows")
        writer.execute(f"delete from {this} where {placeholder} is null")
    months = {row[0] for row in writer.sql("select distinct as_of_month from returned_rows").fetchall()}
    writer.close()
    return months


def build_scores(scores: ModuleType, con: duckdb.DuckDBPyConnection, features: pd.DataFrame,
                 max_training_rows: int = 1000) -> set[date]:
    con.register("features_frame", features)
    return build_model(scores, con, {"int_analysis__churn_features": "features_frame"}, "churn_scores", "customer_id",
                       max_training_rows)


def scores_table(con: duckdb.DuckDBPyConnection, table: str = "churn_scores") -> pd.DataFrame:
    return con.sql(f"select * from {table} order by all").df()


def test_incremental_runs_score_only_changed_months_and_equal_a_full_build(scores: ModuleType) -> None:
    """Jul and Aug labelled, Sep not yet. Aug trains on Jul (31 Jul + 30 days <= 31 Aug); Sep, as of 20 Sep, trains
    on Jul only (Aug's window ends 30 Sep). After each change an incremental run must score again exactly the months
    whose inputs changed and leave the same table as a full build of the same features."""
    pattern = PLANTED
    months = [(date(2026, 7, 1), date(2026, 7, 31)), (date(2026, 8, 1), date(2026, 8, 31))]
    labelled = [row for month, as_of in months for row in feature_rows(month, as_of, [b > 0 for b in pattern], pattern)]

    def features(september_as_of: date, july: list[dict]) -> pd.DataFrame:
        rows = july + [row for row in labelled if row["as_of_month"] != date(2026, 7, 1)]
        rows += feature_rows(date(2026, 9, 1), september_as_of, [None] * 20, pattern)
        return pd.DataFrame(rows)

    july = [row for row in labelled if row["as_of_month"] == date(2026, 7, 1)]
    changed_july = [dict(row, unresolved_contacts=row["unresolved_contacts"] + (row["customer_id"] == "c3"))
                    for row in july]
    steps = [
        (features(date(2026, 9, 20), july), {date(2026, 8, 1), date(2026, 9, 1)}),  # the full build
        (features(date(2026, 9, 20), july), set()),  # nothing new: nothing scored again
        (features(date(2026, 9, 21), july), {date(2026, 9, 1)}),  # a new day: Sep's as-of day moved
        (features(date(2026, 9, 21), changed_july), {date(2026, 8, 1), date(2026, 9, 1)}),  # Jul corrected
        (features(date(2026, 9, 21), []), {date(2026, 8, 1), date(2026, 9, 1)}),  # Jul gone: nothing to train on
    ]
    con = duckdb.connect()
    for features_now, expected_months in steps:
        assert build_scores(scores, con, features_now) == expected_months
        full = duckdb.connect()
        build_scores(scores, full, features_now)
        pd.testing.assert_frame_equal(scores_table(con), scores_table(full))
        nulls = con.sql("select count(*) filter (where driver_3 is null), count(*) filter (where driver_3_contribution"
                        " is null), count(*) filter (where isnan(driver_3_contribution)) from churn_scores")
        nulls = nulls.fetchall()[0]
        assert nulls[0] == nulls[1] and nulls[2] == 0  # no driver: a null contribution, not NaN
        if expected_months == {date(2026, 8, 1), date(2026, 9, 1)} and not scores_table(con).empty:
            assert nulls[0] > 0  # the pattern leaves customers with fewer than three drivers
    assert scores_table(con).empty  # no month can be scored without Jul


def test_a_correction_outside_the_training_sample_re_scores_only_its_own_month(scores: ModuleType) -> None:
    """Jul and Aug labelled (20 customers each), Sep not yet (as of 20 Sep); Aug and Sep both train on Jul only, on
    a sample of 8 of its 20 customers: the first 8 by the documented sample order, DuckDB's hash(customer_id,
    as_of_month), then customer. A corrected Jul customer outside that sample leaves every score as it was (Jul
    itself is not scored: nothing before it); one inside it re-scores Aug and Sep; a corrected Aug customer
    re-scores Aug alone (nothing trains on Aug yet). After each run the table equals a full build."""
    pattern = PLANTED
    july, august = date(2026, 7, 1), date(2026, 8, 1)
    rows = [row for month, as_of in [(july, date(2026, 7, 31)), (august, date(2026, 8, 31))]
            for row in feature_rows(month, as_of, [b > 0 for b in pattern], pattern)]
    rows += feature_rows(date(2026, 9, 1), date(2026, 9, 20), [None] * 20, pattern)
    with duckdb.connect() as con:
        con.execute("create table jul (customer_id varchar, as_of_month date)")
        con.executemany("insert into jul values (?, ?)", [[f"c{i}", july] for i in range(20)])
        in_sample = [r[0] for r in con.sql("select customer_id from jul order by hash(customer_id, as_of_month), "
                                           "customer_id limit 8").fetchall()]
    outside = next(f"c{i}" for i in range(20) if f"c{i}" not in in_sample)

    def corrected(customer: str, month: date) -> list[dict]:
        nonlocal rows
        rows = [dict(row, unresolved_contacts=row["unresolved_contacts"] + 1)
                if (row["customer_id"], row["as_of_month"]) == (customer, month) else row for row in rows]
        return rows

    steps = [
        (rows, {august, date(2026, 9, 1)}),  # the full build
        (corrected(outside, july), set()),
        (corrected(in_sample[0], july), {august, date(2026, 9, 1)}),
        (corrected("c0", august), {august}),
    ]
    con = duckdb.connect()
    for features_now, expected_months in steps:
        frame = pd.DataFrame(features_now)
        assert build_scores(scores, con, frame, max_training_rows=8) == expected_months
        full = duckdb.connect()
        build_scores(scores, full, frame, max_training_rows=8)
        pd.testing.assert_frame_equal(scores_table(con), scores_table(full))
    assert set(scores_table(con)["training_customer_months"]) == {8}


def test_incremental_backtest_computes_only_months_whose_scores_or_features_changed(backtest: ModuleType) -> None:
    """Aug and Sep scored and labelled (c0..c3; two churned); Oct scored, its label window still open (no backtest).
    A run after Aug's features changed (a new signature of int_analysis__churn_months, with a label changed)
    computes Aug only; after Sep was scored again (a new score signature), Sep only; after Sep's scores are gone,
    Sep's rows go. Each time the table equals a full build of the same inputs."""
    def scores(sep_signature: str | None) -> pd.DataFrame:
        rows = [{"customer_id": f"c{i}", "as_of_month": month, "training_months": 1, "training_customer_months": 4,
                 "churn_risk_score": 0.2 + 0.2 * i, "churn_risk_decile": 1 + 3 * i, "rfm_baseline_score": 0.5,
                 "rfm_baseline_decile": 1 + i, "input_signature": signature}
                for month, signature in [(date(2026, 8, 1), "aug"), (date(2026, 9, 1), sep_signature),
                                         (date(2026, 10, 1), "oct")]
                for i in range(4) if signature is not None]
        return pd.DataFrame(rows)

    def labels(aug_churned: list[bool]) -> pd.DataFrame:
        churned = {date(2026, 8, 1): aug_churned, date(2026, 9, 1): [False, True, False, True],
                   date(2026, 10, 1): [None] * 4}
        return pd.DataFrame([{"customer_id": f"c{i}", "as_of_month": month, "label_horizon_days": 30,
                              "is_churned": flag} for month, flags in churned.items() for i, flag in enumerate(flags)])

    def months(aug_signature: str) -> pd.DataFrame:
        last_data = date(2026, 11, 15)
        return pd.DataFrame([
            {"as_of_month": date(2026, 8, 1), "input_signature": aug_signature, "label_end_date": date(2026, 9, 30),
             "last_data_date": last_data},
            {"as_of_month": date(2026, 9, 1), "input_signature": "sep features", "label_end_date": date(2026, 10, 30),
             "last_data_date": last_data},
            {"as_of_month": date(2026, 10, 1), "input_signature": "oct features",
             "label_end_date": date(2026, 11, 30), "last_data_date": last_data},
        ])

    aug, aug_changed = [False, False, True, True], [False, True, False, True]
    steps = [
        (scores("sep"), labels(aug), months("aug features"), {date(2026, 8, 1), date(2026, 9, 1)}),  # the full build
        (scores("sep"), labels(aug), months("aug features"), set()),
        (scores("sep"), labels(aug_changed), months("aug features changed"), {date(2026, 8, 1)}),
        (scores("sep again"), labels(aug_changed), months("aug features changed"), {date(2026, 9, 1)}),
        # Sep not scored any more
        (scores(None), labels(aug_changed), months("aug features changed"), {date(2026, 9, 1)}),
    ]
    refs = {"int_analysis__churn_scores": "scores_frame", "int_analysis__churn_features": "features_frame",
            "int_analysis__churn_months": "months_frame"}
    con = duckdb.connect()
    for score_rows, label_rows, month_rows, expected_months in steps:
        full = duckdb.connect()
        for run in (con, full):  # the incremental history; a full build of the same inputs
            run.register("scores_frame", score_rows)
            run.register("features_frame", label_rows)
            run.register("months_frame", month_rows)
        assert build_model(backtest, con, refs, "churn_backtest", "model") == expected_months
        build_model(backtest, full, refs, "churn_backtest", "model")
        pd.testing.assert_frame_equal(scores_table(con, "churn_backtest"), scores_table(full, "churn_backtest"))
    result = scores_table(con, "churn_backtest")
    assert {month.date() for month in result["as_of_month"]} == {date(2026, 8, 1)}
    august = result.query("model == 'churn_model'").iloc[0]
    # churned c1 (0.4) and c3 (0.8) against c0 (0.2) and c2 (0.6): 3 of the 4 pairs ranked right
    assert (august["customers"], august["churned_customers"], august["roc_auc"]) == (4, 2, 0.75)


def test_backtest_metrics_by_hand(backtest: ModuleType) -> None:
    label = np.array([True, False, True, False])
    score = np.array([0.9, 0.8, 0.4, 0.1])
    overall, deciles = backtest.evaluate(label, score, np.array([10, 7, 4, 1]))
    # pairs positive > negative: 0.9 > 0.8, 0.9 > 0.1, 0.4 > 0.1 (not 0.4 > 0.8): 3 of 4
    assert overall["roc_auc"] == pytest.approx(0.75)
    # precision 1 at recall 0.5, 2/3 at recall 1: 0.5 x 1 + 0.5 x 2/3
    assert overall["pr_auc"] == pytest.approx(0.5 + 1 / 3)
    assert overall["brier_score"] == pytest.approx((0.01 + 0.64 + 0.36 + 0.01) / 4)
    # each scored decile holds one customer: |0.9 - 1|, |0.8 - 0|, |0.4 - 1|, |0.1 - 0| each weighted 1/4
    assert overall["calibration_error"] == pytest.approx((0.1 + 0.8 + 0.6 + 0.1) / 4)
    assert (overall["customers"], overall["churned_customers"], overall["churn_rate"]) == (4, 2, 0.5)
    assert [d["decile_customers"] for d in deciles] == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert deciles[6]["decile_predicted_churn_rate"] == 0.8 and deciles[6]["decile_observed_churn_rate"] == 0.0


def test_ranking_metrics_equal_scikit_learns_with_tied_scores(backtest: ModuleType) -> None:
    """One sort for both metrics: scikit-learn's roc_auc_score and average_precision_score are the reference, on
    scores with many ties (a tie is one threshold) and on the hand-computed case of the test above."""
    from sklearn import metrics as sklearn_metrics

    assert backtest.ranking_metrics(np.array([True, False, True, False]), np.array([0.9, 0.8, 0.4, 0.1])) == (
        pytest.approx(0.75), pytest.approx(0.5 + 1 / 3))
    # tied pair: c0 (churned) and c1 (not) both 0.5 count half a pair right; 0.9 > both others
    label, score = np.array([True, False, True, False]), np.array([0.5, 0.5, 0.9, 0.1])
    assert backtest.ranking_metrics(label, score)[0] == pytest.approx((1 + 1 + 0.5 + 1) / 4)
    rng = np.random.default_rng(7)
    for ties in (3, 50, 10_000):
        score = rng.integers(0, ties, 20_000) / ties
        label = rng.random(20_000) < 0.2 + 0.6 * score
        roc_auc, pr_auc = backtest.ranking_metrics(label, score)
        assert roc_auc == pytest.approx(sklearn_metrics.roc_auc_score(label, score), abs=1e-12)
        assert pr_auc == pytest.approx(sklearn_metrics.average_precision_score(label, score), abs=1e-12)


def test_generator_plants_churn_after_bad_service() -> None:
    # an unresolved contact or a poor experience (low CSAT) thins the customer's orders for BAD_MEMORY_DAYS
    assert P.ORDER_KEEP["bad"] < P.ORDER_KEEP["none"] <= P.ORDER_KEEP["good"]
    assert P.BAD_MEMORY_DAYS >= 30


@pytest.fixture(scope="module")
def warehouse(built_sample: PipelineRun) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built_sample.warehouse), read_only=True)  # the serving file: the marts are published
    yield con
    con.close()


def test_backtest_beats_the_rfm_baseline(warehouse: duckdb.DuckDBPyConnection) -> None:
    frame = warehouse.execute(
        "select as_of_month, model, customers, roc_auc, pr_auc, brier_score from marts.analysis_churn_backtest "
        "where risk_decile = 1 order by as_of_month, model"
    ).df()
    assert len(frame) >= 2, frame
    for month, rows in frame.groupby("as_of_month"):
        by_model = rows.set_index("model")
        print(f"\nchurn backtest {month}: ROC AUC model {by_model.loc['churn_model', 'roc_auc']:.4f} vs RFM "
              f"{by_model.loc['rfm_baseline', 'roc_auc']:.4f}; PR AUC {by_model.loc['churn_model', 'pr_auc']:.4f} vs "
              f"{by_model.loc['rfm_baseline', 'pr_auc']:.4f}; {by_model.loc['churn_model', 'customers']} customers")
        assert by_model.loc["churn_model", "roc_auc"] > by_model.loc["rfm_baseline", "roc_auc"]
        assert by_model.loc["churn_model", "brier_score"] <= by_model.loc["rfm_baseline", "brier_score"]
    # calibration: the riskiest decile churns more than the safest
    deciles = warehouse.execute(
        "select risk_decile, decile_observed_churn_rate from marts.analysis_churn_backtest "
        "where model = 'churn_model' and as_of_month = (select max(as_of_month) from marts.analysis_churn_backtest)"
        " order by risk_decile"
    ).df()
    assert deciles["decile_observed_churn_rate"].iloc[-1] > deciles["decile_observed_churn_rate"].iloc[0]


def test_latest_month_is_scored_with_a_worklist_and_no_pii(warehouse: duckdb.DuckDBPyConnection) -> None:
    columns = {r[0] for r in warehouse.execute(
        "select column_name from information_schema.columns where table_name = 'analysis_customer_churn_risk'"
    ).fetchall()}
    pii = {c for c in columns if any(word in c for word in ("name", "phone", "email", "hash"))}
    assert pii == {"phone_contacts"}  # a count of phone contacts, no number
    latest = warehouse.execute(
        """
        select as_of_month, count(*) as customers, count(churn_risk_score) as scored,
               sum(case when is_retention_worklist then 1 else 0 end) as worklist,
               count(distinct retention_priority_rank) as ranks, count(is_churned) as labelled
        from marts.analysis_customer_churn_risk
        where as_of_month = (select max(as_of_month) from marts.analysis_customer_churn_risk)
        group by as_of_month
        """
    ).df().iloc[0]
    assert latest["scored"] == latest["customers"] > 0 and latest["labelled"] == 0
    assert 0 < latest["worklist"] == latest["ranks"] < latest["customers"] * 0.2
    ids = warehouse.execute(
        "select customer_id from marts.analysis_customer_churn_risk where is_retention_worklist limit 5"
    ).fetchall()
    assert all(i[0].startswith("C") for i in ids)  # the CRM's pseudonymous ids
