"""The KPI sums are exact (macros/kpi/ratio.sql: sum_exact, sum_where, avg_exact, avg_exact_over): the SQL the macros
render, run on DuckDB, gives the sum of the values as decimals, whatever order the rows come in and however many
threads add them. A sum of doubles does not: two builds of the same rows differed in 18 of 93 tables at 1/5 of the
scale preset (docs/performance.md). The expected values are computed here with Python's Decimal, not by the macros."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import jinja2
import pytest

from conftest import ROOT

MACROS = (ROOT / "macros" / "kpi" / "ratio.sql").read_text(encoding="utf-8")


def render(call: str) -> str:
    """``call`` (a Jinja expression of the macros of ratio.sql) rendered as DuckDB SQL; type_double is dbt-dispatched
    in the project (macros/contacts/type_double.sql), DuckDB's `double` here."""
    template = "{% macro type_double() %}double{% endmacro %}" + MACROS + "{{ " + call + " }}"
    return jinja2.Environment().from_string(template).render().strip()


#: 300,000 durations of whole milliseconds up to an hour (as seconds_between gives them), from the row number
DURATIONS = "select i as position, (hash(i) % 3600000) / 1000 as x from range(300000) as numbers(i)"


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_sum_exact_is_the_decimal_sum_in_any_order(threads: int) -> None:
    total = render("sum_exact('x')")
    with duckdb.connect() as con:
        con.execute(f"set threads = {threads}")
        con.execute(f"create table t as {DURATIONS}")
        millis = [int(m) for (m,) in con.execute("select hash(position) % 3600000 from t").fetchall()]
        expected = float(Decimal(sum(millis)) / 1000)
        results = {order: con.execute(f"select {total} from (select x from t order by {order})").fetchone()[0]
                   for order in ("position", "position desc", "hash(position)")}
    assert set(results.values()) == {expected}, results


def test_sum_where_mean_and_window_mean_are_exact() -> None:
    """0.1 + 0.2 + 0.3 is 0.6 as decimals; as doubles added in this order it is 0.6000000000000001. sum_where leaves
    out the rows its condition rejects (the 100.0); avg_exact is the exact sum (as a double) over the count of
    non-null values, 0.6 / 3; avg_exact_over the same per partition."""
    rows = [("a", 0.1, True), ("a", 0.2, True), ("a", 0.3, True), ("a", 100.0, False), ("b", None, True)]
    kept_sum = render("sum_where('x', 'keep')")
    kept_mean = render("avg_exact('case when keep then x end')")
    window_mean = render("avg_exact_over('x', 'k')")
    with duckdb.connect() as con:
        con.execute("create table t (k varchar, x double, keep boolean)")
        con.executemany("insert into t values (?, ?, ?)", rows)
        assert con.execute("select sum(x) from t where keep").fetchone()[0] == 0.6000000000000001
        assert con.execute(f"select {kept_sum} from t").fetchone()[0] == 0.6
        by_key = con.execute(f"select k, {kept_sum}, {kept_mean} from t group by k order by k").fetchall()
        assert by_key == [("a", 0.6, 0.6 / 3), ("b", None, None)]
        window = con.execute(f"select k, x, {window_mean} from t where keep order by k, x").fetchall()
        assert window == [("a", 0.1, 0.6 / 3), ("a", 0.2, 0.6 / 3), ("a", 0.3, 0.6 / 3), ("b", None, None)]


def test_sum_exact_refuses_a_value_it_cannot_hold() -> None:
    """NaN has no decimal: the build stops (the inputs are finite; ratio.sql says so) instead of summing to NaN."""
    total = render("sum_exact('x')")
    with duckdb.connect() as con, pytest.raises(duckdb.ConversionException):
        con.execute(f"select {total} from (select 'nan'::double as x)").fetchall()
