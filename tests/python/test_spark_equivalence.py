"""The pure normalisation and comparison functions of scripts/spark_equivalence.py, on hand-made frames (no Spark,
no DuckDB file)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "spark_equivalence.py"


@pytest.fixture(scope="module")
def eq() -> ModuleType:
    spec = importlib.util.spec_from_file_location("spark_equivalence", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


def frame(eq: ModuleType, columns: str, *rows: tuple[object, ...]) -> object:
    return eq.Frame(tuple(columns.split()), list(rows))


def test_floats_compare_at_six_significant_digits(eq: ModuleType) -> None:
    duck = frame(eq, "id x", (1, 123.4567), (2, 0.000123456))
    seventh = frame(eq, "id x", (1, 123.4568), (2, 0.0001234562))  # differs at the 7th significant digit
    fifth = frame(eq, "id x", (1, 123.5567), (2, 0.000123456))  # differs at the 4th/5th
    assert eq.compare("marts.t", duck, seventh, ()).ok
    verdict = eq.compare("marts.t", duck, fifth, ())
    assert not verdict.ok
    assert any("['x']" in line for line in verdict.lines)


def test_fifth_digit_difference_is_different(eq: ModuleType) -> None:
    assert eq.normalise(1.23456) != eq.normalise(1.23466)
    assert eq.normalise(1.234561) == eq.normalise(1.234559)


def test_row_order_does_not_matter_but_multiplicity_does(eq: ModuleType) -> None:
    duck = frame(eq, "a b", (1, "x"), (2, "y"), (2, "y"))
    assert eq.compare("marts.t", duck, frame(eq, "a b", (2, "y"), (1, "x"), (2, "y")), ()).ok
    assert not eq.compare("marts.t", duck, frame(eq, "a b", (2, "y"), (1, "x"), (1, "x")), ()).ok


def test_values_normalise_across_engine_types(eq: ModuleType) -> None:
    utc_8 = dt.timezone(dt.timedelta(hours=8))
    assert eq.normalise(dt.datetime(2026, 1, 2, 11, 0, tzinfo=utc_8)) == eq.normalise(dt.datetime(2026, 1, 2, 3, 0))
    assert eq.normalise(Decimal("12.3400")) == eq.normalise(12.34)
    assert eq.normalise(-0.0) == eq.normalise(0.0) == eq.normalise(0) == "0"
    assert eq.normalise(True) == "true" and eq.normalise(1) == "1"
    assert eq.normalise(None) is None and eq.normalise("") == ""
    assert eq.normalise(float("nan")) == "nan"


def test_column_set_and_row_count_are_compared(eq: ModuleType) -> None:
    duck = frame(eq, "a b", (1, 2))
    assert not eq.compare("marts.t", duck, frame(eq, "a c", (1, 2)), ()).ok
    assert not eq.compare("marts.t", duck, frame(eq, "a b", (1, 2), (1, 2)), ()).ok


def test_tolerance_applies_only_to_its_table_and_column(eq: ModuleType) -> None:
    tolerated = (eq.Tolerance("marts.t", "p", "percentile interpolation", digits=None),)
    duck = frame(eq, "id p q", (1, 10.0, 5.0))
    other_p = frame(eq, "id p q", (1, 11.0, 5.0))
    other_q = frame(eq, "id p q", (1, 10.0, 6.0))
    verdict = eq.compare("marts.t", duck, other_p, tolerated)
    assert verdict.ok and any("tolerated" in line for line in verdict.lines)
    assert not eq.compare("marts.t", duck, other_q, tolerated).ok  # another column of the table
    assert not eq.compare("marts.u", duck, other_p, tolerated).ok  # the same column of another table
    assert any("unused" in line for line in eq.compare("marts.t", duck, duck, tolerated).lines)


def test_tolerance_by_digits_is_no_broader_than_its_digits(eq: ModuleType) -> None:
    tolerated = (eq.Tolerance("marts.t", "p", "float sum order", digits=4),)
    duck = frame(eq, "id p", (1, 1.23456))
    assert eq.compare("marts.t", duck, frame(eq, "id p", (1, 1.23461)), tolerated).ok
    assert not eq.compare("marts.t", duck, frame(eq, "id p", (1, 1.2366)), tolerated).ok


def test_differing_rows_are_paired_on_the_agreeing_columns(eq: ModuleType) -> None:
    duck = frame(eq, "id name x", (1, "a", 1.0), (2, "b", 2.0))
    spark = frame(eq, "id name x", (1, "a", 1.0), (2, "b", 3.0))
    verdict = eq.compare("marts.t", duck, spark, ())
    assert not verdict.ok
    assert any("'x': ('2', '3')" in line for line in verdict.lines)


def test_last_bit_noise_on_a_rounding_boundary_compares_equal(eq: ModuleType) -> None:
    # a sum of whole milliseconds in another order: the same value on both engines but for the last bit
    assert eq.normalise(2713.7450000000003) == eq.normalise(2713.745)
    assert eq.normalise(119.9895) == eq.normalise(119.98949999999999)
    assert eq.normalise(280227.5) == eq.normalise(280227.49999999994)


def test_only_tables_built_on_both_are_compared_and_bookkeeping_is_skipped(
    eq: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    duck = ["marts.a", "marts.b", "intermediate._day_window_watermarks"]
    spark = ["marts.a", "marts.c", "intermediate._day_window_watermarks"]
    assert eq.tables_to_compare(duck, spark, None) == ["marts.a"]
    out = capsys.readouterr().out
    assert "skipped   intermediate._day_window_watermarks" in out
    assert "duckdb only (not compared): marts.b" in out and "spark only (not compared): marts.c" in out
    assert eq.tables_to_compare(duck, spark, ["B", "a"]) == ["marts.a"]
