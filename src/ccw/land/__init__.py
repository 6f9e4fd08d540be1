"""Landing: raw export files -> ``raw."<system>__<entity>"`` tables of the DuckDB warehouse.

    report = land_all(raw_root, warehouse)   # every new or changed file, one transaction each
    print(report.render())

The path is judged first: a wrong name or place, a symbolic link, a hidden or special file is refused (listed in
``raw._refused_paths``, never landed, links never followed), and the quarantine records of files no longer under
the raw root are retired, so the state follows the files.

Modules: ``paths`` (find files, judge their paths), ``fingerprint`` (sha256, size, mtime),
``tables`` (DDL of raw tables, manifest, quarantine, per-file view), ``connection`` (the one
writer), ``transcode`` (GB18030 -> UTF-8), ``columns`` (field checks), ``readers`` (the DuckDB
SELECT per format), ``load`` (one file, one transaction), ``quarantine``, ``manifest``,
``report``, ``runner`` (``land_all``).
"""

from ccw.land.errors import Unreadable, WarehouseLockedError
from ccw.land.outcomes import FileResult, LandingReport
from ccw.land.runner import land_all
from ccw.land.tables import ensure_raw_tables

__all__ = ["FileResult", "LandingReport", "Unreadable", "WarehouseLockedError", "ensure_raw_tables", "land_all"]
