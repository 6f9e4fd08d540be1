"""int_analysis__churn_features is incremental by as-of month, merged by row (macros/incremental/month_signatures.sql):
a run computes again only the months whose inputs changed, writes only the rows that changed, and the table then
equals a full build of the same inputs.

On a copy of the shared run's build file (default preset: as-of months Aug, Sep and Oct 2026, label horizon 30 days,
so a month's orders window is (as_of_date - 180, as_of_date + 30]). The marts the model reads are edited in the copy;
after an incremental run its rows and recorded signatures (intermediate._month_signatures) are kept, the models are
built again with --full-refresh in the same file, and the two must be the same."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest

from conftest import PipelineRun, run_dbt

MODEL = "int_analysis__churn_features"
TABLE = f"intermediate.{MODEL}"
AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)


def _build(data: Path) -> Path:
    return data / "build" / "warehouse.duckdb"


def _run(data: Path, *args: str) -> None:
    """The model and its as-of months (which hold the signatures), not the marts the tests edited."""
    done = run_dbt(data, "run", "--select", "int_analysis__churn_months", MODEL, *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _rows(build: Path) -> list[tuple]:
    """Every row, doubles rounded to 9 decimals (an average summed in another order differs in its last bits)."""
    with duckdb.connect(str(build), read_only=True) as con:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'intermediate' and table_name = ? order by column_name", [MODEL]).fetchall()
        select = ", ".join(f"round({name}, 9)" if kind == "DOUBLE" else name for name, kind in columns)
        rows = con.execute(f"select {select} from {TABLE} order by all").fetchall()
        recorded = con.execute("select as_of_month, input_signature from intermediate._month_signatures "
                               "where model_name = ? order by all", [MODEL]).fetchall()
        assert recorded, "no signature recorded"
        return rows + recorded


def _equals_a_full_build(data: Path) -> None:
    """The table and its recorded signatures equal a --full-refresh of the same inputs, run in place (no copy of the
    500-MB build file: the next test starts from the full build, which equals the incremental one)."""
    incremental = _rows(_build(data))
    _run(data, "--full-refresh")
    assert incremental == _rows(_build(data))


def _execute(build: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(build)) as con:
        return con.execute(sql, list(params)).fetchall()


@contextmanager
def _probed(build: Path, table: str, column: str) -> Iterator[None]:
    """``column`` set to -1 in every stored row of ``table`` (a row computed again inside the block loses the probe),
    its true values kept aside in the file (not in the marts' schemas) and put back after the block, so that the
    table can be compared with a full build."""
    kept = f"main.kept_{column}"
    _execute(build, f"create table {kept} as select customer_id, as_of_month, {column} from {table}")
    _execute(build, f"update {table} set {column} = -1")
    try:
        yield
    finally:
        _execute(build, f"update {table} set {column} = kept.{column} from {kept} as kept "
                 f"where {table}.customer_id = kept.customer_id and {table}.as_of_month = kept.as_of_month")
        _execute(build, f"drop table {kept}")


@pytest.fixture(scope="module")
def data(built_sample: PipelineRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("churn_incremental")
    _build(data).parent.mkdir(parents=True)
    shutil.copy2(built_sample.build_warehouse, _build(data))
    return data


def test_a_new_day_refreshes_the_label_and_the_contacts_of_months_in_place_and_computes_no_month_again(
        data: Path) -> None:
    """A paid order on 1 Nov, a day after the data ended: the last day of data moves, but no as-of day does (Oct's
    is 31 Oct, its month's last day); only Oct's label window (to 30 Nov) holds the new day. And one Sep contact of a
    customer with two or more that month loses its customer (as when the new day's CRM rows make an identifier
    shared). So Oct's label part and Sep's contacts part of the signatures change, and no month's activity window:
    no month is computed again (a probe value written into an order column of every stored row survives the run),
    and the post-hooks set in place the ordering customer's Oct next_ordered_date (the window is still open, so
    is_churned stays null) and one contact fewer for that customer in Sep, every other customer-month keeping its
    contacts. Then the table equals a full build."""
    build = _build(data)
    months = [m for (m,) in _execute(build, f"select distinct as_of_month from {TABLE} order by 1")]
    assert months == [AUG, SEP, OCT]
    order_id, customer = _execute(build, """
        select order_id, customer_id from marts.fct_orders
        where ordered_date = '2026-10-31' and is_paid and status <> 'cancelled' and customer_id is not null
        order by order_id limit 1""")[0]
    assert _execute(build, f"select next_ordered_date, is_churned from {TABLE} where as_of_month = ? "
                    "and customer_id = ?", OCT, customer) == [(None, None)]
    _execute(build, "insert into marts.fct_orders select * replace ('probe-order' as order_id, "
             "date '2026-11-01' as ordered_date, timestamp '2026-11-01 10:00:00' as ordered_at) "
             "from marts.fct_orders where order_id = ?", order_id)
    contacted, contacts = _execute(build, f"""
        select customer_id, contacts from {TABLE} where as_of_month = ? and contacts >= 2
        order by customer_id limit 1""", SEP)[0]
    contact_id = _execute(build, """
        select min(contact_id) from marts.fct_contacts
        where customer_id = ? and arrived_date_local >= date '2026-09-01' and arrived_date_local < date '2026-10-01'
        """, contacted)[0][0]
    _execute(build, "update marts.fct_contacts set customer_id = null where contact_id = ?", contact_id)
    before = dict(((c, m), n) for c, m, n in _execute(build, f"select customer_id, as_of_month, contacts from {TABLE}"))

    with _probed(build, TABLE, "orders_90d"):
        _run(data)

        assert _execute(build, f"select count(*) from {TABLE} where orders_90d <> -1") == [(0,)], (
            "a month was computed again though its activity window did not change")
    assert _execute(build, f"select next_ordered_date, is_churned from {TABLE} where as_of_month = ? "
                    "and customer_id = ?", OCT, customer) == [(date(2026, 11, 1), None)]
    after = dict(((c, m), n) for c, m, n in _execute(build, f"select customer_id, as_of_month, contacts from {TABLE}"))
    assert after.pop((contacted, SEP)) == contacts - 1 and before.pop((contacted, SEP)) == contacts
    assert after == before
    _equals_a_full_build(data)


def test_a_month_whose_contacts_are_gone_leaves_the_table(data: Path) -> None:
    """Aug loses every contact of a known customer, so it is no as-of month any more: its rows go (the merge of a
    placeholder row, then the post-hook). Sep's and Oct's windows hold no Aug contact, so their rows stay exactly as
    they were (the full builds of the other tests compare whole tables)."""
    build = _build(data)
    later = f"select * from {TABLE} where as_of_month > ? order by all"
    before = _execute(build, later, AUG)
    _execute(build, "update marts.fct_contacts set customer_id = null where arrived_date_local < '2026-09-01'")

    _run(data)

    months = [m for (m,) in _execute(build, f"select distinct as_of_month from {TABLE} order by 1")]
    assert months == [SEP, OCT]
    assert _execute(build, f"select count(*) from {TABLE} where customer_id is null") == [(0,)]
    assert _execute(build, later, AUG) == before


#: the scores are left as they are: the incremental and the full build read the same ones
CHURN_MODELS = ("int_analysis__churn_months", MODEL, "analysis_customer_churn_risk")
MART = "marts.analysis_customer_churn_risk"


def _mart_rows(build: Path) -> list[tuple]:
    """The risk mart's rows (doubles rounded to 9 decimals) and the signatures recorded for it."""
    with duckdb.connect(str(build), read_only=True) as con:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'analysis_customer_churn_risk' order by column_name"
        ).fetchall()
        select = ", ".join(f"round({name}, 9)" if kind == "DOUBLE" else name for name, kind in columns)
        rows = con.execute(f"select {select} from {MART} order by all").fetchall()
        recorded = con.execute("select as_of_month, input_signature from intermediate._month_signatures "
                               "where model_name = 'analysis_customer_churn_risk' order by all").fetchall()
        assert recorded, "no signature recorded"
        return rows + recorded


