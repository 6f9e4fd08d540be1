"""Publishing the marts to the serving file (blue/green) and to Parquet, from the shared run's build database.

Every publish here writes to this module's own temporary folder; the shared run's serving file is only read.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import venv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ccw.publish import OLDEST_DUCKDB, STORAGE_VERSION, PublishResult, publish
from ccw.publish.parquet import read_manifest, sha256_file
from conftest import ROOT, PipelineRun

BUILD = "build"  # the alias of the build database in the comparison connection
SERVED = "served"


@dataclass(frozen=True)
class Published:
    build: Path
    serving: Path
    parquet: Path
    result: PublishResult


@pytest.fixture(scope="module")
def published(built_sample: PipelineRun, tmp_path_factory: pytest.TempPathFactory) -> Published:
    out = tmp_path_factory.mktemp("publish")
    serving, parquet = out / "warehouse.duckdb", out / "parquet"
    result = publish(built_sample.build_warehouse, serving, parquet)
    print(f"\npublish of the shared build: {result.render()}")
    return Published(built_sample.build_warehouse, serving, parquet, result)


def _build_marts(build: Path) -> dict[str, str]:
    with duckdb.connect(str(build), read_only=True) as con:
        rows = con.execute(
            "select table_name, table_type from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    return dict(rows)


def _compare(build: Path, serving: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"attach '{build}' as {BUILD} (read_only)")
    con.execute(f"attach '{serving}' as {SERVED} (read_only)")
    return con


def _difference(con: duckdb.DuckDBPyConnection, left: str, right: str) -> tuple[int, int]:
    """Rows of ``left`` missing from ``right`` and the other way round (multisets: duplicates count)."""
    one = con.execute(f"select count(*) from (select * from {left} except all select * from {right})").fetchone()[0]
    two = con.execute(f"select count(*) from (select * from {right} except all select * from {left})").fetchone()[0]
    return one, two


def _publish_table(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select version_id, table_schema, table_name, row_count from _publish order by table_name"
        ).fetchall()


# ------------------------------------------------------------------------------------------------ content
def test_every_mart_is_published_with_equal_content(published: Published) -> None:
    marts = _build_marts(published.build)
    assert len(marts) >= 25, marts  # dims, facts, kpi_, analysis, forecast, staffing, alerts, data quality
    con = _compare(published.build, published.serving)
    try:
        schemas = {r[0] for r in con.execute(
            f"select schema_name from information_schema.schemata where catalog_name = '{SERVED}'"
        ).fetchall()}
        served = dict(con.execute(
            f"select table_name, table_type from information_schema.tables "
            f"where table_catalog = '{SERVED}' and table_schema = 'marts'"
        ).fetchall())
        differences = {name: _difference(con, f"{BUILD}.marts.{name}", f"{SERVED}.marts.{name}") for name in marts}
        counts = {name: con.execute(f"select count(*) from {BUILD}.marts.{name}").fetchone()[0] for name in marts}
        columns = {
            catalog: con.execute(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_catalog = ? and table_schema = 'marts' order by table_name, ordinal_position",
                [catalog],
            ).fetchall()
            for catalog in (BUILD, SERVED)
        }
        storage = con.execute(f"select tags['storage_version'] from duckdb_databases() where database_name = "
                              f"'{SERVED}'").fetchone()[0]
    finally:
        con.close()
    assert schemas == {"main", "marts"}  # nothing of raw, staging, intermediate, quality, snapshots
    assert sorted(served) == sorted(marts) and set(served.values()) == {"BASE TABLE"}
    assert {n: d for n, d in differences.items() if d != (0, 0)} == {}
    assert columns[BUILD] == columns[SERVED]
    assert storage.startswith(STORAGE_VERSION)

    meta = _publish_table(published.serving)
    assert {version for version, *_ in meta} == {published.result.version_id}
    assert {name: rows for _, schema, name, rows in meta if schema == "marts"} == counts
    assert published.result.tables == len(marts) and published.result.rows == sum(counts.values())
    assert counts["fct_contacts"] > 0 and counts["kpi_service_daily"] > 0  # a built warehouse, not an empty one


def test_shared_run_published_its_marts(built_sample: PipelineRun) -> None:
    """`ccw run` ends by publishing: the shared run's serving file holds one complete version of every mart."""
    assert built_sample.warehouse.is_file()
    meta = _publish_table(built_sample.warehouse)
    assert {name for _, _, name, _ in meta} == set(_build_marts(built_sample.build_warehouse))
    assert len({version for version, *_ in meta}) == 1
    with duckdb.connect(str(built_sample.warehouse), read_only=True) as con:
        actual = {name: con.execute(f"select count(*) from marts.{name}").fetchone()[0] for _, _, name, _ in meta}
    assert actual == {name: rows for _, _, name, rows in meta}


