"""Publish the marts to the serving file BI tools read (blue/green) and to Parquet with a manifest.

    from ccw.publish import publish
    result = publish(build_warehouse, serving)          # after every blocking check passed
    result.version_id, result.tables, result.rows, result.render()

See ``core`` for the steps and why readers never see a half-built state.
"""

from ccw.publish.core import NothingToPublish, PublishResult, publish
from ccw.publish.serving import OLDEST_DUCKDB, STORAGE_VERSION

__all__ = ["OLDEST_DUCKDB", "STORAGE_VERSION", "NothingToPublish", "PublishResult", "publish"]
