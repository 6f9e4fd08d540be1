"""Landing judges the path first (issue 21): one bad file never takes the warehouse down, never wedges it.

- a file whose name is not ``<YYYY-MM-DD>.<ext>`` of a plausible day (or that sits in the wrong place) is refused by
  name: copied aside, listed in ``raw._refused_paths``, never in a raw table, the manifest or the quarantine log
  (the two landing tables dbt reads);
- a symbolic link (to a file or a folder, inside or outside the raw root), a hidden or special file is listed and
  never opened, followed or copied;
- the quarantine records of a file no longer under the raw root stop counting (deleting or renaming heals);
- one very long field lands (the readers' line and record bounds), and above the bound the reason says so.

Landing functions are tested directly on hand-written files; one full ``ccw run`` on the tiny preset checks that
such files no longer break the dbt build and that the exit code tells the truth.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ccw.cli import main as ccw_main
from ccw.land import ensure_raw_tables
from ccw.land import readers as readers_module
from ccw.land.paths import EARLIEST_EXPORT_DAY, describe, plausible_day, scan
from conftest import FaultyTinyRun
from test_land import (
    SURVEY_HEADER,
    TICKET_HEADER,
    Workspace,
    contact_record,
    survey_row,
    ticket_row,
    write_csv,
    write_jsonl,
)

SECRET_COLUMN = "secret_salary_column"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


def _good_files(ws: Workspace) -> set[str]:
    write_csv(ws.path("helpdesk", "group", "2024-03-06.csv"), ["id", "name"], [["g1", "Billing"]])
    write_jsonl(ws.path("telephony", "contact_records", "2024-03-05.jsonl"), [contact_record("c-1")])
    return {"helpdesk/group/2024-03-06.csv", "telephony/contact_records/2024-03-05.jsonl"}


def _landing_tables_mention(ws: Workspace, relative: str) -> list[tuple]:
    """Rows naming ``relative`` in the landing tables dbt reads, and in every raw table (one connection)."""
    def ask(con: duckdb.DuckDBPyConnection) -> list[tuple]:
        rows = con.execute("select 'manifest', outcome from raw._landing_manifest where file_path = ? "
                           "union all select 'quarantine', reason from raw._quarantine where file_path = ?",
                           [relative, relative]).fetchall()
        for (table,) in con.execute("select table_name from information_schema.columns "
                                    "where table_schema = 'raw' and column_name = '_source_file'").fetchall():
            rows += con.execute(f'select \'{table}\', count(*) from raw."{table}" where _source_file = ? '
                                "having count(*) > 0", [relative]).fetchall()
        return rows

    return ws.queries(ask)


# ------------------------------------------------------------------------------ 1. the path is judged first
BAD_NAMES = {
    "copy suffix": ("helpdesk/ticket/2024-03-06 (1).csv", "bad file name"),
    "day first": ("helpdesk/ticket/06-03-2024.csv", "bad file name"),
    "month 13, day 45": ("helpdesk/ticket/2024-13-45.csv", "bad file name"),
    "30 February": ("helpdesk/ticket/2024-02-30.csv", "bad file name"),
    "not a date": ("helpdesk/ticket/tickets_march.csv", "bad file name"),
    "far future": ("helpdesk/ticket/2099-01-01.csv", "implausible export day: 2099-01-01 is in the future"),
    "before 1990": ("helpdesk/ticket/1989-12-31.csv", "implausible export day: 1989-12-31 is before 1990-01-01"),
    "second extension": ("helpdesk/ticket/2024-03-06.csv.bak", "should have the extension .csv or .csv.gz"),
    "gzip of a gzip": ("helpdesk/ticket/2024-03-06.csv.gz.gz", "should have the extension .csv or .csv.gz"),
    "wrong extension": ("helpdesk/ticket/2024-03-06.txt", "should have the extension .csv or .csv.gz"),
    "Firehose folders of a CSV": ("helpdesk/ticket/2024/03/06/09/tickets.gz", "the Firehose layout is for JSON"),
    "non-ASCII digits": ("helpdesk/ticket/٢٠٢٤-٠٣-٠٦.csv", "bad file name"),
    "newline in the name": ("helpdesk/ticket/2024-03-06\n.csv", "bad file name"),
    "unknown entity folder": ("helpdesk/macros/2024-03-06.csv", "unknown entity folder: helpdesk/macros"),
    "misplaced": ("helpdesk/2024-03-06.csv", "misplaced file"),
}


@pytest.mark.parametrize("kind", list(BAD_NAMES))
def test_a_badly_named_file_is_refused_by_name_and_reaches_no_table_dbt_reads(ws: Workspace, kind: str) -> None:
    relative, expected = BAD_NAMES[kind]
    good = _good_files(ws)
    bad = ws.raw / relative
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("".join(f"{line}\n" for line in [",".join(TICKET_HEADER), ",".join(ticket_row("110"))]),
                   encoding="utf-8")

    report = ws.land()

    assert {f.path for f in report.landed} == good
    assert [(f.path, f.outcome) for f in report.refused] == [(relative, "refused")]
    refused = report.refused[0]
    assert expected in refused.reason and not report.ok and not report.quarantined
    assert _landing_tables_mention(ws, relative) == [], "nothing of it reaches the manifest, quarantine or raw"
    assert ws.query("select count(*) from raw._landing_manifest where export_date is null") == [(0,)]
    assert ws.query("select kind, reason, quarantine_path from raw._refused_paths") == [
        ("path", refused.reason, str(refused.quarantine_path))
    ]
    assert refused.quarantine_path.read_bytes() == bad.read_bytes(), "set aside like a quarantined file"
    assert refused.reason in refused.quarantine_path.with_name(refused.quarantine_path.name + ".reason").read_text()
    assert "\n  REFUSED " in report.render() and "\n.csv" not in report.render(), "control characters escaped"

    again = ws.land()  # still there: refused again, not copied again, still nothing in the manifest
    assert [f.outcome for f in again.refused] == ["refused"]
    assert _landing_tables_mention(ws, relative) == []


def test_a_second_account_of_a_system_lands_from_its_own_folder(tmp_path: Path) -> None:
    """``<system>@<account>/``: the same entity and raw table, the account named; its first file is a history dump of
    its own (the first account's files do not make it daily); a bad account name is refused by name."""
    today = date(2026, 11, 10)
    raw = Path("/raw")
    eu = describe(raw / "helpdesk@eu/ticket/2026-11-03.csv", raw, today)
    assert (eu.problem, eu.system, eu.account, eu.table) == (None, "helpdesk", "eu", "helpdesk__ticket")
    firehose = describe(raw / "telephony@connect-2/contact_records/2026/11/02/09/obj-1.gz", raw, today)
    assert (firehose.problem, firehose.account, firehose.export_date) == (None, "connect-2", date(2026, 11, 2))
    for bad in ("helpdesk@EU/ticket/2026-11-03.csv", "helpdesk@/ticket/2026-11-03.csv",
                "helpdesk@e.u/ticket/2026-11-03.csv"):
        problem = describe(raw / bad, raw, today).problem
        assert problem is not None and problem.startswith("bad account folder"), (bad, problem)

    from ccw.land import land_all

    root = tmp_path / "raw"
    for folder, day in (("helpdesk", "2026-11-02"), ("helpdesk", "2026-11-03"), ("helpdesk@eu", "2026-11-03")):
        (root / folder / "group").mkdir(parents=True, exist_ok=True)
        (root / folder / "group" / f"{day}.csv").write_text("id,name\n1,Billing\n", encoding="utf-8")
    report = land_all(root, tmp_path / "w.duckdb", tmp_path / "q", today=today)
    assert {f.path: f.export_kind for f in report.landed} == {
        "helpdesk/group/2026-11-02.csv": "history", "helpdesk/group/2026-11-03.csv": "daily",
        "helpdesk@eu/group/2026-11-03.csv": "history"}
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.helpdesk__group").fetchone() == (3,)


def test_plausible_export_days_are_1990_to_utc_today_plus_one() -> None:
    today = date(2026, 12, 3)
    assert plausible_day(EARLIEST_EXPORT_DAY, today) is None
    assert plausible_day(date(1989, 12, 31), today) is not None
    assert plausible_day(date(2026, 12, 4), today) is None, "a centre east of UTC is a day ahead"
    assert "in the future" in plausible_day(date(2026, 12, 5), today)
    raw = Path("/raw")
    assert describe(raw / "chat/sessions/2026-12-04.jsonl", raw, today).problem is None
    assert describe(raw / "chat/sessions/2026-12-05.jsonl", raw, today).problem is not None


def test_deleting_or_renaming_a_bad_file_heals_the_next_run(ws: Workspace) -> None:
    good = _good_files(ws)
    # what an older landing left behind: a badly named file quarantined with no export day (the dbt mart
    # data_quality_daily, whose date_day is NOT NULL, failed on it, and kept failing once the file was deleted)
    with duckdb.connect(str(ws.warehouse)) as con:
        ensure_raw_tables(con)
        con.execute("insert into raw._landing_manifest (run_id, file_path, system, entity, export_date, checksum, "
                    "landed_at, outcome, reason) values ('old', 'helpdesk/ticket/2024-03-06 (1).csv', 'helpdesk', "
                    "'ticket', null, 'abc', now(), 'quarantined', 'bad file name')")
        con.execute("insert into raw._quarantine values ('helpdesk/ticket/2024-03-06 (1).csv', 'helpdesk', 'ticket', "
                    "'abc', 'bad file name', '/q/x', now())")
    without_status = [c for c in TICKET_HEADER if c != "status"]  # a required column: the file is refused
    broken = write_csv(ws.path("helpdesk", "ticket", "2024-03-07.csv"), without_status,
                       [[v for c, v in zip(TICKET_HEADER, ticket_row("111"), strict=True) if c != "status"]])
    renamed = write_csv(ws.path("helpdesk", "ticket", "2024-03-08 (copy).csv"), TICKET_HEADER, [ticket_row("112")])

    first = ws.land()

    assert first.retired == ["helpdesk/ticket/2024-03-06 (1).csv"], "the legacy record stops counting at once"
    assert [f.path for f in first.quarantined] == ["helpdesk/ticket/2024-03-07.csv"]
    assert [f.path for f in first.refused] == ["helpdesk/ticket/2024-03-08 (copy).csv"]
    assert ws.query("select file_path from raw._landing_files where is_quarantined") == [
        ("helpdesk/ticket/2024-03-07.csv",)
    ]
    assert ws.query("select count(*) from raw._landing_manifest where export_date is null") == [(0,)]

    broken.unlink()  # the operator deletes the broken file ...
    renamed.rename(renamed.with_name("2024-03-08.csv"))  # ... and gives the other one its proper name

    healed = ws.land()

    assert healed.ok, healed.render()
    assert healed.retired == ["helpdesk/ticket/2024-03-07.csv"]
    assert "RETIRED helpdesk/ticket/2024-03-07.csv" in healed.render()
    assert [(f.path, f.outcome) for f in healed.landed] == [("helpdesk/ticket/2024-03-08.csv", "landed")]
    assert ws.query("select count(*) from raw._landing_files where is_quarantined") == [(0,)]
    assert ws.query("select count(*) from raw._landing_manifest where outcome = 'quarantined'") == [(0,)]
    assert ws.query("select count(*) from raw._quarantine") == [(0,)]
    assert ws.query("select file_path, outcome from raw._landing_manifest_retired order by 1") == [
        ("helpdesk/ticket/2024-03-06 (1).csv", "quarantined"), ("helpdesk/ticket/2024-03-07.csv", "quarantined"),
    ]  # fmt: skip
    assert ws.query("select count(*) from raw._quarantine_retired") == [(2,)]
    assert {f.path for f in healed.unchanged} == good
    assert ws.land().retired == [], "nothing left to retire"


def test_a_deleted_file_that_had_landed_keeps_its_rows_and_drops_a_later_refusal(ws: Workspace) -> None:
    path = write_jsonl(ws.path("telephony", "contact_records", "2024-03-05.jsonl"), [contact_record("c-1")])
    ws.land()
    path.write_text("{not json\n", encoding="utf-8")  # a broken re-send: quarantined, the good version stays
    assert [f.outcome for f in ws.land().files] == ["quarantined"]
    path.unlink()

    report = ws.land()

    assert report.retired == ["telephony/contact_records/2024-03-05.jsonl"] and report.ok
    assert ws.count("telephony__contact_records") == 1, "deleting an export does not delete what it landed"
    assert ws.query("select last_outcome, has_rows_in_raw, is_current from raw._landing_files") == [
        ("landed", True, True)
    ]


# ------------------------------------------------------------------------------ 2. links, hidden, special files
def _outside(tmp_path: Path) -> Path:
    """A folder outside the raw root holding a file with a landable name and a secret header."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write_csv(outside / "2024-03-06.csv", [SECRET_COLUMN, "name"], [["123456", "Billing"]])
    write_csv(outside / "2024-03-07.csv", ["id", "name"], [["g9", "Outside"]])  # right columns: would land
    return outside


def test_symbolic_links_are_listed_never_followed_read_or_copied(ws: Workspace, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    good = _good_files(ws)
    outside = _outside(tmp_path)
    group = ws.raw / "helpdesk" / "group"
    (group / "2024-03-07.csv").symlink_to(outside / "2024-03-07.csv")  # a file outside, landable columns
    (group / "2024-03-08.csv").symlink_to(outside / "2024-03-06.csv")  # a file outside, secret header
    (group / "2024-03-09.csv").symlink_to(group / "2024-03-06.csv")  # a file inside the root
    (ws.raw / "crm").mkdir()
    (ws.raw / "crm" / "orders").symlink_to(outside, target_is_directory=True)  # a folder outside
    (ws.raw / "chat").symlink_to(tmp_path / "nowhere")  # dangling

    report = ws.land()
    print(report.render())

    links = ["chat", "crm/orders", "helpdesk/group/2024-03-07.csv", "helpdesk/group/2024-03-08.csv",
             "helpdesk/group/2024-03-09.csv"]  # fmt: skip
    assert [(f.path, f.outcome) for f in report.refused] == [(p, "refused") for p in links]
    assert all("symbolic link: never followed" in f.reason and f.checksum is None for f in report.refused)
    assert {f.path for f in report.landed} == good
    assert ws.query("select id from raw.helpdesk__group") == [("g1",)], "nothing from outside landed"
    assert ws.query("select file_path, kind, checksum, quarantine_path from raw._refused_paths order by 1") == [
        (p, "symlink", None, None) for p in links
    ]
    for relative in links:
        assert _landing_tables_mention(ws, relative) == []
    assert not ws.quarantine.exists(), "no link's content is copied aside"
    printed = capsys.readouterr().out
    assert all(f"REFUSED {p}: symbolic link" in printed for p in links)
    recorded = json.dumps(ws.query("select * from raw._refused_paths"), default=str)
    assert SECRET_COLUMN not in printed and SECRET_COLUMN not in recorded


def test_hidden_and_special_files_are_listed_not_skipped(ws: Workspace) -> None:
    good = _good_files(ws)
    hidden = ws.path("helpdesk", "ticket", ".2024-03-06.csv.part")
    hidden.write_text("half written", encoding="utf-8")
    (ws.raw / ".git").mkdir()
    (ws.raw / ".git" / "config").write_text("x", encoding="utf-8")
    fifo = ws.raw / "helpdesk" / "ticket" / "2024-03-07.csv"
    os.mkfifo(fifo)  # opening it to read would block landing for ever

    report = ws.land()

    assert {f.path for f in report.landed} == good
    assert [(f.path, f.reason) for f in report.ignored] == [  # listed, not a finding (an upload's temporary file)
        (".git", "hidden folder: not searched (its name starts with '.')"),
        ("helpdesk/ticket/.2024-03-06.csv.part", "hidden file: not landed (its name starts with '.')"),
    ]
    assert [(f.path, f.reason) for f in report.refused] == [
        ("helpdesk/ticket/2024-03-07.csv", "not a regular file (FIFO): never opened"),
    ]
    rendered = report.render()
    assert "IGNORED helpdesk/ticket/.2024-03-06.csv.part: hidden file" in rendered
    assert "REFUSED helpdesk/ticket/2024-03-07.csv: not a regular file" in rendered
    assert ws.query("select file_path, kind from raw._refused_paths order by 1") == [
        (".git", "hidden"), ("helpdesk/ticket/.2024-03-06.csv.part", "hidden"),
        ("helpdesk/ticket/2024-03-07.csv", "special"),
    ]  # fmt: skip
    assert not ws.quarantine.exists()


def test_the_scan_never_descends_into_a_linked_folder(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "chat").mkdir(parents=True)
    outside = _outside(tmp_path)
    (raw / "chat" / "sessions").symlink_to(outside, target_is_directory=True)
    found = scan(raw)
    assert found.files == [] and [(r.relative, r.kind) for r in found.refused] == [("chat/sessions", "symlink")]


# ------------------------------------------------------------------------------ 4. exit codes and long fields
def test_ccw_land_exits_non_zero_when_a_survey_file_is_refused(ws: Workspace, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CCW_RAW_ROOT", str(ws.raw))
    _good_files(ws)
    assert ccw_main(["land"]) == 0
    write_csv(ws.path("survey", "responses", "2024-03-06.csv"), SURVEY_HEADER,
              [survey_row("r-1", "很好很好"), survey_row("r-2", "非常满意")], encoding="utf-8")  # GB18030 expected
    assert ccw_main(["land"]) == 3
    ws.path("survey", "responses", "2024-03-06.csv").unlink()
    assert ccw_main(["land"]) == 0, "removing the refused file heals the next run"


def test_one_very_long_field_lands_with_its_file(ws: Workspace) -> None:
    long_text = "投诉内容 " * (3 * 1024 * 1024 // 13 + 1)  # over 3 MiB of UTF-8 in one CSV cell
    rows = [ticket_row(str(i)) for i in range(1, 31)]
    rows[16] = ticket_row("17", subject=long_text)
    write_csv(ws.path("helpdesk", "ticket", "2024-03-06.csv"), TICKET_HEADER, rows)
    record = contact_record("c-2")
    record["Attributes"]["ivr_path"] = "1>" * (10 * 1024 * 1024)  # a 20 MiB JSON record
    write_jsonl(ws.path("telephony", "contact_records", "2024-03-06.jsonl"), [contact_record("c-1"), record])
    survey = [survey_row("r-1"), survey_row("r-2", long_text)]
    write_csv(ws.path("survey", "responses", "2024-03-06.csv"), SURVEY_HEADER, survey, encoding="gb18030")

    report = ws.land()

    assert report.ok, report.render()
    assert [(f.path, f.rows) for f in report.landed] == [
        ("helpdesk/ticket/2024-03-06.csv", 30), ("survey/responses/2024-03-06.csv", 2),
        ("telephony/contact_records/2024-03-06.jsonl", 2),
    ]  # fmt: skip
    assert ws.query("select _row_number, length(subject) from raw.helpdesk__ticket where id = '17'") == [
        (17, len(long_text))
    ]
    assert ws.query("select max(length(comment)) from raw.survey__responses") == [(len(long_text),)]
    assert ws.query('select length("Attributes".ivr_path) from raw.telephony__contact_records '
                    "where \"ContactId\" = 'c-2'") == [(20 * 1024 * 1024,)]


def test_a_line_over_the_bound_names_the_line_and_the_bound(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers_module, "MAX_RECORD_BYTES", 1024 * 1024)
    rows = [ticket_row("1"), ticket_row("2", subject="x" * (3 * 1024 * 1024))]
    write_csv(ws.path("helpdesk", "ticket", "2024-03-06.csv"), TICKET_HEADER, rows)

    report = ws.land()

    [refused] = report.quarantined
    assert "over the bound of 1,048,576 bytes per line" in refused.reason and "line 3 is 3,14" in refused.reason
    assert "xxxxxxxx" not in report.render()


# ------------------------------------------------------------------------------ one full run on the tiny preset
def plant_files_landing_refuses(data: Path, base: Path) -> None:
    """Into a generated sample: a badly named copy, a UTF-8 survey file of a day before the sample, a link to a file
    outside the raw root, a hidden half-written file, and the manifest record of a bad file deleted since
    (conftest's ``faulty_tiny_run`` runs them with the PII test's sample)."""
    raw = data / "raw"
    shutil.copy(raw / "survey" / "responses" / "2026-10-26.csv", raw / "survey" / "responses" / "2026-10-26 (1).csv")
    write_csv(raw / "survey" / "responses" / "2026-10-06.csv", SURVEY_HEADER, [survey_row("r-x", "很好很好")],
              encoding="utf-8")  # a day before the sample, in UTF-8 where GB18030 is expected: quarantined
    outside = _outside(base)
    (raw / "helpdesk" / "group" / "2026-10-27.csv").symlink_to(outside / "2024-03-06.csv")
    (raw / "crm" / "orders" / ".2026-10-26.parquet.part").write_bytes(b"half written")
    build = data / "build" / "warehouse.duckdb"
    build.parent.mkdir(exist_ok=True)
    with duckdb.connect(str(build)) as con:  # the record an older landing left of a since deleted bad file
        ensure_raw_tables(con)
        con.execute("insert into raw._landing_manifest (run_id, file_path, system, entity, export_date, checksum, "
                    "landed_at, outcome, reason) values ('old', 'helpdesk/ticket/tickets_march.csv', 'helpdesk', "
                    "'ticket', null, 'abc', now(), 'quarantined', 'bad file name')")


def test_a_run_with_refused_files_builds_publishes_and_exits_3(faulty_tiny_run: FaultyTinyRun) -> None:
    """Before issue 21 a badly named file (or the record it left behind after it was deleted) failed the dbt
    build on data_quality_daily's NOT NULL date_day, a link's target landed, and a file refused by landing let
    ``ccw run`` exit 0."""
    data, output = faulty_tiny_run.data, faulty_tiny_run.output

    assert faulty_tiny_run.returncode == 3, output[-4000:]
    assert "Landing refused 3 file(s); the warehouse was built and published without them" in output
    for line in ("REFUSED survey/responses/2026-10-26 (1).csv: bad file name",
                 "QUARANTINED survey/responses/2026-10-06.csv: bad encoding",
                 "REFUSED helpdesk/group/2026-10-27.csv: symbolic link: never followed",
                 "IGNORED crm/orders/.2026-10-26.parquet.part: hidden file",
                 "RETIRED helpdesk/ticket/tickets_march.csv"):
        assert line in output, line
    assert SECRET_COLUMN not in output
    assert not any(SECRET_COLUMN.encode() in p.read_bytes() for p in (data / "quarantine").rglob("*") if p.is_file())
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:  # published
        checks = con.execute("select date_day, check_name, reason from marts.data_quality_daily "
                             "where check_name = 'file_refused'").fetchall()
        assert con.execute("select count(*) from marts.data_quality_daily where date_day is null").fetchone() == (0,)
    assert [(d, c) for d, c, _ in checks] == [(date(2026, 10, 6), "file_refused")], checks
    assert "Dagster run" in output and ": success; materialised" in output
