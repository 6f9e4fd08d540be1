"""All Dagster definitions, assembled in one place."""

from __future__ import annotations

import dagster as dg

from ccw_orchestration.assets.landing import land_raw_exports
from ccw_orchestration.resources import WarehouseResource

defs = dg.Definitions(
    assets=[land_raw_exports],
    resources={"warehouse": WarehouseResource()},
)
