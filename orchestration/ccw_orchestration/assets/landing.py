"""Landing: one asset per raw export entity, all materialised by one landing pass."""

import dagster as dg

from ccw.exports import ENTITIES
from ccw_orchestration.resources import WarehouseResource

RAW_SPECS = [
    dg.AssetSpec(
        key=dg.AssetKey(["raw", e.table]),
        description=e.description,
        group_name="land",
        kinds={"duckdb", e.file_format},
        metadata={"source_path": f"<raw root>/{e.system}/{e.name}/<YYYY-MM-DD>.{e.extension}"},
    )
    for e in ENTITIES
]


@dg.multi_asset(specs=RAW_SPECS, name="land_raw_exports", can_subset=False)
def land_raw_exports(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Land every new or changed export file into raw.<system>__<entity>; quarantine unreadable ones."""
    from ccw.land import land_all

    report = land_all(warehouse.raw_root_path(), warehouse.build_warehouse_path())
    context.log.info(report.render())
    for spec in RAW_SPECS:
        table = spec.key.path[-1]
        files = [f for f in report.files if f.entity == table]
        yield dg.MaterializeResult(
            asset_key=spec.key,
            metadata={
                "files_landed": sum(f.outcome in ("landed", "replaced") for f in files),
                "files_quarantined": sum(f.outcome == "quarantined" for f in files),
                "rows_landed": sum(f.rows or 0 for f in files if f.outcome in ("landed", "replaced")),
            },
        )
