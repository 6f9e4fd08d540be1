"""Resources injected into assets: where the raw exports, the build database and the serving file live."""

from pathlib import Path

import dagster as dg

from ccw.config import settings


class WarehouseResource(dg.ConfigurableResource):
    """Paths of the raw exports and of the DuckDB files (defaults from ccw.config / env vars)."""

    data_dir: str = ""
    raw_root: str = ""
    warehouse: str = ""
    build_warehouse: str = ""

    def data_dir_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else settings().data_dir

    def raw_root_path(self) -> Path:
        return Path(self.raw_root) if self.raw_root else settings().raw_root

    def warehouse_path(self) -> Path:
        """The serving file BI tools read (published marts)."""
        return Path(self.warehouse) if self.warehouse else settings().warehouse

    def build_warehouse_path(self) -> Path:
        """The private build database: raw tables and every dbt layer."""
        return Path(self.build_warehouse) if self.build_warehouse else settings().build_warehouse
