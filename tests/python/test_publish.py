"""Publishing the marts to the serving file (blue/green) and to Parquet, from the shared run's build database, with
the semantic layer's saved-query exports (metrics.<saved query>) and the semantic manifest of the version.

Every publish here writes to this module's own temporary folder; the shared run's serving file is only read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
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


def _fingerprint(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int]:
    """(rows, sum of the rows' hashes): equal for two relations holding the same multiset of rows, whatever their
    order; a changed value in any column changes the row's hash. Needs equal column types on both sides."""
    return con.execute(f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {relation} t").fetchone()


def _publish_table(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select version_id, table_schema, table_name, row_count from _publish order by table_schema, table_name"
        ).fetchall()


def _saved_query_exports() -> set[str]:
    """The saved queries the semantic layer exports (models/marts/**/_*__semantic.yml), as metrics.<name>."""
    from ccw.metrics import semantic_yaml_documents

    return {export["name"] for _, document in semantic_yaml_documents(ROOT / "models")
            for query in document.get("saved_queries") or [] for export in query.get("exports") or []}


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
        built = {name: _fingerprint(con, f"{BUILD}.marts.{name}") for name in marts}
        served_prints = {name: _fingerprint(con, f"{SERVED}.marts.{name}") for name in marts}
        counts = {name: rows for name, (rows, _) in built.items()}
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
    # nothing of raw, staging, intermediate, quality, snapshots; metrics: the saved-query exports
    assert schemas == {"main", "marts", "metrics"}
    assert sorted(served) == sorted(marts) and set(served.values()) == {"BASE TABLE"}
    assert columns[BUILD] == columns[SERVED]
    assert {n: p for n, p in served_prints.items() if p != built[n]} == {}
    assert storage.startswith(STORAGE_VERSION)

    meta = _publish_table(published.serving)
    assert {version for version, *_ in meta} == {published.result.version_id}
    assert {name: rows for _, schema, name, rows in meta if schema == "marts"} == counts
    assert published.result.tables == len(marts) and published.result.rows == sum(counts.values())
    assert counts["fct_contacts"] > 0 and counts["kpi_service_daily"] > 0  # a built warehouse, not an empty one


def test_saved_query_exports_are_published_with_the_manifest(published: Published) -> None:
    """Every exported saved query is a table metrics.<name> of the same version (its rows in _publish), and the
    semantic manifest it was compiled from is stored beside it (main._semantic_manifest)."""
    meta = _publish_table(published.serving)
    exports = {name: rows for _, schema, name, rows in meta if schema == "metrics"}
    assert set(exports) == _saved_query_exports() >= {"service_daily", "agent_daily", "centre_daily"}
    assert published.result.metric_tables == len(exports) and all(rows > 0 for rows in exports.values())
    manifest = (published.build.parent / "dbt_target" / "semantic_manifest.json").read_text(encoding="utf-8")
    with duckdb.connect(str(published.serving), read_only=True) as con:
        actual = {name: con.execute(f'select count(*) from metrics."{name}"').fetchone()[0] for name in exports}
        stored = con.execute("select version_id, sha256, manifest_json from main._semantic_manifest").fetchall()
        day_type = con.execute("select data_type from information_schema.columns where table_schema = 'metrics' "
                               "and table_name = 'service_daily' and column_name = 'metric_time__day'").fetchone()
    assert actual == exports
    assert stored == [(published.result.version_id, hashlib.sha256(manifest.encode()).hexdigest(), manifest)]
    assert day_type == ("DATE",)


def test_shared_run_published_its_marts(built_sample: PipelineRun) -> None:
    """`ccw run` ends by publishing: the shared run's serving file holds one complete version of every mart."""
    assert built_sample.warehouse.is_file()
    meta = _publish_table(built_sample.warehouse)
    assert {name for _, schema, name, _ in meta if schema == "marts"} == set(_build_marts(built_sample.build_warehouse))
    assert {name for _, schema, name, _ in meta if schema == "metrics"} == _saved_query_exports()
    assert len({version for version, *_ in meta}) == 1
    with duckdb.connect(str(built_sample.warehouse), read_only=True) as con:
        actual = {(schema, name): con.execute(f"select count(*) from {schema}.{name}").fetchone()[0]
                  for _, schema, name, _ in meta}
    assert actual == {(schema, name): rows for _, schema, name, rows in meta}


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
            rows, digest = _fingerprint(con, parquet)
            assert rows == entry["rows"] and (rows, digest) == _fingerprint(con, f"{BUILD}.marts.{name}"), name
            described = con.execute(f"describe select * from {parquet}").fetchall()
            assert [c["name"] for c in entry["columns"]] == [r[0] for r in described], name
    finally:
        con.close()


# ------------------------------------------------------------------------------------ oldest DuckDB client
OLD_READER = textwrap.dedent(
    """
    import json, pathlib, sys
    import duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    out = pathlib.Path(sys.argv[2])
    published = dict(con.execute("select table_schema || '.' || table_name, row_count from _publish").fetchall())
    actual = {t: con.execute(f'select count(*) from {t}').fetchone()[0] for t in published}
    for t in published:  # every value, read by this old client, written out for the new one to compare
        con.execute(f"copy (select * from {t}) to '{out / t}.parquet' (format parquet)")
    print(json.dumps({"version": duckdb.__version__, "published": published, "actual": actual}))
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


def test_serving_file_opens_with_the_oldest_supported_duckdb(
    published: Published, old_duckdb: Path, tmp_path: Path
) -> None:
    done = subprocess.run([str(old_duckdb), "-c", OLD_READER, str(published.serving), str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["version"] == OLDEST_DUCKDB
    assert sorted(seen["published"]) == sorted(
        [f"marts.{t}" for t in _build_marts(published.build)] + [f"metrics.{t}" for t in _saved_query_exports()]
    )
    assert seen["published"] == seen["actual"]
    con = _compare(published.build, published.serving)
    try:
        # marts: as built; saved-query exports: as the current DuckDB reads them from the serving file
        source = {t: f"{BUILD}.{t}" if t.startswith("marts.") else f"{SERVED}.{t}" for t in seen["published"]}
        different = [t for t in seen["published"] if _fingerprint(con, source[t])
                     != _fingerprint(con, f"read_parquet('{tmp_path / t}.parquet')")]
        expected = {t: con.execute(f"select count(*) from {source[t]}").fetchone()[0] for t in seen["published"]}
    finally:
        con.close()
    assert seen["actual"] == expected
    assert different == []  # what DuckDB 1.0 read equals the marts and the exports, value for value


# ------------------------------------------------------------------------------- readers during publishes
READER = textwrap.dedent(
    """
    import json, os, sys, time
    from ccw.read_serving import connect_serving  # DuckDB opens a path 3 times while connecting: see its docstring
    path, stop_file = sys.argv[1], sys.argv[2]
    give_up, queries, errors, versions, incomplete = time.time() + 600, 0, [], {}, []
    while not os.path.exists(stop_file) and time.time() < give_up:
        try:
            con = connect_serving(path, config={"threads": 1})
            try:
                meta = con.execute("select version_id, table_schema || '.' || table_name, row_count "
                                   "from _publish").fetchall()
                version = {v for v, _, _ in meta}
                for _, table, rows in meta:
                    actual = con.execute(f'select count(*) from {table}').fetchone()[0]
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
        time.sleep(0.01)  # hammer, but leave the second core to the publish
    print(json.dumps({"queries": queries, "errors": errors[:20], "error_count": len(errors),
                      "versions": versions, "incomplete": incomplete[:20]}))
    """
)


def _start_from(published: Published, folder: Path) -> tuple[Path, Path]:
    """A serving file already in place (a copy of the module's publish), as after an earlier run."""
    serving, parquet = folder / "warehouse.duckdb", folder / "parquet"
    shutil.copy2(published.serving, serving)
    return serving, parquet


def test_readers_see_only_complete_versions_while_publishing(published: Published, tmp_path: Path) -> None:
    serving, parquet = _start_from(published, tmp_path)
    stop = tmp_path / "stop-reading"
    versions = [published.result.version_id]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(serving), str(stop)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        for _ in range(2):  # two swaps under the reader's feet
            versions.append(publish(published.build, serving, parquet).version_id)
            time.sleep(0.5)
        stop.touch()
        out, err = reader.communicate(timeout=120)
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
    assert versions[-1] in seen["versions"]
    assert seen["queries"] >= 20
    assert read_manifest(parquet)["version_id"] == versions[-1]


# ----------------------------------------------------------------------------------- kill -9 mid-publish
PUBLISHER = "import sys; from pathlib import Path; from ccw.publish import publish; " \
            "print(publish(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])).version_id, flush=True)"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".publishing" in p.name or ".staging-" in p.name
                  or ".link-" in p.name)


def _kill_publish(published: Published, serving: Path, parquet: Path, delay: float | None) -> tuple[bool, list[str]]:
    """Start a publish in a child process and SIGKILL it after ``delay`` seconds (None: 0.3 s after its temporary
    serving file appeared, i.e. surely mid-copy). Asserts that what is served afterwards is the previous file
    unchanged or one complete new version; returns (swapped, leftovers)."""
    folder = serving.parent
    before = hashlib.sha256(serving.read_bytes()).hexdigest()
    version_before = _publish_table(serving)[0][0]
    earlier = set(_leftovers(folder))  # an earlier kill's, which this publish deletes first
    child = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(published.build), str(serving), str(parquet)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if delay is None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
            name.endswith(".publishing") for name in set(_leftovers(folder)) - earlier
        ):
            time.sleep(0.02)
        delay = 0.3
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=60)
    # on a quieter machine a late point may come after the publish finished: then it simply published
    assert child.returncode in (-signal.SIGKILL, 0), f"publish failed before the kill at {delay} s"
    meta = _publish_table(serving)
    with duckdb.connect(str(serving), read_only=True) as con:
        actual = {(s, t): con.execute(f"select count(*) from {s}.{t}").fetchone()[0] for _, s, t, _ in meta}
    assert actual == {(s, t): rows for _, s, t, rows in meta}  # whatever is served is one complete version
    swapped = meta[0][0] != version_before
    if not swapped:
        assert hashlib.sha256(serving.read_bytes()).hexdigest() == before, "served file changed, same version"
    return swapped, _leftovers(folder)


def test_kill_9_leaves_the_serving_file_intact_and_a_rerun_recovers(published: Published, tmp_path: Path) -> None:
    serving, parquet = _start_from(published, tmp_path)
    total = published.result.seconds
    # before DuckDB is even imported, early in the copy, halfway, during the Parquet export; last, a kill sure to
    # land while the temporary file is being written
    points: list[float | None] = [0.2, 1.0, round(0.5 * total, 2), round(0.9 * total, 2), None]
    outcomes = [(delay, *_kill_publish(published, serving, parquet, delay)) for delay in points]
    print("\nkill -9 points (seconds, swapped, leftovers):", outcomes)
    left = outcomes[-1][2]
    assert not outcomes[-1][1] and any(".publishing" in name for name in left), outcomes[-1]

    rerun = publish(published.build, serving, parquet)
    assert rerun.leftovers_removed == len(left)
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
    assert kinds == [("main", "_publish", "BASE TABLE"), ("main", "_publish_lineage", "BASE TABLE"),
                     ("marts", "fct_calls", "BASE TABLE"),
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


def test_a_kill_between_the_serving_rename_and_the_parquet_swap_heals_at_the_next_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21: a kill after the serving file was replaced and before the Parquet link moved left them on two
    versions until the next publish finished. The Parquet folder of the new version is promoted before the serving
    rename, so the next start (``heal_versions``, called first by ``ccw run``, and every publish) realigns them."""
    from ccw.publish import core as publish_core

    build, serving, parquet = _small_build(tmp_path), tmp_path / "warehouse.duckdb", tmp_path / "parquet"
    first = publish(build, serving, parquet)

    def killed(*_args: object, **_kwargs: object) -> None:
        raise SystemExit("killed between the serving rename and the link swap")

    monkeypatch.setattr(publish_core, "swap_in", killed)
    with pytest.raises(SystemExit):
        publish(build, serving, parquet)
    monkeypatch.undo()
    second = _publish_table(serving)[0][0]
    assert second != first.version_id
    assert read_manifest(parquet)["version_id"] == first.version_id  # apart: the state a kill leaves

    assert publish_core.heal_versions(serving, parquet) is True
    manifest = read_manifest(parquet)
    assert manifest["version_id"] == second
    assert publish_core.heal_versions(serving, parquet) is False  # nothing to do the second time
    # a reader taking its paths from the manifest reads that version's folder, whatever the link does next
    for table in manifest["tables"]:
        assert (tmp_path / table["versioned_path"]).is_file()
        assert table["versioned_path"].startswith(manifest["version_folder"] + "/")


# ------------------------------------------------------------------- publishing from the previous version (issue 16)
def _versioned_build(folder: Path, version: int) -> Path:
    """A build database whose marts change between version 1 and 2 in every way a daily build can change them."""
    build = folder / f"build{version}" / "warehouse.duckdb"
    build.parent.mkdir(parents=True)
    with duckdb.connect(str(build)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_kept as select range as id, 'agent ' || range as label from range(20)")
        # ids 0-99 with value id * 10 and the row (5, 50) twice; version 2: id 7's value changed, id 99 gone,
        # id 100 new, (5, 50) once
        con.execute("create table marts.fct_merged as select range as id, range * 10 as value from range(100) "
                    "union all select 5, 50")
        con.execute("create table marts.kpi_all_changed as select range as id, range + 10 * ? as value from range(10)",
                    [version])
        # ids 0-49; version 2: id 3's label changed (no duplicates: merged by the rows each side lacks)
        con.execute("create table marts.fct_plain as select range as id, case when range = 3 then ? end as label "
                    "from range(50)", [f"v{version}"])
        if version == 1:
            con.execute("create table marts.kpi_columns as select range as a from range(3)")
            con.execute("create table marts.kpi_gone as select 1 as a")
        else:
            con.execute("update marts.fct_merged set value = 71 where id = 7")
            con.execute("delete from marts.fct_merged where id = 99")
            con.execute("insert into marts.fct_merged values (100, 1000)")
            con.execute("delete from marts.fct_merged where id = 5")
            con.execute("insert into marts.fct_merged values (5, 50)")
            con.execute("create table marts.kpi_columns as select range as a, range * 2 as b from range(3)")
            con.execute("create table marts.kpi_new as select range as a from range(4)")
        con.execute("create view marts.kpi_rows as select count(*) as fct_rows from warehouse.marts.fct_merged")
    return build


def _served_rows(serving: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from information_schema.tables "
                                            "where table_schema = 'marts' order by 1").fetchall()]
        return {t: sorted(con.execute(f"select * from marts.{t}").fetchall()) for t in tables}


def test_a_publish_writes_only_what_changed_since_the_previous_version(tmp_path: Path) -> None:
    serving, parquet = tmp_path / "warehouse.duckdb", tmp_path / "parquet"
    first = publish(_versioned_build(tmp_path, 1), serving, parquet)
    assert not first.from_previous and first.tables == 7  # no serving file yet: every mart written
    first_files = {t["table"]: parquet.resolve() / t["file"] for t in read_manifest(parquet)["tables"]}

    build = _versioned_build(tmp_path, 2)
    second = publish(build, serving, parquet)

    # dim_kept is unchanged; fct_merged changed in 7 rows: (7, 70) and (99, 990) out, (7, 71) and (100, 1000) in,
    # (5, 50) twice -> once (its 2 + 1 rows); fct_plain in 2: (3, 'v1') out, (3, 'v2') in; kpi_all_changed: all 10
    # rows changed (20 > a quarter of 10: written anew, 10 rows); kpi_columns has a new column (3 rows written);
    # kpi_new is new (4); kpi_rows, a view, 1 row
    assert second.from_previous
    assert (second.tables, second.tables_kept, second.tables_merged) == (7, 1, 2)
    assert second.rows_written == 7 + 2 + 10 + 3 + 4 + 1
    assert second.rows == 20 + 100 + 50 + 10 + 3 + 4 + 1
    assert "1 marts unchanged, 2 merged by row, 4 written; 27 rows written" in second.render()

    # the served marts are the build's, row for row (kpi_gone dropped), as a publish of every mart would write them
    full = publish(build, tmp_path / "full" / "warehouse.duckdb", from_previous=False)
    assert not full.from_previous and full.tables_kept == 0
    served = _served_rows(serving)
    assert served == _served_rows(tmp_path / "full" / "warehouse.duckdb")
    assert sorted(served) == ["dim_kept", "fct_merged", "fct_plain", "kpi_all_changed", "kpi_columns", "kpi_new",
                              "kpi_rows"]
    assert [row for row in served["fct_merged"] if row[0] in (5, 7, 99, 100)] == [(5, 50), (7, 71), (100, 1000)]
    assert [row for row in served["fct_plain"] if row[1] is not None] == [(3, "v2")]
    assert served["kpi_columns"] == [(0, 0), (1, 2), (2, 4)] and served["kpi_rows"] == [(100,)]
    assert {(schema, name): rows for _, schema, name, rows in _publish_table(serving)} == {
        ("marts", name): len(rows) for name, rows in served.items()}

    # Parquet: the unchanged mart's file is the previous version's, linked; the others written anew; all read back
    manifest = read_manifest(parquet)
    assert manifest["version_id"] == second.version_id
    files = {t["table"]: parquet.resolve() / t["file"] for t in manifest["tables"]}
    assert files["dim_kept"].stat().st_ino == first_files["dim_kept"].stat().st_ino
    assert files["fct_merged"].stat().st_ino != first_files["fct_merged"].stat().st_ino
    with duckdb.connect() as con:
        for entry in manifest["tables"]:
            path = files[entry["table"]]
            assert entry["sha256"] == sha256_file(path) and entry["bytes"] == path.stat().st_size
            assert sorted(con.execute(f"select * from read_parquet('{path}')").fetchall()) == served[entry["table"]]

    # a third publish of the same build keeps every mart and writes nothing
    third = publish(build, serving, parquet)
    assert (third.tables_kept, third.rows_written) == (7, 0)
    assert _served_rows(serving) == served


def test_a_publish_writes_every_mart_when_the_previous_file_cannot_be_its_base(tmp_path: Path) -> None:
    """Another storage version's serving file (or none, or an unreadable one) is not copied: every mart is written;
    so is every Parquet file when the Parquet folder is gone."""
    from ccw.publish.serving import base_file

    serving, parquet = tmp_path / "warehouse.duckdb", tmp_path / "parquet"
    assert base_file(serving) is None
    publish(_versioned_build(tmp_path, 1), serving, parquet)
    assert base_file(serving) == serving
    with duckdb.connect(str(serving)) as con:
        con.execute("update main._publish set storage_version = 'v0.10.2'")
    assert base_file(serving) is None
    again = publish(_versioned_build(tmp_path, 2), serving, parquet)
    assert not again.from_previous and again.tables_kept == 0 and again.rows_written == again.rows
    os.remove(parquet)  # the link: the previous version's Parquet files are not found
    shutil.rmtree(next(tmp_path.glob(".parquet.v-*")), ignore_errors=True)
    last = publish(_versioned_build(tmp_path / "same", 2), serving, parquet)
    assert last.from_previous and last.tables_kept == 7
    assert sorted(t["table"] for t in read_manifest(parquet)["tables"]) == sorted(_served_rows(serving))
    (tmp_path / "broken.duckdb").write_bytes(b"not a database")
    assert base_file(tmp_path / "broken.duckdb") is None


def test_every_so_many_publishes_one_writes_the_file_compact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge leaves deleted rows in their row groups: after MAX_PUBLISHES_FROM_PREVIOUS publishes that started
    from the previous file, the next one writes every mart (and counts from 0 again)."""
    from ccw.publish import serving as serving_module

    monkeypatch.setattr(serving_module, "MAX_PUBLISHES_FROM_PREVIOUS", 2)
    serving = tmp_path / "warehouse.duckdb"
    builds = [_versioned_build(tmp_path / f"day{day}", 1 + day % 2) for day in range(5)]
    started = [publish(build, serving).from_previous for build in builds]
    with duckdb.connect(str(serving), read_only=True) as con:
        since = con.execute("select publishes_since_full from main._publish_lineage").fetchall()
    assert started == [False, True, True, False, True]
    assert since == [(1,)]


def test_a_serving_file_updated_by_row_opens_with_the_oldest_supported_duckdb(
        old_duckdb: Path, tmp_path: Path) -> None:
    serving = tmp_path / "warehouse.duckdb"
    publish(_versioned_build(tmp_path, 1), serving)
    assert publish(_versioned_build(tmp_path, 2), serving).tables_merged == 2
    out = tmp_path / "read"
    out.mkdir()
    done = subprocess.run([str(old_duckdb), "-c", OLD_READER, str(serving), str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["version"] == OLDEST_DUCKDB and seen["published"] == seen["actual"]
    served = _served_rows(serving)
    with duckdb.connect() as con:
        read = {t: sorted(con.execute(f"select * from read_parquet('{out / ('marts.' + t)}.parquet')").fetchall())
                for t in served}
    assert read == served
