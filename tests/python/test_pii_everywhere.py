"""PII seeded into every text field of every source never reaches a published place in clear (issue 21, item 6).

One tiny sample is generated, then recognisable needles are written into the raw export files of every system and
entity of ``ccw.exports``: e-mail addresses (``pii.needle.N@leak-test.example``, also percent-encoded as ``%40`` in
URLs), phone numbers in several spellings (``+44 7700 900NNN``, ``0044 7700-900-NNN``, ``07700 900NNN``,
``138-0013-8NNN``, ``+86 138 0013 8NNN``, ``0086 13800138NNN``, URL-encoded ``%2B44%207700%20900NNN``) and person names
(``Needle Personname<tag>``), in free text (ticket subjects, comment bodies, survey comments), URLs (path, query
string, fragment), referrers, utm fields, device strings, IVR paths, disconnect reasons, ARNs, visitor ids, name,
e-mail and phone fields, CRM city and region, group names, the agent login of an event and the orders' currency.
A handful of rows in the latest file of each entity; keys, timestamps, enumerations checked by the raw gates and
references (agents, queues, customers, tickets) stay untouched, so every file lands and the run succeeds.
A URL is published with its path (the entry-page dimension), so names go into URL query strings and fragments
only: e-mails and phones are recognised by their shape anywhere, a name in a path cannot be (staging docs).

Then `ccw run` builds and publishes, and every published place is searched for each needle and for its normalised
variants (the e-mail's local part, the phone's national digits with or without separators and its last 8 digits,
the name's surname):
every table of the serving file (every column that can hold text), every Parquet file and the manifest, the daily
report and the GX Data Docs folder. The test asserts zero hits and names each hit's place and the field it came from.

Fields not seeded, and why: keys (ContactId, EventId, ticket/comment/user/group ids, session_id, response_id,
agent_id, customer_id of the CRM, order_id), references that must resolve (agent usernames and ids of the roster,
queue names, department, group_id, requester/assignee ids, customer ids elsewhere, contact_ref, Previous/NextContactId,
supervisor_id), timestamps and dates, numbers and booleans, and enumerations with an ``error`` accepted_values test
or a critical raw gate (channel, initiation method, state, status, priority, type, role, contact_channel, activity,
field_name): a needle there quarantines the row or stops the run, which tests the gates, not PII handling. The
workforce schedules export has no other field, so it is left as generated.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ccw.exports import GENERATED as ENTITIES
from ccw.exports import Entity
from conftest import FaultyTinyRun

DOMAIN = "leak-test.example"

# ------------------------------------------------------------------------------------------------- the needles
_SEP = r"(?:[\s.()/+\-]|%20|%2[Bb])?"  # one separator a spelling may put between two digits


def _digits_pattern(digits: str) -> str:
    return _SEP.join(digits)


#: Every needle contains one of these (case-insensitive): a hit of any of them anywhere is a leak.
_UK, _CN = "7700900", "13800138"  # national digits of the phone needles before their 3-digit number
GENERIC = re.compile(
    "|".join([
        r"personname(?P<tag>[a-z]{2})?",
        r"pii(?:[._-]|%2[Ee])?needle(?:[._-]|%2[Ee])?(?P<email>\d{3})?",
        rf"{_digits_pattern(_UK)}{_SEP}(?P<uk>\d{_SEP}\d{_SEP}\d)(?!\d)",
        rf"{_digits_pattern(_CN)}{_SEP}(?P<cn>\d{_SEP}\d{_SEP}\d)(?!\d)",
        r"(?<!\d)00900(?P<uk8>\d{3})(?!\d)",  # the last 8 digits alone, as a partial mask would keep them
        r"(?<!\d)00138(?P<cn8>\d{3})(?!\d)",
    ]),
    re.IGNORECASE,
)


def _tag(n: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[n // 26 % 26] + "abcdefghijklmnopqrstuvwxyz"[n % 26]


@dataclass
class Needles:
    """Hands out numbered needles and remembers which raw field each went to."""

    origin: dict[str, str] = field(default_factory=dict)  # needle key -> "<system>/<entity>.<field> (kind)"
    counter: int = 100
    current: str = ""

    def _next(self) -> int:
        self.counter += 1
        assert self.counter < 1000
        return self.counter

    def _note(self, key: str, kind: str) -> None:
        self.origin[key] = f"{self.current} ({kind})"

    def email(self, encoded: bool = False) -> str:
        n = self._next()
        self._note(f"email:{n}", "e-mail, %40" if encoded else "e-mail")
        return f"pii.needle.{n}{'%40' if encoded else '@'}{DOMAIN}"

    def uk_phone(self, spelling: int = 0) -> str:
        n = self._next()
        self._note(f"uk:{n}", "phone")
        return [
            f"+44 7700 900{n}", f"0044 7700-900-{n}", f"07700 900{n}", f"+447700900{n}", f"%2B44%207700%20900{n}",
        ][spelling]

    def cn_phone(self, spelling: int = 0) -> str:
        n = self._next()
        self._note(f"cn:{n}", "phone")
        return [f"138-0013-8{n}", f"+86 138 0013 8{n}", f"0086 13800138{n}", f"(+86) 138.0013.8{n}"][spelling]

    def name(self, joiner: str = " ") -> str:
        n = self._next()
        self._note(f"name:{_tag(n)}", "name")
        return f"Needle{joiner}Personname{_tag(n)}"

    @staticmethod
    def key_of(match: re.Match[str]) -> str | None:
        """Which needle a hit is (``email:123``, ``uk:123``, ``name:ab``), None when only the generic part matched."""
        groups = match.groupdict()
        for kind, value in (("name", groups["tag"]), ("email", groups["email"]), ("uk", groups["uk"]),
                            ("uk", groups["uk8"]), ("cn", groups["cn"]), ("cn", groups["cn8"])):
            if value:
                return f"{kind}:{value.lower() if kind == 'name' else re.sub(r'[^0-9]', '', value)}"
        return None

    def where(self, match: re.Match[str]) -> str:
        """The raw field a hit came from (or '?' when only the generic part matched)."""
        key = self.key_of(match)
        return "?" if key is None else self.origin.get(key, f"unknown needle {key}")


# ----------------------------------------------------------------------------------------- seeding the exports
JSON_SEPARATORS = (",", ":")


def _latest_file(raw_root: Path, entity: Entity) -> Path:
    files = sorted(entity.directory(raw_root).glob(f"*.{entity.extension}"))
    assert files, f"the tiny sample has no {entity.table} file"
    return files[-1]


def _seed_jsonl(path: Path, picks: Callable[[dict], bool], seeders: list[Callable[[dict], None]]) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    todo = list(seeders)
    for i, line in enumerate(lines):
        if not todo:
            break
        record = json.loads(line)
        if picks(record):
            todo.pop(0)(record)
            lines[i] = json.dumps(record, ensure_ascii=False, separators=JSON_SEPARATORS)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(seeders) - len(todo)


def _seed_csv(path: Path, encoding: str, picks: Callable[[dict], bool],
              seeders: list[Callable[[dict], None]]) -> int:
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    todo = list(seeders)
    for row in rows:
        if not todo:
            break
        if picks(row):
            todo.pop(0)(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return len(seeders) - len(todo)


def _seed_parquet(path: Path, column: str, values: list[str]) -> int:
    table = pq.read_table(path)
    current = table.column(column).to_pylist()
    current[: len(values)] = values
    index = table.schema.get_field_index(column)
    table = table.set_column(index, table.schema.field(index), pa.array(current, table.schema.field(index).type))
    pq.write_table(table, path)
    return len(values)


Seeder = Callable[[dict], None]


def _setter(nd: Needles, entity: Entity) -> Callable[..., Seeder]:
    """``s(field=make, ...)``: a seeder writing ``make()`` into each field (``a.b``: a nested JSON field)."""

    def s(**values: Callable[[], str]) -> Seeder:
        def apply(record: dict) -> None:
            for dotted, make in values.items():
                nd.current = f"{entity.system}/{entity.name}.{dotted}"
                target, *path = [record, *dotted.split(".")]
                for part in path[:-1]:
                    target = target[part]
                target[path[-1]] = make()

        return apply

    return s


ARN = "arn:aws:connect:eu-west-2:111122223333:instance/x/queue/"
PAGE = "https://shop.example.com/orders"


def _contact_records(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: bool(r.get("Queue") and r.get("Agent") and r.get("Attributes")), [
        s(**{"CustomerEndpoint.Address": lambda: nd.uk_phone(0),
             "Attributes.ivr_path": lambda: f"main>callback>{nd.cn_phone(0)}>agent",
             "Queue.ARN": lambda: ARN + nd.email(),
             "DisconnectReason": lambda: f"CUSTOMER_DISCONNECT {nd.email()}"}),
        s(**{"CustomerEndpoint.Address": lambda: nd.uk_phone(1),
             "Attributes.ivr_path": lambda: f"main>email>{nd.email()}>agent",
             "Queue.ARN": lambda: ARN + nd.uk_phone(3)}),
        s(**{"CustomerEndpoint.Address": lambda: nd.cn_phone(0),
             "Attributes.ivr_path": lambda: f"main>name>{nd.name()}",
             "DisconnectReason": lambda: f"AGENT_DISCONNECT {nd.cn_phone(1)}"}),
    ]


def _agent_events(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    # the only text field besides the key, the time and the state is the agent's login, here an e-mail (Amazon
    # Connect logins often are one); one unknown agent in a file stays below the raw gates' 2 %
    return lambda r: r.get("State") == "AVAILABLE", [s(Username=lambda: nd.email())]


def _tickets(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: True, [
        s(subject=lambda: f"Refund for {nd.name()}, call {nd.uk_phone(0)} or write {nd.email()}"),
        s(subject=lambda: f"退款 {nd.cn_phone(0)} 联系 {nd.name()} {nd.email()}"),
        s(subject=lambda: f"Order link https://shop.example.com/o?e={nd.email(encoded=True)}&p={nd.uk_phone(4)}"),
    ]


def _comments(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: True, [
        s(body=lambda: f"Hi {nd.name()}, please call me on {nd.uk_phone(2)}.\nThanks, {nd.email()}"),
        s(body=lambda: f"客户 {nd.name()} 的电话 {nd.cn_phone(1)}，邮箱 {nd.email()}。"),
        s(body=lambda: f"Forwarded from {nd.email()} <{nd.cn_phone(2)}>, \"quoted\", comma"),
    ]


def _users(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: r["role"] == "end-user", [
        s(name=nd.name, email=nd.email, phone=lambda: nd.uk_phone(0)),
        s(name=nd.name, email=lambda: nd.email().upper(), phone=lambda: nd.cn_phone(1)),
        s(name=nd.name, email=lambda: f" {nd.email()} ", phone=lambda: nd.cn_phone(2)),
        s(name=lambda: f"{nd.name()} ({nd.email()})", phone=lambda: nd.uk_phone(2)),
    ]


def _groups(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: True, [s(name=lambda: f"Escalations {nd.email()} {nd.uk_phone(0)}")]


def _chat_sessions(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: True, [
        s(visitor_id=lambda: f"v_{nd.email()}",
          email=nd.email,
          entry_page_url=lambda: f"{PAGE}?email={nd.email(encoded=True)}&name={nd.name('+')}"
                                 f"&tel={nd.uk_phone(4)}#{nd.email()}",
          referrer=lambda: f"https://mail.example.net/inbox/{nd.email(encoded=True)}?from={nd.name('%20')}",
          utm_source=lambda: f"newsletter_{nd.email()}",
          device=lambda: f"mobile {nd.uk_phone(0)}"),
        s(visitor_id=lambda: nd.cn_phone(0),
          email=lambda: nd.email().upper(),
          entry_page_url=lambda: f"https://shop.example.com/u/{nd.email(encoded=True)}/orders",
          referrer=lambda: f"https://www.google.com/search?q={nd.cn_phone(1).replace(' ', '+')}",
          utm_source=lambda: f"sms {nd.cn_phone(2)}",
          device=lambda: f"tablet {nd.email()}"),
        s(entry_page_url=lambda: f"https://shop.example.com/p/{nd.uk_phone(3)}/?who={nd.name('-')}",
          referrer=lambda: f"android-app://com.mail/{nd.email()}",
          utm_source=lambda: nd.email(encoded=True)),
    ]


def _surveys(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: bool(r["responded_at"]), [
        s(comment=lambda: f"服务很好，谢谢{nd.name()}！我的电话 {nd.cn_phone(0)}，邮箱 {nd.email()}"),
        s(comment=lambda: f"Call me back on {nd.uk_phone(1)} or {nd.email(encoded=True)} - {nd.name()}"),
        s(comment=lambda: f"不满意，请联系 {nd.cn_phone(3)}"),
    ]


def _roster(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: True, [s(full_name=nd.name, email=nd.email), s(full_name=nd.name, email=nd.email)]


def _nothing(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    """Field history (status, priority, assignee and group values the ticket history must resolve) and schedules
    (agent id, date, activity, local times): keys, enumerations and timestamps, no field to seed."""
    return lambda r: True, []


def _customers(nd: Needles, s: Callable[..., Seeder]) -> tuple[Callable[[dict], bool], list[Seeder]]:
    return lambda r: True, [
        s(phone=lambda: nd.uk_phone(0), email=nd.email, city=lambda: f"Leeds {nd.uk_phone(2)}"),
        s(phone=lambda: nd.cn_phone(2), email=lambda: nd.email().upper(), region=lambda: f"UK North, {nd.email()}"),
        s(phone=lambda: nd.cn_phone(1), email=lambda: f"  {nd.email()}", city=lambda: f"c/o {nd.email()}"),
    ]


#: raw table -> what to seed in its latest file: (which rows, one seeder per row taken in file order)
SEEDING = {
    "telephony__contact_records": _contact_records,
    "telephony__agent_events": _agent_events,
    "helpdesk__ticket": _tickets,
    "helpdesk__ticket_comment": _comments,
    "helpdesk__ticket_field_history": _nothing,
    "helpdesk__user": _users,
    "helpdesk__group": _groups,
    "chat__sessions": _chat_sessions,
    "survey__responses": _surveys,
    "workforce__agents": _roster,
    "workforce__schedules": _nothing,
    "crm__customers": _customers,
}
NOTHING_TO_SEED = {"helpdesk__ticket_field_history", "workforce__schedules"}


def seed_pii(raw_root: Path) -> Needles:
    """Write needles into a handful of rows of the latest file of every entity; returns where each went."""
    nd = Needles()
    seeded: dict[str, int] = {}
    for entity in ENTITIES:
        path = _latest_file(raw_root, entity)
        if entity.file_format == "parquet":  # crm orders: currency is the one text field that is no key or status
            assert entity.table == "crm__orders", f"seed the Parquet export {entity.table}"
            nd.current = f"{entity.system}/{entity.name}.currency"
            seeded[entity.table] = _seed_parquet(path, "currency", [nd.email(), nd.cn_phone(0)])
            continue
        assert entity.table in SEEDING, f"{entity.table} is a new export entity: seed PII into its text fields"
        picks, seeders = SEEDING[entity.table](nd, _setter(nd, entity))
        if entity.file_format == "jsonl":
            seeded[entity.table] = _seed_jsonl(path, picks, seeders)
        else:
            seeded[entity.table] = _seed_csv(path, entity.encoding, picks, seeders)
        assert seeded[entity.table] == len(seeders), f"{entity.table}: too few rows to seed in {path.name}"
    assert not {t for t, n in seeded.items() if n == 0} - NOTHING_TO_SEED
    return nd


# ------------------------------------------------------------------------------------------ scanning the outputs
_NOT_TEXT = re.compile(
    r"^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|"
    r"REAL|DECIMAL.*|DATE|TIME.*|TIMESTAMP.*|INTERVAL|UUID)$",
)


@dataclass(frozen=True)
class Hit:
    place: str
    source_field: str
    snippet: str
    needle: str | None = None

    def __str__(self) -> str:
        return f"{self.place}: {self.snippet!r} <- {self.source_field}"


def _hits_in_text(text: str, place: str, nd: Needles) -> Iterator[Hit]:
    for match in GENERIC.finditer(text):
        start, end = max(0, match.start() - 40), match.end() + 40
        yield Hit(place, nd.where(match), text[start:end].replace("\n", " "), nd.key_of(match))


def _scan_relation(con: duckdb.DuckDBPyConnection, relation: str, place: str, nd: Needles) -> list[Hit]:
    hits = []
    for column, column_type, *_ in con.execute(f"describe select * from {relation}").fetchall():
        if _NOT_TEXT.match(column_type):
            continue
        values = con.execute(
            f'select distinct cast("{column}" as varchar) from {relation} where "{column}" is not null'
        ).fetchall()
        for (value,) in values:
            hits += list(_hits_in_text(value, f"{place}.{column}", nd))
    return hits


def scan_serving_file(warehouse: Path, nd: Needles) -> tuple[list[Hit], int]:
    hits: list[Hit] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            hits += _scan_relation(con, f'"{schema}"."{table}"', f"{warehouse.name}:{schema}.{table}", nd)
    return hits, len(tables)


def scan_parquet(folder: Path, nd: Needles) -> tuple[list[Hit], int]:
    hits: list[Hit] = []
    files = sorted(folder.glob("*.parquet"))
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        for path in files:
            relation = f"read_parquet('{path.as_posix()}')"
            hits += _scan_relation(con, relation, f"parquet/{path.name}", nd)
            metadata = pq.read_metadata(path).metadata or {}
            for key, value in metadata.items():
                hits += _hits_in_text(f"{key!r}: {value!r}", f"parquet/{path.name} (file metadata)", nd)
    for path in sorted(folder.glob("*.json")):
        hits += _hits_in_text(path.read_text(encoding="utf-8"), f"parquet/{path.name}", nd)
    return hits, len(files)


def scan_files(root: Path, suffixes: tuple[str, ...], label: str, nd: Needles) -> tuple[list[Hit], int]:
    hits: list[Hit] = []
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        place = f"{label}/{path.relative_to(root).as_posix()}"
        found = list(_hits_in_text(text, place, nd))
        unescaped = html.unescape(text)
        if unescaped != text:  # an "&#64;" or "&amp;" between the parts of a needle
            seen = {h.snippet for h in found}
            found += [h for h in _hits_in_text(unescaped, place, nd) if h.snippet not in seen]
        hits += found
    return hits, len(files)


# ------------------------------------------------------------------------------------------------------ the test
def test_the_generic_patterns_find_every_needle_and_its_normalised_variants() -> None:
    nd = Needles()
    nd.current = "unit"
    samples = [nd.email(), nd.email(encoded=True), nd.name(), nd.name("+"), *(nd.uk_phone(i) for i in range(5)),
               *(nd.cn_phone(i) for i in range(4))]
    variants = ["pii.needle.101", "PII.NEEDLE.102", "+447700900105", "7700900106", "8613800138110", "13800138111",
                "no. 00900107", "x00138112", f"PERSONNAME{_tag(103).upper()}", "pii_needle", "Personname"]
    for text in samples + variants:
        match = GENERIC.search(text)
        assert match is not None, text
        assert nd.where(match) != "?" or text in ("pii_needle", "Personname"), text
    harmless = ["leak-test.example", "[email] [phone]", "2026-10-26 17:00:00", "+8613912345678",
                "a3f00b7700c900d123", "0.7700900", "377.0090031234", "Needle", "1009001234", "2001381234"]
    assert [t for t in harmless if GENERIC.search(t)] == []


def test_no_seeded_pii_in_any_published_place(faulty_tiny_run: FaultyTinyRun) -> None:
    """The seeded sample also holds files landing refuses (test_land_paths): the run publishes and exits 3."""
    started = time.perf_counter()
    data, nd, output = faulty_tiny_run.data, faulty_tiny_run.needles, faulty_tiny_run.output
    assert len(nd.origin) >= 60, "every kind of needle in many fields"
    assert faulty_tiny_run.returncode == 3, (
        f"ccw run failed on the seeded sample (exit {faulty_tiny_run.returncode}):\n{output[-8000:]}")
    with duckdb.connect(str(data / "build" / "warehouse.duckdb"), read_only=True) as con:
        quarantined = con.execute("select raw_table, rule, cast(row_data as varchar) from quality.quarantined_rows")
        set_aside = [(t, rule) for t, rule, row in quarantined.fetchall() if GENERIC.search(row)]
        assert not set_aside, f"the raw gates quarantined seeded rows (seed other fields): {set_aside}"
        landed = {h.needle for e in ENTITIES for h in _scan_relation(con, f'raw."{e.table}"', e.table, nd)}
    missing = sorted(set(nd.origin) - landed, key=nd.origin.get)
    assert not missing, "seeded needles that never landed (the test would prove nothing for them): " + ", ".join(
        f"{k} ({nd.origin[k]})" for k in missing)

    hits, tables = scan_serving_file(data / "warehouse.duckdb", nd)
    parquet_hits, parquet_files = scan_parquet(data / "parquet", nd)
    report_hits, report_files = scan_files(data / "report", (".html", ".htm", ".json", ".svg"), "report", nd)
    docs_hits, docs_files = scan_files(data / "quality", (".html", ".htm", ".json"), "quality", nd)
    assert tables >= 20 and parquet_files >= 20, (tables, parquet_files)
    assert report_files >= 1 and docs_files >= 10, (report_files, docs_files)

    leaks = hits + parquet_hits + report_hits + docs_hits
    print(f"\n{len(nd.origin)} needles; scanned {tables} tables, {parquet_files} Parquet files, {report_files} report "
          f"file(s), {docs_files} Data Docs files in {time.perf_counter() - started:.0f} s (the run: "
          f"{faulty_tiny_run.seconds:.0f} s)")
    assert not leaks, f"{len(leaks)} clear PII value(s) published:\n" + "\n".join(
        str(h) for h in sorted(set(leaks), key=str)[:80]
    )