def _mart_equals_a_full_build(data: Path, features_too: bool = False) -> None:
    """The risk mart and its recorded signatures (and with features_too the features and theirs) equal a
    --full-refresh of the churn models, run in place as in ``_equals_a_full_build``."""
    mart, features = _mart_rows(_build(data)), _rows(_build(data)) if features_too else None
    done = run_dbt(data, "run", "--select", *CHURN_MODELS, "--full-refresh")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert mart == _mart_rows(_build(data))
    if features_too:
        assert features == _rows(_build(data))


def test_the_risk_mart_merges_the_changed_rows_and_equals_a_full_build(data: Path) -> None:
    """analysis_customer_churn_risk merges by row too (its months' signature: the features' and the scores'). A
    customer's paid order moves to 1 Nov: Oct is computed again; one Sep row of a customer who has no order in
    Sep's window any more (a probe row) must go; then the mart equals a full build of the same inputs."""
    build = _build(data)
    _execute(build, f"insert into {MART} select * replace ('probe-customer' as customer_id) from {MART} "
             "where as_of_month = ? limit 1", SEP)
    order_id = _execute(build, """
        select order_id from marts.fct_orders
        where ordered_date = '2026-10-30' and is_paid and status <> 'cancelled' and customer_id is not null
        order by order_id limit 1""")[0][0]
    _execute(build, "update marts.fct_orders set ordered_date = date '2026-11-01', "
             "ordered_at = timestamp '2026-11-01 09:00:00' where order_id = ?", order_id)
    _execute(build, "delete from intermediate._month_signatures where model_name = 'analysis_customer_churn_risk' "
             "and as_of_month = ?", SEP)

    done = run_dbt(data, "run", "--select", *CHURN_MODELS)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]

    assert _execute(build, f"select count(*) from {MART} where customer_id = 'probe-customer'") == [(0,)]
    _mart_equals_a_full_build(data)