def test_parquet_reads_back_equal_to_the_marts(published: Published) -> None:
    manifest = read_manifest(published.parquet)
    marts = _build_marts(published.build)
    assert published.parquet.is_symlink() and published.parquet.resolve().name.endswith(published.result.version_id)
    assert manifest["version_id"] == published.result.version_id
    assert manifest["published_at"] == published.result.published_at
    assert sorted(t["table"] for t in manifest["tables"]) == sorted(marts)
    assert sorted(p.name for p in published.parquet.iterdir()) == sorted(
        [t["file"] for t in manifest["tables"]] + ["manifest.json"]
    )
    con = _compare(published.build, published.serving)
    try:
        for entry in manifest["tables"]:
            path = published.parquet / entry["file"]
            name = entry["table"]
            parquet = f"read_parquet('{path}')"
            assert entry["sha256"] == sha256_file(path) and entry["bytes"] == path.stat().st_size
            assert con.execute(f"select count(*) from {parquet}").fetchone()[0] == entry["rows"]
            assert entry["rows"] == con.execute(f"select count(*) from {BUILD}.marts.{name}").fetchone()[0]
            assert _difference(con, f"{BUILD}.marts.{name}", parquet) == (0, 0), name
            described = con.execute(f"describe select * from {parquet}").fetchall()
            assert [c["name"] for c in entry["columns"]] == [r[0] for r in described], name
    finally:
        con.close()


# ------------------------------------------------------------------------------------ oldest DuckDB client
OLD_READER = textwrap.dedent(
    """
    import json, sys
    import duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    published = dict(con.execute("select table_name, row_count from _publish").fetchall())
    actual = {t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in published}
    rows = {t: len(con.execute(f'select * from marts."{t}"').fetchall()) for t in published}
    print(json.dumps({"version": duckdb.__version__, "published": published, "actual": actual, "rows": rows}))
    """
)

NETWORK_ERRORS = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
                  "Max retries exceeded", "ConnectTimeout", "ReadTimeout", "Could not fetch URL")


