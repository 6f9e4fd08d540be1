"""Compare the tables the DuckDB build and the Spark build of one data folder produced (issue 20, item 5).

Given a CCW_DATA_DIR where a sample was landed and built on DuckDB (`ccw run`, or `dbt seed` + `dbt run/build`
on the `dev` target) and built on Spark (the recipe of docs/spark.md), this reads every table both engines built
in the marts schema (`--layers` adds intermediate and staging), normalises each value and compares, per table:

- the column set (names compared case-insensitively),
- the row count,
- the multiset of normalised rows (order-independent: a Counter of row tuples).

Normalisation (`normalise`): null stays null; booleans as true/false; integers exactly; floats and decimals to 6
significant digits (`-0` as `0`, NaN and infinities by name; rounded to 12 digits first, so that last-bit noise of
sums taken in another order cannot round a value on a 6-digit boundary apart); timestamps as UTC ISO text (a naive
one is taken as UTC, as both engines here store UTC); dates and times as ISO text; strings unchanged; lists and
structs recursively.

Where an engine cannot match, the difference is tolerated per table and column (`TOLERATED`, each with its
reason, listed in docs/spark.md): the column is compared at fewer significant digits, or left out of the row
fingerprint; nothing else is loosened, and a tolerance whose difference does not occur is reported as unused.
Tables that are not a model's output (`SKIPPED`: the day-window watermarks, build bookkeeping) are named and left
out.

How the Spark tables are read: straight from the Parquet files of the Spark warehouse folder
($CCW_DATA_DIR/spark/warehouse/<schema>.db/<table>/*.parquet) with DuckDB, not through a Spark session. Every model
here is materialised as a managed Parquet table (no views), so the files are the table; this needs no JVM (about a
second instead of 15-20 s) and does not open the embedded Derby metastore, which allows one process at a time. Run
it after the Spark build has finished (a table being rebuilt has no consistent set of files). Spark writes
timestamps as INT96 in UTC (its default), which DuckDB reads as the same instants. The DuckDB side is read from
the build file ($CCW_BUILD_WAREHOUSE, default $CCW_DATA_DIR/build/warehouse.duckdb), read-only.

Usage (from the project directory, after both builds; exit status 0 when every table agrees up to the tolerated
differences, 1 otherwise):

    CCW_DATA_DIR=/tmp/spk_eq/data .venv/bin/python scripts/spark_equivalence.py
    CCW_DATA_DIR=/tmp/spk_eq/data .venv/bin/python scripts/spark_equivalence.py --layers marts intermediate staging
    CCW_DATA_DIR=/tmp/spk_eq/data .venv/bin/python scripts/spark_equivalence.py --require-all   # no one-sided table
    .venv/bin/python scripts/spark_equivalence.py --data-dir /tmp/spk_eq/data --tables fct_contacts kpi_service_daily
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

DIGITS = 6
NOISE_DIGITS = 12
SHOW_ROWS = 5


@dataclass(frozen=True)
class Frame:
    """A table as read from one engine: column names (lower case) and rows of raw Python values."""

    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]


@dataclass(frozen=True)
class Tolerance:
    """A named engine difference on one column of one table: compared at `digits` significant digits, or (None)
    left out of the row fingerprint."""

    table: str
    column: str
    reason: str
    digits: int | None = None


@dataclass
class Verdict:
    """The outcome of comparing one table."""

    table: str
    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def fail(self, line: str) -> None:
        self.ok = False
        self.lines.append(line)

    def note(self, line: str) -> None:
        self.lines.append(line)


# The engine differences this check tolerates (docs/spark.md, "Equivalence with DuckDB"): per table and column.
# The incremental models' input signatures: bookkeeping, not data. Each engine digests a partition's inputs with its
# own 64-bit row hash (DuckDB hash(), Spark xxhash64: macros/incremental/month_signatures.sql), so the digests differ
# by nature while the rows they describe must agree.
_SIGNATURE = ("a digest of the month's inputs by the engine's own row hash (DuckDB hash(), Spark xxhash64), kept for "
              "incremental runs of that engine only")
TOLERATED: tuple[Tolerance, ...] = (
    Tolerance("intermediate.int_analysis__churn_months", "input_signature", _SIGNATURE),
    Tolerance("intermediate.int_analysis__churn_scores", "input_signature", _SIGNATURE),
)

# Columns that record when and in which run the files were landed, left out of every table's fingerprint: each
# engine lands the export files in a landing run of its own (`ccw land --engine duckdb|spark`), so these differ by
# nature, not by engine: the raw tables' `_landed_at` (and the staging tables' `_landed_at` / `_landed_watermark`
# taken from it), the landing manifest's `attempted_at` and `run_id`; likewise the call legs' `_chain_built_at`, the
# wall-clock time of the build that computed the leg's chain. The rows must still agree on everything else.
LANDING_RUN_COLUMNS: frozenset[str] = frozenset(
    {"_landed_at", "_landed_watermark", "attempted_at", "run_id", "_chain_built_at"})

# Tables in the compared schemas that are not the output of a model, left out with the reason.
SKIPPED: dict[str, str] = {
    "intermediate._month_signatures": (
        "build bookkeeping written by the post-hooks of the models merged by row, not a model; DuckDB only: on Spark "
        "those models build in full and record nothing"
    ),
    "intermediate._day_window_watermarks": (
        "build bookkeeping written by the day-window models' hooks, not a model: recorded_at is the build's "
        "wall-clock time, and on Parquet (no DELETE) Spark keeps the rows of earlier builds (forget_day_window "
        "is skipped there; readers take the newest attempt per model)"
    ),
}


def normalise(value: object, digits: int = DIGITS) -> str | None:
    """A value as comparable text (or None): the same on both engines when the values agree to `digits`."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return normalise_number(float(value), digits)
    if isinstance(value, dt.datetime):
        return normalise_timestamp(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return normalise_number(value.total_seconds(), digits)
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return json.dumps({str(k).lower(): normalise(v, digits) for k, v in value.items()}, sort_keys=True)
    if isinstance(value, list | tuple):
        return json.dumps([normalise(v, digits) for v in value])
    return str(value)


def normalise_number(number: float, digits: int = DIGITS) -> str:
    """A float at `digits` significant digits; -0 as 0, NaN and infinities by name.

    Rounded twice, first to NOISE_DIGITS: the engines add doubles in different orders, so a sum or an interpolated
    percentile can differ in its last bit (2713.7450000000003 on DuckDB, 2713.745 on Spark), and the tiny sample's
    durations are whole milliseconds, so such values often sit exactly on a 6-digit rounding boundary (x.xx5)
    and would round apart ("2713.75" vs "2713.74"). The first rounding removes that noise only."""
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    text = f"{float(f'{number:.{NOISE_DIGITS}g}'):.{digits}g}"
    return "0" if text == "-0" else text


def normalise_timestamp(value: dt.datetime) -> str:
    """UTC ISO text; a naive timestamp is UTC already (both engines' session time zone is UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def tolerances_for(table: str, tolerated: Iterable[Tolerance]) -> dict[str, Tolerance]:
    """The tolerances of one table, by column."""
    return {t.column: t for t in tolerated if t.table == table}


def fingerprint(
    frame: Frame, columns: Sequence[str], digits: dict[str, int] | None = None
) -> Counter[tuple[str | None, ...]]:
    """The multiset of normalised rows projected on `columns` (a column in `digits` at its own precision)."""
    digits = digits or {}
    index = [frame.columns.index(c) for c in columns]
    precision = [digits.get(c, DIGITS) for c in columns]
    return Counter(
        tuple(normalise(row[i], p) for i, p in zip(index, precision, strict=True)) for row in frame.rows
    )


def column_values(frame: Frame, column: str, digits: int = DIGITS) -> Counter[str | None]:
    """The multiset of one column's normalised values."""
    i = frame.columns.index(column)
    return Counter(normalise(row[i], digits) for row in frame.rows)


def differing_columns(duck: Frame, spark: Frame, columns: Sequence[str], digits: dict[str, int]) -> list[str]:
    """The columns whose value multisets differ (a row-level difference shows up in at least one of them,
    unless values are only swapped between rows)."""
    return [
        c
        for c in columns
        if column_values(duck, c, digits.get(c, DIGITS)) != column_values(spark, c, digits.get(c, DIGITS))
    ]


def describe_rows(
    columns: Sequence[str],
    only_duck: Counter[tuple[str | None, ...]],
    only_spark: Counter[tuple[str | None, ...]],
    differing: Sequence[str],
    limit: int = SHOW_ROWS,
) -> list[str]:
    """The first differing rows: paired on the columns that agree when that pairs them, else listed per side."""
    key_positions = [i for i, c in enumerate(columns) if c not in differing]
    duck_rows, spark_rows = sorted(only_duck, key=repr), sorted(only_spark, key=repr)
    spark_by_key = {tuple(r[i] for i in key_positions): r for r in spark_rows}
    lines: list[str] = []
    if key_positions and len(spark_by_key) == len(spark_rows):
        for row in duck_rows:
            other = spark_by_key.get(tuple(row[i] for i in key_positions))
            if other is None:
                continue
            key = {columns[i]: row[i] for i in key_positions[:4]}
            diffs = {c: (row[i], other[i]) for i, c in enumerate(columns) if row[i] != other[i]}
            lines.append(f"    {key} ... duckdb vs spark: {diffs}")
            if len(lines) == limit:
                return lines
    if not lines:
        lines += [f"    only duckdb: {dict(zip(columns, r, strict=True))}" for r in duck_rows[:limit]]
        lines += [f"    only spark:  {dict(zip(columns, r, strict=True))}" for r in spark_rows[:limit]]
    return lines


def compare(table: str, duck: Frame, spark: Frame, tolerated: Iterable[Tolerance] = TOLERATED) -> Verdict:
    """Compare one table's two frames: column set, row count, multiset of normalised rows."""
    verdict = Verdict(table)
    tolerance = tolerances_for(table, tolerated)
    only_duck_cols = sorted(set(duck.columns) - set(spark.columns))
    only_spark_cols = sorted(set(spark.columns) - set(duck.columns))
    if only_duck_cols or only_spark_cols:
        verdict.fail(f"  columns differ: only duckdb {only_duck_cols}, only spark {only_spark_cols}")
    if len(duck.rows) != len(spark.rows):
        verdict.fail(f"  row count: duckdb {len(duck.rows):,}, spark {len(spark.rows):,}")
    common = sorted(set(duck.columns) & set(spark.columns))
    digits = {c: t.digits for c, t in tolerance.items() if t.digits is not None}
    compared = [c for c in common if not (c in tolerance and tolerance[c].digits is None)
                and c not in LANDING_RUN_COLUMNS]
    note_tolerances(verdict, duck, spark, tolerance, common)
    if run_columns := sorted(LANDING_RUN_COLUMNS & set(common)):
        verdict.note(f"  left out, the landing run's own: {', '.join(run_columns)}")
    duck_fp, spark_fp = fingerprint(duck, compared, digits), fingerprint(spark, compared, digits)
    if duck_fp != spark_fp:
        only_duck, only_spark = duck_fp - spark_fp, spark_fp - duck_fp
        differing = differing_columns(duck, spark, compared, digits)
        verdict.fail(
            f"  rows differ: {only_duck.total():,} only on duckdb, {only_spark.total():,} only on spark; "
            f"columns whose values differ: {differing or 'none (values swapped between rows)'}"
        )
        verdict.lines += describe_rows(compared, only_duck, only_spark, differing)
    return verdict


def note_tolerances(
    verdict: Verdict, duck: Frame, spark: Frame, tolerance: dict[str, Tolerance], common: Sequence[str]
) -> None:
    """Say, per tolerated column of the table, whether its tolerated difference occurred."""
    for column, t in sorted(tolerance.items()):
        if column not in common:
            verdict.note(f"  tolerance on {column}: column not on both engines")
            continue
        occurred = column_values(duck, column) != column_values(spark, column)
        how = f"at {t.digits} significant digits" if t.digits is not None else "left out of the row fingerprint"
        state = "difference present, tolerated" if occurred else "no difference (tolerance unused)"
        verdict.note(f"  {column}: {how}: {state} ({t.reason})")


def duckdb_tables(con: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> dict[str, tuple[str, str]]:
    """`name -> (schema, table)` of the base tables of `schemas` in the DuckDB build file."""
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_type = 'BASE TABLE' and table_schema in ({placeholders})",
        list(schemas),
    ).fetchall()
    return {f"{s}.{t}".lower(): (s, t) for s, t in rows if not is_bookkeeping(f"{s}.{t}".lower())}


def is_bookkeeping(name: str) -> bool:
    """Landing's own tables (raw._landing_manifest, raw._quarantine, ...): attempt ids, times and paths of each
    engine's landing run, not data; the raw tables of the export entities are compared."""
    return name.startswith("raw._")


def spark_tables(warehouse: Path, schemas: Sequence[str]) -> dict[str, Path]:
    """`name -> folder` of the tables in the Spark warehouse folder (a managed table is <schema>.db/<table>/)."""
    found: dict[str, Path] = {}
    for schema in schemas:
        # the raw tables of landing on Spark are external: a folder per table under `landed/` beside the warehouse
        # (ccw.land.spark.tables), a sub-folder per landed file
        location = warehouse.parent / "landed" if schema == "raw" else warehouse / f"{schema}.db"
        for folder in sorted(location.glob("*")):
            if folder.is_dir() and not is_bookkeeping(f"{schema}.{folder.name}".lower()):
                found[f"{schema}.{folder.name}".lower()] = folder
    return found


def read_duckdb(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> Frame:
    """One table of the DuckDB build file."""
    result = con.execute(f'select * from "{schema}"."{table}"')
    columns = tuple(d[0].lower() for d in result.description)
    return Frame(columns, result.fetchall())


def read_spark(con: duckdb.DuckDBPyConnection, folder: Path) -> Frame:
    """One Spark table, from its Parquet files (an empty table written by Spark still has one file)."""
    files = sorted(str(p) for p in folder.rglob("*.parquet") if p.is_file() and not p.name.startswith((".", "_")))
    if not files:
        raise FileNotFoundError(f"no Parquet file under {folder}")
    result = con.execute("select * from read_parquet(?, hive_partitioning = false)", [files])
    columns = tuple(d[0].lower() for d in result.description)
    return Frame(columns, result.fetchall())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    data_dir = os.environ.get("CCW_DATA_DIR", "data")
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data-dir", default=data_dir, help="the data folder (default: $CCW_DATA_DIR or data)")
    parser.add_argument("--duckdb", help="the DuckDB build file (default: $CCW_BUILD_WAREHOUSE or under data-dir)")
    parser.add_argument("--spark-warehouse", help="the Spark warehouse folder (default: <data-dir>/spark/warehouse)")
    parser.add_argument(
        "--layers", nargs="+", default=["marts"], choices=["marts", "intermediate", "staging", "raw"],
        help="schemas to compare (default: marts)",
    )
    parser.add_argument("--tables", nargs="*", help="only these tables (names without schema)")
    parser.add_argument(
        "--require-all", action="store_true",
        help="fail when a table of the compared schemas was built on one engine only (default: listed, not compared)",
    )
    return parser.parse_args(argv)


def tables_to_compare(on_duck: Iterable[str], on_spark: Iterable[str], only: Sequence[str] | None) -> list[str]:
    """The tables built on both engines (optionally only the named ones), saying what is skipped or one-sided."""
    duck, spark = set(on_duck), set(on_spark)
    for name in sorted((duck | spark) & set(SKIPPED)):
        print(f"{'skipped':<9} {name}: {SKIPPED[name]}")
    for one_sided, engine in ((duck - spark - set(SKIPPED), "duckdb"), (spark - duck - set(SKIPPED), "spark")):
        if one_sided:
            print(f"built on {engine} only (not compared): {', '.join(sorted(one_sided))}")
    names = sorted(duck & spark - set(SKIPPED))
    if only:
        wanted = {t.lower() for t in only}
        names = [n for n in names if n.split(".", 1)[1] in wanted]
    return names


def main(argv: Sequence[str] | None = None) -> int:
    import duckdb

    args = parse_args(argv)
    data_dir = Path(args.data_dir)
    duck_file = args.duckdb or os.environ.get("CCW_BUILD_WAREHOUSE") or str(data_dir / "build" / "warehouse.duckdb")
    warehouse = Path(args.spark_warehouse or data_dir / "spark" / "warehouse")
    started = time.perf_counter()
    verdicts: list[Verdict] = []
    with duckdb.connect(duck_file, read_only=True) as duck_con, duckdb.connect() as parquet_con:
        for con in (duck_con, parquet_con):
            con.execute("set TimeZone = 'UTC'")
        on_duck, on_spark = duckdb_tables(duck_con, args.layers), spark_tables(warehouse, args.layers)
        for name in tables_to_compare(on_duck, on_spark, args.tables):
            duck = read_duckdb(duck_con, *on_duck[name])
            if name.startswith("raw.") and not any(p.is_file() for p in on_spark[name].rglob("*.parquet")):
                # an entity no file has landed for: Spark has the table's folder, no file; DuckDB an empty table
                duck_rows = len(duck.rows)
                verdict = Verdict(name)
                if duck_rows:
                    verdict.fail(f"  {duck_rows} rows on duckdb, none landed on spark")
            else:
                verdict = compare(name, duck, read_spark(parquet_con, on_spark[name]))
            verdicts.append(verdict)
            print(f"{'same' if verdict.ok else 'DIFFERENT':<9} {name}")
            for line in verdict.lines:
                print(line)
    failed = [v.table for v in verdicts if not v.ok]
    if args.require_all:
        failed += sorted((set(on_duck) ^ set(on_spark)) - set(SKIPPED))
    print(
        f"{len(verdicts)} tables compared in {time.perf_counter() - started:.1f} s: "
        f"{sum(v.ok for v in verdicts)} same, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}"
    )
    return 1 if failed or not verdicts else 0


if __name__ == "__main__":
    sys.exit(main())
