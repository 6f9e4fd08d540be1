"""Where things live. Every path can be moved with an environment variable.

| variable          | default                   | what                                        |
|-------------------|---------------------------|---------------------------------------------|
| CCW_DATA_DIR      | data                      | everything the pipeline writes              |
| CCW_RAW_ROOT      | $CCW_DATA_DIR/raw         | the raw exports (<system>/<entity>/<day>.*) |
| CCW_WAREHOUSE     | $CCW_DATA_DIR/warehouse.duckdb | the serving file BI tools read (marts) |
| CCW_BUILD_WAREHOUSE | $CCW_DATA_DIR/build/warehouse.duckdb | the private build database (raw .. marts) |
| CCW_PII_SALT      | (a dev default)           | salt for hashing names, phones, emails      |
| CCW_MEMORY_LIMIT  | 10GB                      | DuckDB memory limit for builds (see README) |
| CCW_LOADER_SOURCES | (none)                   | loader-written DuckDB schemas to import (ccw.land.loaders) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    path = Path(value) if value else default
    return path if path.is_absolute() else (PROJECT_ROOT / path)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    raw_root: Path
    warehouse: Path
    build_warehouse: Path
    memory_limit: str

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"


def settings() -> Settings:
    data_dir = _path("CCW_DATA_DIR", PROJECT_ROOT / "data")
    return Settings(
        data_dir=data_dir,
        raw_root=_path("CCW_RAW_ROOT", data_dir / "raw"),
        warehouse=_path("CCW_WAREHOUSE", data_dir / "warehouse.duckdb"),
        build_warehouse=_path("CCW_BUILD_WAREHOUSE", data_dir / "build" / "warehouse.duckdb"),
        memory_limit=os.environ.get("CCW_MEMORY_LIMIT", "10GB"),
    )