@pytest.fixture(scope="session")
def old_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway virtual environment with the oldest DuckDB the serving file claims to support."""
    env = tmp_path_factory.mktemp("duckdb_old") / f"duckdb-{OLDEST_DUCKDB}"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"duckdb=={OLDEST_DUCKDB}"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if any(marker in output for marker in NETWORK_ERRORS):
            print(f"\nSKIP reason: PyPI unreachable, cannot install duckdb=={OLDEST_DUCKDB}:\n{output[-1500:]}")
            pytest.skip(f"PyPI unreachable: cannot install duckdb=={OLDEST_DUCKDB} into a throwaway venv")
        pytest.fail(f"pip install duckdb=={OLDEST_DUCKDB} failed:\n{output[-3000:]}")
    return python


def test_serving_file_opens_with_the_oldest_supported_duckdb(published: Published, old_duckdb: Path) -> None:
    done = subprocess.run([str(old_duckdb), "-c", OLD_READER, str(published.serving)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["version"] == OLDEST_DUCKDB
    with duckdb.connect(str(published.build), read_only=True) as con:
        expected = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in seen["published"]}
    assert sorted(seen["published"]) == sorted(_build_marts(published.build))
    assert seen["published"] == seen["actual"] == seen["rows"] == expected


# ------------------------------------------------------------------------------- readers during publishes
READER = textwrap.dedent(
    """
    import json, sys, time
    import duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    stop, queries, errors, versions, incomplete = time.time() + seconds, 0, [], {}, []
    while time.time() < stop:
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                meta = con.execute("select version_id, table_name, row_count from _publish").fetchall()
                version = {v for v, _, _ in meta}
                for _, table, rows in meta:
                    actual = con.execute(f'select count(*) from marts."{table}"').fetchone()[0]
                    if actual != rows:
                        incomplete.append([sorted(version), table, rows, actual])
                con.execute("select channel, sum(offered) from marts.kpi_service_daily group by 1").fetchall()
                queries += 1
                for v in version:
                    versions[v] = versions.get(v, 0) + 1
                if len(version) != 1 or not meta:
                    incomplete.append([sorted(version), len(meta)])
            finally:
                con.close()
        except Exception as exc:  # every failure is a finding: report it
            errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"queries": queries, "errors": errors[:20], "error_count": len(errors),
                      "versions": versions, "incomplete": incomplete[:20]}))
    """
)


def test_readers_see_only_complete_versions_while_publishing(published: Published, tmp_path: Path) -> None:
    serving, parquet = tmp_path / "warehouse.duckdb", tmp_path / "parquet"
    versions = [publish(published.build, serving, parquet).version_id]
    seconds = max(15.0, 3.5 * published.result.seconds)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(serving), str(seconds)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        while reader.poll() is None and len(versions) < 4:
            versions.append(publish(published.build, serving, parquet).version_id)
        out, err = reader.communicate(timeout=seconds + 120)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err[-3000:]
    seen = json.loads(out.strip().splitlines()[-1])
    print(f"\nreader: {seen['queries']} checked reads, versions seen {seen['versions']}; published {len(versions)}")
    assert seen["error_count"] == 0, seen["errors"]
    assert seen["incomplete"] == []
    assert set(seen["versions"]) <= set(versions)
    assert len(seen["versions"]) >= 2, "the reader never saw a swap: the test proved nothing"
    assert seen["queries"] >= 20
    assert read_manifest(parquet)["version_id"] == versions[-1]


# ----------------------------------------------------------------------------------- kill -9 mid-publish
PUBLISHER = "import sys; from pathlib import Path; from ccw.publish import publish; " \
            "print(publish(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])).version_id, flush=True)"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".publishing" in p.name or ".staging-" in p.name
                  or ".link-" in p.name)


def test_kill_9_leaves_the_serving_file_intact_and_a_rerun_recovers(published: Published, tmp_path: Path) -> None:
    serving, parquet = tmp_path / "warehouse.duckdb", tmp_path / "parquet"
    first = publish(published.build, serving, parquet)
    total = first.seconds
    points = sorted({0.2, round(0.3 * total, 2), round(0.6 * total, 2), round(0.9 * total, 2), 1.0, 3.0})
    points = [p for p in points if p < total * 0.98] or [0.2]
    outcomes = []
    for delay in points:
        before = hashlib.sha256(serving.read_bytes()).hexdigest()
        version_before = _publish_table(serving)[0][0]
        child = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(published.build), str(serving), str(parquet)],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL, f"the publish ended by itself before {delay} s"
        after = hashlib.sha256(serving.read_bytes()).hexdigest()
        meta = _publish_table(serving)
        version_after = meta[0][0]
        with duckdb.connect(str(serving), read_only=True) as con:
            actual = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for _, _, t, _ in meta}
        assert actual == {t: rows for _, _, t, rows in meta}  # whatever is served is one complete version
        if version_after == version_before:
            assert after == before, f"killed at {delay} s: the serving file changed without a new version"
        outcomes.append((delay, version_after != version_before, _leftovers(tmp_path)))
    print("\nkill -9 points (seconds, swapped, leftovers):", outcomes)
    assert any(left and not swapped for _, swapped, left in outcomes), "no kill landed mid-publish"

    left_before = len(_leftovers(tmp_path))
    rerun = publish(published.build, serving, parquet)
    assert rerun.leftovers_removed == left_before > 0
    assert _leftovers(tmp_path) == []
    assert _publish_table(serving)[0][0] == rerun.version_id == read_manifest(parquet)["version_id"]
    assert len(list(tmp_path.glob(".parquet.v-*"))) <= 2  # the current version and the previous one


# ------------------------------------------------------------------------------ small hand-made builds
def _small_build(folder: Path, *, broken_view: bool = False) -> Path:
    """A build database as dbt leaves it: raw and staging schemas, a mart table and a mart view that refers to
    its relations through the file's catalog name ("warehouse"), as dbt-duckdb writes them."""
    build = folder / "build" / "warehouse.duckdb"
    build.parent.mkdir(parents=True)
    with duckdb.connect(str(build)) as con:
        con.execute("create schema raw; create schema staging; create schema marts")
        con.execute("create table raw.calls as select range as id, range % 3 as queue from range(50)")
        con.execute("create view staging.stg_calls as select * from warehouse.raw.calls")
        con.execute("create table marts.fct_calls as select * from warehouse.staging.stg_calls")
        con.execute("create view marts.kpi_queue as select queue, count(*) as calls "
                    "from warehouse.marts.fct_calls group by queue")
        if broken_view:
            con.execute("create view marts.zz_broken as select 1 / 0 as x, error('fails when read') as y")
    return build


