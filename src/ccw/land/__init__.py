"""Landing: raw export files -> ``raw."<system>__<entity>"`` tables of the DuckDB warehouse.

    report = land_all(raw_root, warehouse)   # every new or changed file, one transaction each
    print(report.render())

Modules: ``paths`` (find files, read their names), ``fingerprint`` (sha256, size, mtime),
``tables`` (DDL of raw tables, manifest, quarantine, per-file view), ``connection`` (the one
writer), ``transcode`` (GB18030 -> UTF-8), ``columns`` (field checks), ``readers`` (the DuckDB
SELECT per format), ``load`` (one file, one transaction), ``quarantine``, ``manifest``,
``report``, ``runner`` (``land_all``).
"""

from ccw.land.errors import Unreadable, WarehouseLockedError
from ccw.land.report import FileResult, LandingReport
from ccw.land.runner import land_all
from ccw.land.tables import ensure_raw_tables

__all__ = ["FileResult", "LandingReport", "Unreadable", "WarehouseLockedError", "ensure_raw_tables", "land_all"]
