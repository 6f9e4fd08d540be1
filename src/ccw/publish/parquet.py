"""The marts as Parquet files, one per mart, with ``manifest.json``, swapped in as a whole folder.

``parquet_dir`` (default ``<serving parent>/parquet``) is a symbolic link to a hidden versioned folder
``.parquet.v-<version id>``. A publish writes a staging folder, fsyncs it, renames it to its versioned name and
then replaces the link atomically, so a reader listing ``parquet/`` sees one complete version. The previous
version is kept (a reader may still be reading its files); older ones are deleted. A mart a publish kept unchanged
(ccw.publish.changes) gets the previous version's file as a hard link, not a new file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ccw.publish.changes import table_columns
from ccw.publish.files import (
    PARQUET_LINK_TEMP,
    PARQUET_VERSION,
    fsync_path,
    fsync_tree,
    parquet_staging_dir,
    parquet_version_dir,
)
from ccw.sqltext import literal

MANIFEST = "manifest.json"
KEEP_VERSIONS = 2


@dataclass(frozen=True)
class ParquetExport:
    folder: Path
    files: int
    bytes: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[dict[str, str]]:
    return [{"name": name, "type": data_type} for name, data_type in table_columns(con, catalog, schema, table)]


def reusable_files(parquet_dir: Path, serving_version: str | None, unchanged: set[str]) -> dict[str, dict]:
    """The manifest entries, with their file's path (``path``), of the current Parquet version's files of the marts
    in ``unchanged`` (kept as they were by a publish that started from the serving file of ``serving_version``): a
    file is reusable when the link points at that version (so it was written from those very tables) and the file
    has the size its manifest says."""
    folder = _current_target(parquet_dir)
    if serving_version is None or folder is None or current_version(parquet_dir) != serving_version:
        return {}
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError):
        return {}
    if manifest.get("version_id") != serving_version:
        return {}
    reusable = {}
    for entry in manifest.get("tables", []):
        path = folder / entry["file"]
        if entry["table"] in unchanged and path.is_file() and path.stat().st_size == entry["bytes"]:
            reusable[entry["table"]] = {**entry, "path": path}
    return reusable


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to ``source`` (the previous version's file, never written again), a copy where links fail."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def export_parquet(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    schema: str,
    row_counts: dict[str, int],
    parquet_dir: Path,
    version_id: str,
    published_at: str,
    reuse: dict[str, dict] | None = None,
) -> Path:
    """Write every table of ``catalog.schema`` named in ``row_counts`` to a staging folder with its manifest
    (written last); returns the staging folder, fsynced. A table in ``reuse`` (:func:`reusable_files`) gets the
    previous version's file, linked, instead of a new one."""
    staging = parquet_staging_dir(parquet_dir, version_id)
    staging.mkdir(parents=True)
    reuse = reuse or {}
    tables = []
    for table, rows in row_counts.items():
        target = staging / f"{table}.parquet"
        previous = reuse.get(table)
        if previous is not None:
            _link_or_copy(previous["path"], target)
        else:
            con.execute(
                f'copy (select * from "{catalog}"."{schema}"."{table}") to {literal(target)} '
                "(format parquet, compression zstd)"
            )
        tables.append({
            "table": table,
            "file": target.name,
            # the same file by its versioned folder, relative to the link's parent: a reader that takes the paths
            # from the manifest reads one version even when a publish swaps the link meanwhile
            "versioned_path": f"{parquet_version_dir(parquet_dir, version_id).name}/{target.name}",
            "rows": rows,
            "bytes": target.stat().st_size,
            "sha256": previous["sha256"] if previous is not None else sha256_file(target),
            "columns": _columns(con, catalog, schema, table),
        })
    manifest = {"version_id": version_id, "published_at": published_at, "format": "parquet",
                "version_folder": parquet_version_dir(parquet_dir, version_id).name, "tables": tables}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    fsync_tree(staging)
    return staging


def _current_target(parquet_dir: Path) -> Path | None:
    if parquet_dir.is_symlink():
        return parquet_dir.parent / os.readlink(parquet_dir)
    return None


def promote(staging: Path, parquet_dir: Path, version_id: str) -> Path:
    """Rename the fsynced staging folder to its versioned name (before the serving file is replaced: a kill after
    the serving rename then finds this version's folder and :func:`realign` points the link at it)."""
    version_dir = parquet_version_dir(parquet_dir, version_id)
    os.replace(staging, version_dir)
    fsync_path(version_dir.parent)
    return version_dir


def swap_in(version_dir: Path, parquet_dir: Path, version_id: str) -> ParquetExport:
    """Point ``parquet_dir`` at the promoted ``version_dir`` atomically; prune old versions."""
    if parquet_dir.exists() and not parquet_dir.is_symlink():
        # a plain folder from before versioned publishing: move it aside once (the only non-atomic moment)
        os.replace(parquet_dir, parquet_version_dir(parquet_dir, f"legacy-{version_id}"))
    link_temp = parquet_dir.with_name(f".{parquet_dir.name}.{PARQUET_LINK_TEMP}{version_id}")
    os.symlink(version_dir.name, link_temp)
    os.replace(link_temp, parquet_dir)
    fsync_path(parquet_dir.parent)
    _prune(parquet_dir)
    files = [p for p in version_dir.iterdir() if p.is_file()]
    return ParquetExport(version_dir, len(files), sum(p.stat().st_size for p in files))


def _prune(parquet_dir: Path) -> None:
    """Keep the current version and the one before it (by modification time); delete the rest."""
    current = _current_target(parquet_dir)
    versions = sorted(
        parquet_dir.parent.glob(f".{parquet_dir.name}.{PARQUET_VERSION}*"), key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    keep = {current.resolve()} if current else set()
    keep |= {p.resolve() for p in versions[:KEEP_VERSIONS]}
    for path in versions:
        if path.resolve() not in keep:
            shutil.rmtree(path, ignore_errors=True)


def current_version(parquet_dir: Path) -> str | None:
    """The version id the Parquet link points at (None: no link yet)."""
    target = _current_target(parquet_dir)
    prefix = f".{parquet_dir.name}.{PARQUET_VERSION}"
    return target.name[len(prefix):] if target is not None and target.name.startswith(prefix) else None


def realign(parquet_dir: Path, serving_version: str | None) -> bool:
    """After a kill between the serving rename and the link swap, point the link at the serving file's version
    (its folder was promoted before the rename). True when the link moved. Call under the publish lock."""
    if serving_version is None or current_version(parquet_dir) == serving_version:
        return False
    version_dir = parquet_version_dir(parquet_dir, serving_version)
    if not (version_dir / MANIFEST).is_file():
        return False
    swap_in(version_dir, parquet_dir, serving_version)
    return True


def read_manifest(parquet_dir: Path) -> dict:
    return json.loads((parquet_dir / MANIFEST).read_text(encoding="utf-8"))