def test_views_are_published_as_tables(tmp_path: Path) -> None:
    build = _small_build(tmp_path)
    result = publish(build, tmp_path / "warehouse.duckdb")
    assert (result.tables, result.views_materialised, result.rows) == (2, 1, 53)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        kinds = con.execute("select table_schema, table_name, table_type from information_schema.tables "
                            "order by all").fetchall()
        calls = con.execute("select queue, calls from marts.kpi_queue order by queue").fetchall()
    assert kinds == [("main", "_publish", "BASE TABLE"), ("marts", "fct_calls", "BASE TABLE"),
                     ("marts", "kpi_queue", "BASE TABLE")]
    assert calls == [(0, 17), (1, 17), (2, 16)]
    assert (tmp_path / "parquet" / "kpi_queue.parquet").is_file()


def test_a_failing_publish_changes_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    good = publish(_small_build(tmp_path / "good"), tmp_path / "warehouse.duckdb")
    before = hashlib.sha256((tmp_path / "warehouse.duckdb").read_bytes()).hexdigest()
    with pytest.raises(duckdb.Error, match="fails when read"):
        publish(_small_build(tmp_path / "bad", broken_view=True), tmp_path / "warehouse.duckdb")
    assert hashlib.sha256((tmp_path / "warehouse.duckdb").read_bytes()).hexdigest() == before
    assert _publish_table(tmp_path / "warehouse.duckdb")[0][0] == good.version_id
    assert read_manifest(tmp_path / "parquet")["version_id"] == good.version_id
    assert _leftovers(tmp_path) == []


def test_nothing_to_publish_keeps_the_serving_file(tmp_path: Path) -> None:
    from ccw.publish import NothingToPublish

    publish(_small_build(tmp_path / "good"), tmp_path / "warehouse.duckdb")
    before = (tmp_path / "warehouse.duckdb").read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(NothingToPublish):
        publish(empty, tmp_path / "warehouse.duckdb")
    assert (tmp_path / "warehouse.duckdb").read_bytes() == before
