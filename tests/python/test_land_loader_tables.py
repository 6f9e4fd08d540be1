"""Tables a loader already wrote into DuckDB (issue 14): Fivetran's Zendesk schema, Airbyte's and dlt's stream tables.

The loader database is built here from the hand-written Fivetran fixtures (``tests/fixtures/zendesk_fivetran/``) with
the types a loader gives them (DuckDB reads the CSV: BIGINT ids, TIMESTAMP and TIMESTAMP WITH TIME ZONE times,
BOOLEAN flags). Expected row counts are counted from the fixture files with the csv module.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ccw.land import land_all
from ccw.land.loaders import LoaderSource, parse_sources

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "zendesk_fivetran" / "helpdesk"
DAY1, DAY2 = date(2026, 11, 2), date(2026, 11, 3)


def _rows(entity: str) -> list[dict[str, str]]:
    with (FIXTURES / entity / "2021-01-15.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _loader_db(path: Path, schema: str = "zendesk", entities=("ticket", "user", "group"), rename=None) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema if not exists {schema}")
        for entity in entities:
            name = (rename or {}).get(entity, entity)
            con.execute(f'create table {schema}."{name}" as select * from '
                        f"read_csv('{FIXTURES / entity / '2021-01-15.csv'}', header = true)")
    return path


def _raw(build: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(build), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_sources_are_read_from_one_setting() -> None:
    assert parse_sources("helpdesk=/srv/f.duckdb:zendesk; telephony=/srv/c.duckdb") == [
        LoaderSource("helpdesk", Path("/srv/f.duckdb"), "zendesk"), LoaderSource("telephony", Path("/srv/c.duckdb"))]
    assert parse_sources("") == [] and parse_sources(None) == []
    with pytest.raises(ValueError, match="not <system>=<database file>"):
        parse_sources("/srv/f.duckdb")
    with pytest.raises(ValueError, match="unknown system 'zendesk'"):
        parse_sources("zendesk=/srv/f.duckdb")


def test_a_fivetran_schema_lands_then_only_what_was_synced_since(tmp_path: Path) -> None:
    source = LoaderSource("helpdesk", _loader_db(tmp_path / "fivetran.duckdb"), "zendesk")
    raw, build = tmp_path / "raw", tmp_path / "build.duckdb"
    first = land_all(raw, build, tmp_path / "q", loaders=[source], today=DAY1)
    assert first.ok, first.render()
    assert {i.entity: i.rows for i in first.imports} == {e: len(_rows(e)) for e in ("ticket", "user", "group")}
    assert {f.path: (f.rows, f.export_kind) for f in first.landed} == {
        f"helpdesk/{e}/{DAY1}.csv": (len(_rows(e)), "history") for e in ("ticket", "user", "group")}
    # the loader's types are written back as text the registry reads: BIGINT ids, UTC wall-clock times, booleans
    assert _raw(build, "select id, created_at, is_public from raw.helpdesk__ticket where id = '102'") == [
        ("102", "2020-02-10 19:18:17", "true")]

    # the next day the loader syncs ticket 104 solved; the group table loses its sync column (a table without one)
    with duckdb.connect(str(source.database)) as con:
        con.execute("insert into zendesk.ticket select * replace ('solved' as status, "
                    "timestamp '2026-11-03 02:00:00' as _fivetran_synced) from zendesk.ticket where id = 104")
    second = land_all(raw, build, tmp_path / "q", loaders=[source], today=DAY2)
    assert {i.entity: (i.rows, i.file_path) for i in second.imports} == {
        "ticket": (1, f"helpdesk/ticket/{DAY2}.csv"), "user": (0, None), "group": (0, None)}
    assert [(f.path, f.rows, f.export_kind) for f in second.landed] == [(f"helpdesk/ticket/{DAY2}.csv", 1, "history")]
    assert _raw(build, f"select id, status from raw.helpdesk__ticket where _export_date = '{DAY2}'") == [
        ("104", "solved")]

    # a second sync the same day: that day's file is rewritten with both rows (a re-sent file), nothing else moves
    with duckdb.connect(str(source.database)) as con:
        con.execute("insert into zendesk.ticket select * replace ('closed' as status, "
                    "timestamp '2026-11-03 09:00:00' as _fivetran_synced) from zendesk.ticket where id = 101")
    third = land_all(raw, build, tmp_path / "q", loaders=[source], today=DAY2)
    assert [(f.path, f.rows) for f in third.replaced] == [(f"helpdesk/ticket/{DAY2}.csv", 2)]
    assert sorted(_raw(build, f"select id, status from raw.helpdesk__ticket where _export_date = '{DAY2}'")) == [
        ("101", "closed"), ("104", "solved")]
    assert len(third.unchanged) == 3  # the three day-1 files


def test_a_table_without_a_sync_column_is_written_when_it_changed(tmp_path: Path) -> None:
    database = _loader_db(tmp_path / "l.duckdb", "main", ("group",))
    with duckdb.connect(str(database)) as con:
        con.execute('alter table "group" drop column _fivetran_synced')
    source = LoaderSource("helpdesk", database)
    raw, build = tmp_path / "raw", tmp_path / "build.duckdb"
    assert [i.rows for i in land_all(raw, build, tmp_path / "q", loaders=[source], today=DAY1).imports] == [
        len(_rows("group"))]
    assert [i.file_path for i in land_all(raw, build, tmp_path / "q", loaders=[source], today=DAY2).imports] == [None]
    with duckdb.connect(str(database)) as con:
        con.execute("""update "group" set name = 'Renamed' where id = 501""")
    changed = land_all(raw, build, tmp_path / "q", loaders=[source], today=DAY2)
    assert [(i.file_path, i.rows) for i in changed.imports] == [(f"helpdesk/group/{DAY2}.csv", len(_rows("group")))]


def test_airbyte_and_dlt_stream_tables_by_their_plural_names_and_sync_columns(tmp_path: Path) -> None:
    airbyte = _loader_db(tmp_path / "airbyte.duckdb", "zendesk_support", ("ticket", "user"),
                         {"ticket": "tickets", "user": "users"})
    with duckdb.connect(str(airbyte)) as con:
        for table in ("tickets", "users"):
            con.execute(f"alter table zendesk_support.{table} rename column _fivetran_synced to _airbyte_extracted_at")
            con.execute(f"alter table zendesk_support.{table} add column _airbyte_meta struct(changes varchar[])")
            con.execute(f"update zendesk_support.{table} set _airbyte_meta = {{'changes': ['a', 'b']}}")
    dlt = _loader_db(tmp_path / "dlt.duckdb", "zendesk_data", ("group",), {"group": "groups"})
    with duckdb.connect(str(dlt)) as con:
        con.execute("alter table zendesk_data.groups drop column _fivetran_synced")
        con.execute("alter table zendesk_data.groups add column _dlt_load_id varchar default '1762128000.123'")
    # two loaders for one help desk is unusual; it shows both naming conventions in one landing
    report = land_all(tmp_path / "raw", tmp_path / "b.duckdb", tmp_path / "q", today=DAY1, loaders=[
        LoaderSource("helpdesk", airbyte, "zendesk_support"), LoaderSource("helpdesk", dlt, "zendesk_data")])
    assert report.ok, report.render()
    assert {(i.table, i.rows) for i in report.imports} == {
        ("tickets", len(_rows("ticket"))), ("users", len(_rows("user"))), ("groups", len(_rows("group")))}
    drift = " ".join(w for f in report.landed for w in f.warnings)
    assert "_airbyte_extracted_at" in drift and "_dlt_load_id" in drift, "loader columns are kept in _extra"
    extra = _raw(tmp_path / "b.duckdb", "select _extra from raw.helpdesk__ticket where id = '101'")[0][0]
    assert '"_airbyte_meta":"{\\"changes\\":[\\"a\\",\\"b\\"]}"' in extra, extra  # nested: as JSON text
    state = _raw(tmp_path / "b.duckdb", "select entity, watermark from raw._loader_imports order by entity")
    assert state[0] == ("group", "2025-11-03 00:00:00.123")  # dlt's load id is a Unix time


def test_a_loader_database_that_cannot_be_read_never_stops_the_files(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "helpdesk" / "group").mkdir(parents=True)
    (raw / "helpdesk" / "group" / f"{DAY1}.csv").write_text("id,name\n1,Billing\n", encoding="utf-8")
    missing = LoaderSource("helpdesk", tmp_path / "moved.duckdb", "zendesk")
    report = land_all(raw, tmp_path / "b.duckdb", tmp_path / "q", loaders=[missing], today=DAY1)
    assert [f.path for f in report.landed] == [f"helpdesk/group/{DAY1}.csv"]
    assert len(report.imports) == 1 and "cannot be read, nothing imported" in report.imports[0].problem
    assert f"LOADER WARNING {tmp_path / 'moved.duckdb'}:zendesk" in report.render()
    assert not (tmp_path / "moved.duckdb").exists(), "a read-only attach never creates the file"
