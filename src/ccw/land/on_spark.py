"""Landing on Spark, the entry point: ``land_all_on_spark(raw_root, quarantine_dir=None, history=False,
today=None, spark=None)``, the ``land_all`` of the Spark catalogue (``ccw land --engine spark``).

Its parts (readers, raw and bookkeeping tables, the per-file folders that let a re-sent file replace its rows) are
the package ``ccw.land.spark``; its docstring gives the design. Importing this module needs pyspark (the extra
``spark``).
"""

from ccw.land.spark import land_all_on_spark

__all__ = ["land_all_on_spark"]