def test_a_label_window_that_elapses_labels_its_month_in_place_in_the_features_and_the_mart(
        data: Path) -> None:
    """An order on 30 Nov makes it the last day of data: Oct's label window (31 Oct, 30 Nov] has now elapsed, so
    every Oct customer gets is_churned (true without a placed order in the window, false with one; before, null),
    while Oct's as-of day and features stay. In one run of the churn models, Oct is not computed again in the
    features nor in the risk mart (a probe value survives in each); their labels are set in place. Expected from
    the orders themselves: an Oct customer is churned exactly when fct_orders has no placed order of theirs in
    (31 Oct, 30 Nov]."""
    build = _build(data)
    assert _execute(build, f"select count(*) from {TABLE} where as_of_month = ? and is_churned is not null",
                    OCT) == [(0,)]
    customer = _execute(build, f"select min(customer_id) from {TABLE} where as_of_month = ?", OCT)[0][0]
    order_id = _execute(build, "select min(order_id) from marts.fct_orders where customer_id = ? and is_paid "
                        "and status <> 'cancelled'", customer)[0][0]
    _execute(build, "insert into marts.fct_orders select * replace ('probe-order-30' as order_id, "
             "date '2026-11-30' as ordered_date, timestamp '2026-11-30 10:00:00' as ordered_at) "
             "from marts.fct_orders where order_id = ?", order_id)
    expected = _execute(build, f"""
        select features.customer_id, not exists (
            select 1 from marts.fct_orders as o
            where o.customer_id = features.customer_id and o.status <> 'cancelled'
              and o.ordered_date > date '2026-10-31' and o.ordered_date <= date '2026-11-30')
        from {TABLE} as features where features.as_of_month = ? order by 1""", OCT)
    assert (customer, False) in expected and any(churned for _, churned in expected)

    # probes the run must not overwrite: an order column of the features, a scores column of the mart
    with _probed(build, TABLE, "orders_90d"), _probed(build, MART, "training_months"):
        done = run_dbt(data, "run", "--select", *CHURN_MODELS)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]

        for table in (TABLE, MART):
            assert _execute(build, f"select customer_id, is_churned from {table} where as_of_month = ? order by 1",
                            OCT) == expected, table
        assert _execute(build, f"select count(*) from {TABLE} where orders_90d <> -1") == [(0,)], (
            "the features computed a month again though its activity window did not change")
        assert _execute(build, f"select count(*) from {MART} where training_months is distinct from -1") == [(0,)], (
            "the risk mart computed a month again though only its label changed")
    _mart_equals_a_full_build(data, features_too=True)
