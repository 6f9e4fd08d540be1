"""Build the project's dbt Python models on Spark, the way dbt-duckdb builds them on DuckDB (issue 20, item 3).

dbt-spark runs Python models only on Databricks. On any other Spark, this script builds them between two dbt runs:

    dbt run --target spark --exclude <python models>+      # everything that does not need a Python model
    python scripts/spark_python_models.py                  # the Python models, in dependency order
    dbt run --target spark --select <python models>+ --exclude <python models>     # what reads them

The work is ``ccw.pymodels_on_spark`` (shared with the Dagster dbt asset on Spark): for each Python model of the Spark
build's manifest (``$DBT_TARGET_PATH/manifest.json``), in dependency order, its inputs are read from the Spark
catalogue as Arrow into an in-memory DuckDB, its ``model(dbt, session)`` runs there through ``ccw.pymodel_host`` and
the result is written back as the node's table. ``--list`` prints the Python models' names (for the dbt selections
above). Run it when no dbt process holds the Spark metastore (Derby: one process at a time).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from ccw.pymodels_on_spark import build_models, python_models

PROJECT_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", type=Path,
                        default=Path(os.environ.get("DBT_TARGET_PATH", PROJECT_DIR / "target")) / "manifest.json",
                        help="the Spark build's manifest (default: $DBT_TARGET_PATH/manifest.json)")
    parser.add_argument("--list", action="store_true", help="print the Python models' names and stop")
    args = parser.parse_args()
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    if args.list:
        print(" ".join(node["name"] for node in python_models(manifest)))
        return
    build_models(manifest, log=lambda text: print(text, flush=True))


if __name__ == "__main__":
    main()
