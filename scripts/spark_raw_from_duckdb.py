"""Copy the raw tables of a landed DuckDB build file into the Spark catalogue of the `spark` dbt target.

A stop-gap for trying the dbt project on Spark (issue 20, item 1): landing for Spark (item 2) does not exist yet, so
the raw tables `ccw land` wrote into DuckDB are written out as Parquet (one file per table, DuckDB's COPY) and
registered as external Parquet tables `raw.<table>` in the metastore the `spark` target uses. The Spark session is
started with the `server_side_parameters` of profiles.yml's `spark` output (rendered with the same environment
variables), so the warehouse directory and the Derby metastore are the ones `dbt --target spark` opens.

    CCW_DATA_DIR=/tmp/spk/data ccw generate --preset tiny && CCW_DATA_DIR=/tmp/spk/data ccw land
    CCW_DATA_DIR=/tmp/spk/data nice -n 19 python scripts/spark_raw_from_duckdb.py
    CCW_DATA_DIR=/tmp/spk/data nice -n 19 dbt build --target spark ...

Run it from the project directory (profiles.yml's default paths are relative to it, as for DuckDB).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import duckdb


def main() -> None:
    data_dir = os.environ.get("CCW_DATA_DIR", "data")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duckdb",
        default=os.environ.get("CCW_BUILD_WAREHOUSE", f"{data_dir}/build/warehouse.duckdb"),
        help="the landed DuckDB build file (default: $CCW_BUILD_WAREHOUSE)",
    )
    parser.add_argument(
        "--parquet-dir",
        default=f"{data_dir}/spark/raw_parquet",
        help="where the Parquet copies are written (default: $CCW_DATA_DIR/spark/raw_parquet)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    parquet_dir = Path(args.parquet_dir).resolve()
    parquet_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(args.duckdb, read_only=True) as con:
        tables = [
            row[0]
            for row in con.sql(
                "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
            ).fetchall()
        ]
        for table in tables:
            # one folder per table: Spark skips files whose names start with "_" (raw._landing_manifest...)
            target = parquet_dir / table / "part-0.parquet"
            target.parent.mkdir(exist_ok=True)
            target.unlink(missing_ok=True)
            con.execute(f"copy raw.\"{table}\" to '{target}' (format parquet)")
    exported = time.perf_counter()

    from ccw.spark import spark_session

    spark = spark_session()
    spark.sql("create database if not exists raw")
    for table in tables:
        spark.sql(f"drop table if exists raw.`{table}`")
        spark.sql(f"create table raw.`{table}` using parquet location '{parquet_dir / table}'")
        rows = spark.table(f"raw.`{table}`").count()
        print(f"  raw.{table:<36} {rows:>8,} rows")
    spark.stop()
    print(
        f"{len(tables)} raw tables: Parquet export {exported - started:.1f} s, "
        f"Spark tables {time.perf_counter() - exported:.1f} s"
    )


if __name__ == "__main__":
    main()
