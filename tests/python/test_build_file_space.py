"""The build profile's DuckDB settings keep the build file bounded across rebuilds.

A table rebuilt the way dbt-duckdb's table materialization rebuilds it (create the new table under a temporary name,
rename the old one to a backup, rename the new one, drop the backup, commit) frees the old table's blocks, but
DuckDB reuses freed blocks only after a checkpoint, and a bulk write hardly grows the WAL: with DuckDB's default
checkpoint threshold the file grew by a whole generation per rebuild (31.5 GB -> 52.7 GB at the scale preset).
profiles.yml's checkpoint_threshold makes each commit checkpoint.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

PROFILE = Path(__file__).resolve().parents[2] / "profiles.yml"
REBUILDS = 4


def _profile_threshold() -> str:
    profile = yaml.safe_load(PROFILE.read_text())
    return profile["contact_center"]["outputs"]["dev"]["settings"]["checkpoint_threshold"]


def _file_bytes_after_rebuilds(path: Path, config: dict[str, str]) -> list[int]:
    con = duckdb.connect(str(path), config=config)
    sizes = []
    for generation in range(REBUILDS):
        con.execute("begin")
        con.execute(
            "create table facts__dbt_tmp as select md5(cast(i * ? as varchar)) as fact_id, i as amount "
            "from range(600000) as r(i)",
            [generation + 1],
        )
        if generation:
            con.execute("alter table facts rename to facts__dbt_backup")
        con.execute("alter table facts__dbt_tmp rename to facts")
        con.execute("drop table if exists facts__dbt_backup")
        con.execute("commit")
        sizes.append(path.stat().st_size)
    con.close()
    return sizes


def test_rebuilds_reuse_the_space_of_the_table_they_replace(tmp_path: Path) -> None:
    threshold = _profile_threshold()
    with_profile = _file_bytes_after_rebuilds(tmp_path / "profile.duckdb", {"checkpoint_threshold": threshold})
    with_default = _file_bytes_after_rebuilds(tmp_path / "default.duckdb", {})
    one_generation = with_profile[0]
    # with the profile: after the first rebuild the file holds at most the live table and the one being replaced
    assert max(with_profile) <= 2.2 * one_generation, (threshold, with_profile)
    # the control: DuckDB's default threshold keeps every generation until the connection closes, so the
    # setting (not the engine's default) is what bounds the file
    assert with_default[-1] >= (REBUILDS - 0.5) * with_default[0], with_default
