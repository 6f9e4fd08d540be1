"""Landing on Apache Spark (issue 20, item 2): the same export files into raw tables of the Spark catalogue.

    report = land_all_on_spark(raw_root)          # or: ccw land --engine spark  (CCW_ENGINE=spark)
    print(report.render())

Design. The rules are the DuckDB landing's, shared and not copied: ``ccw.land.paths`` judges paths,
``ccw.land.fingerprint`` identifies bytes, ``ccw.land.runner`` decides per file (unchanged by checksum,
still quarantined, re-sent and replaced, history or daily, first file of an entity), ``ccw.land.columns`` judges
fields (a missing required field quarantines; a missing optional one lands null with a warning; unknown ones go to
``_extra``), ``ccw.land.quarantine`` copies bad files aside. What is Spark's own:

- ``read``: Spark's readers (``spark.read.json`` with an explicit schema from the registry, ``spark.read.csv``
  with the header as strings and the entity's encoding, GB18030 included, ``spark.read.parquet`` cast to the
  registry); gzip files are decompressed to a work folder first (Spark picks a codec by the file name only);
- ``write``: the files of one entity read as one cached DataFrame, malformed records counted per file
  (corrupt-record column: Spark's default PERMISSIVE mode would land nulls), good files written together;
- **replacement**: each file's rows are a folder of their own under the raw table's location, written with
  dynamic partition overwrite, so a re-sent file replaces exactly its own rows (plain Parquet has no DELETE; a
  partitioned table would move the partition column to the end of the table's columns);
- ``tables``: raw tables with the DuckDB raw tables' names, columns and order; bookkeeping tables with the DuckDB
  ones' columns (read off DuckDB's own definitions) and the ``raw._landing_files`` view;
- ``store``: the manifest, quarantine and refusal rows of a run appended in batches (a statement costs tenths of
  a second on Spark); quarantine records of files no longer under the raw root retired by rewriting the tables.
"""

from ccw.land.spark.runner import land_all_on_spark

__all__ = ["land_all_on_spark"]
