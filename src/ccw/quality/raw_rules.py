"""What the raw gates check, per landed entity: the readable part of the raw suites.

Each entity gets (``raw_suites`` turns them into GX expectations, one suite per raw table):

- its registry columns (a GX column-set expectation) and their types (one query on ``describe``), critical;
- its key present (critical, row) and no record version twice in one file (critical, row);
- its *record time* (``window``) parseable and within the export day minus ``before_days`` .. plus
  ``after_days`` (critical, row; a history snapshot such as the CRM only has the upper bound, and so has a file
  landing marked as a history dump, ``raw._landing_files.export_kind = 'history'``: the first file of an entity or
  one landed by ``ccw land --history``; records after the export day + ``after_days`` are flagged in every file);
- its other timestamps parseable, durations within [0, ceiling] (warning, row: staging nulls and flags them);
- its enumerations, taken from the ``accepted_values`` tests of the staging model (a dbt error test is a
  critical gate, a dbt ``warn`` test a warning);
- unknown agents (vs. the roster) and queues (vs. seeds/queues.csv) per file (warning above 2 %, critical
  above 20 %, file level);
- each file's row count against the median of the previous same-weekday files (critical below 50 %:
  a half-empty export; warning above 300 %), the history read from the whole raw table.

Row rules return the failing ``(_source_file, _row_number)``; rows failing a critical one are quarantined.
File rules return the failing ``_source_file``s; a critical one makes the file untrusted.

``__BATCH__`` is what a run judges: the rows of the files landed since the raw gates last passed, or the whole table
(``ccw.quality.batches``); a rule that needs history (the volume band, the history dumps, the roster) reads the whole
raw or landing table by name.

**GX's own expectations, or custom SQL.** The suites use GX's built-ins where one says what the rule says: the
column set (``ExpectTableColumnsToMatchSet``) and at least one row (``ExpectTableRowCountToBeBetween``). Every rule
here is custom SQL (``Rule``, run by ``ExpectNoFailingRows``) because GX 1.24 on DuckDB has no expectation that
says the same, or none the gates can afford (``tests/python/test_quality_builtins.py`` pins each reason and fails
when GX changes it; figures: raw gates on the tiny sample, same machine, runs interleaved):

- *column types*: ``ExpectColumnValuesToBeOfType`` runs on DuckDB but compares SQLAlchemy classes: a
  ``DECIMAL(10,0)`` passes ``DECIMAL`` (the registry says ``DECIMAL(12,2)``), ``TIMESTAMP WITH TIME ZONE`` passes
  ``TIMESTAMP``, and ``STRUCT``/``JSON`` columns reflect as ``NullType``; one expectation per scalar column (336)
  took the raw gates from 1.68 s to 2.61 s (+55 %), against one ``describe`` query here;
- *key present* (not null, not blank, as staging's ``clean_text``) and *enumerations* (the value as staging reads it,
  trimmed and in its case, in the accepted set): on the raw text ``ExpectColumnValuesToNotBeNull`` passes a blank
  key and ``ExpectColumnValuesToBeInSet`` fails ``" available"``, which staging accepts; the regex expectations
  raise "Regex is not supported for dialect duckdb" (GX has no DuckDB dialect module) and a ``row_condition``
  only compares a column with constants (no trim, no case). The built-ins say the same only on the values read
  as staging reads them: a prototype gave each raw table a view with those columns (``quality.clean`` and the
  case), validated the suites on it and quarantined through GX's ``unexpected_index_query``; verdicts and
  quarantine were identical, but the raw gates went from 1.65-1.69 s to 2.21-2.23 s (+33 %): every other rule's
  query binds the view's macro columns (about 2 ms more a query), and the built-ins add GX's metric work (a
  count query per table, a sample query per expectation, several metrics each where ``ExpectNoFailingRows``
  resolves one). GX's ``unexpected_index_list`` would not do for quarantine either: it stops at
  ``partial_unexpected_count`` (20) even with ``COMPLETE``;
- *no record version twice in one file*: ``ExpectCompoundColumnsToBeUnique`` fails every copy, the first one too,
  and the record would be set aside; only the later copies go;
- *record times and other timestamps*: parsing several formats (ISO with offsets, epoch milliseconds, local
  wall-clock times on their date) and end-before-start skew, which GX does not do;
- *durations* (whole seconds in [0, ceiling]): text fields inside a struct (``"Queue".Duration``); GX addresses
  top-level columns only, and ``ExpectColumnValuesToBeBetween`` on a cast would pass text that is no number;
- *unknown agents and queues* (other tables, per-file shares) and the *same-weekday volume band* (a band against
  each file's own history): GX has no cross-table or per-file expectation;
- *file trust and quarantine* are no expectation at all: ``ccw.quality.quarantine`` and ``ccw.quality.gates``.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ccw.config import PROJECT_ROOT
from ccw.exports import BY_TABLE, LANDING_COLUMNS, Entity
from ccw.quality import sql

CRITICAL, WARNING = "critical", "warning"
ROW, FILE, TABLE, SCHEMA = "row", "file", "table", "schema"


BATCH = "__BATCH__"


@dataclass(frozen=True)
class Rule:
    """One check, as a query returning what fails it (nothing when it passes)."""

    name: str  # unique within its suite, e.g. "ContactId_present"
    description: str
    sql: str  # over the table ``__BATCH__``; row rules select _source_file, _row_number; file rules _source_file
    severity: str  # critical | warning
    kind: str  # row | file | table

    @property
    def query(self) -> str:
        """The GX ``unexpected_rows_query``: braces doubled for ``str.format``, the table as ``{batch}``."""
        return self.sql.replace("{", "{{").replace("}", "}}").replace(BATCH, "{batch}")

    def on(self, relation: str) -> str:
        """The SQL run against ``relation`` (what GX runs for ``{batch}``)."""
        return self.sql.replace(BATCH, relation)


@dataclass(frozen=True)
class Timestamp:
    column: str  # raw column or struct path, e.g. '"Queue".EnqueueTimestamp'
    fmt: str  # iso | epoch_ms | local | date | native
    date_column: str | None = None  # for local wall-clock times without a date

    @property
    def label(self) -> str:
        return self.column.replace('"', "").replace(".", "_")

    def parsed(self) -> str:
        return sql.parsed(sql.quote(self.column), self.fmt, self.date_column and sql.quote(self.date_column))

    def unparseable(self) -> str:
        return sql.unparseable(sql.quote(self.column), self.fmt, self.date_column and sql.quote(self.date_column))


@dataclass(frozen=True)
class Window:
    """The record's own time must fall near its export day (``history``: only not after it)."""

    at: Timestamp
    before_days: int = 7
    after_days: int = 1
    history: bool = False


@dataclass(frozen=True)
class Enum:
    column: str  # raw column
    staging_model: str
    staging_column: str
    case: str  # "upper" | "lower": how staging normalises the value before its accepted_values test


@dataclass(frozen=True)
class Reference:
    """Values that must be known: roster identifiers (agents) or seeds/queues.csv refs (queues)."""

    column: str
    what: str  # "agent" | "queue"
    roster_column: str | None = None  # agents: the raw.workforce__agents column holding the same id
    # agents: the source's own agent directory (SQL selecting the ids), known even when missing from the roster
    directory: str | None = None
    queue_system: str | None = None  # queues: the source_system of seeds/queues.csv


@dataclass(frozen=True)
class RawSpec:
    table: str
    window: Window | None = None
    timestamps: tuple[Timestamp, ...] = ()
    durations: tuple[tuple[str, str], ...] = ()  # (column, ceiling kind of macros/staging/durations.sql)
    negative_spans: tuple[tuple[Timestamp, Timestamp], ...] = ()  # (start, end): end before start is skew
    enums: tuple[Enum, ...] = ()
    references: tuple[Reference, ...] = ()
    volume_band: bool = True
    extra: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def entity(self) -> Entity:
        return BY_TABLE[self.table]


def _iso(*columns: str) -> tuple[Timestamp, ...]:
    return tuple(Timestamp(c, "iso") for c in columns)


#: the help desk's own agents: users with role agent or admin (an assignee missing from the roster is one of them)
HELPDESK_AGENTS = "select id from raw.helpdesk__user where lower(trim(role)) in ('agent', 'admin')"

SPECS: tuple[RawSpec, ...] = (
    RawSpec(
        "telephony__contact_records",
        window=Window(Timestamp("InitiationTimestamp", "iso")),
        timestamps=_iso(
            "DisconnectTimestamp", "LastUpdateTimestamp", '"Queue".EnqueueTimestamp', '"Queue".DequeueTimestamp',
            '"Agent".ConnectedToAgentTimestamp', '"Agent".AfterContactWorkStartTimestamp',
            '"Agent".AfterContactWorkEndTimestamp',
        ),
        durations=(
            ('"Queue".Duration', "call_part"),
            ('"Agent".AgentInteractionDuration', "call_part"),
            ('"Agent".CustomerHoldDuration', "call_part"),
            ('"Agent".AfterContactWorkDuration', "call_part"),
        ),
        enums=(
            Enum("Channel", "stg_telephony__contact_records", "channel", "upper"),
            Enum("InitiationMethod", "stg_telephony__contact_records", "initiation_method", "upper"),
        ),
        references=(
            Reference('"Agent".Username', "agent", roster_column="username"),
            Reference('"Queue".Name', "queue", queue_system="telephony"),
        ),
    ),
    RawSpec(
        "telephony__agent_events",
        window=Window(Timestamp("EventTimestamp", "iso")),
        enums=(Enum("State", "stg_telephony__agent_events", "state", "upper"),),
        references=(Reference("Username", "agent", roster_column="username"),),
    ),
    RawSpec(
        "helpdesk__ticket",
        window=Window(Timestamp("updated_at", "iso")),
        timestamps=_iso("created_at"),
        negative_spans=((Timestamp("created_at", "iso"), Timestamp("updated_at", "iso")),),
        enums=(
            Enum("status", "stg_helpdesk__tickets", "status", "lower"),
            Enum("priority", "stg_helpdesk__tickets", "priority", "lower"),
            Enum("type", "stg_helpdesk__tickets", "ticket_type", "lower"),
            Enum("via_channel", "stg_helpdesk__tickets", "via_channel", "lower"),
        ),
        references=(
            Reference("assignee_id", "agent", roster_column="helpdesk_user_id", directory=HELPDESK_AGENTS),
            Reference("group_id", "queue", queue_system="helpdesk"),
        ),
    ),
    RawSpec("helpdesk__ticket_comment", window=Window(Timestamp("created", "iso"))),
    RawSpec(
        "helpdesk__ticket_field_history",
        window=Window(Timestamp("updated", "iso")),
        enums=(Enum("field_name", "stg_helpdesk__ticket_field_history", "field_name", "lower"),),
    ),
    RawSpec(
        "helpdesk__user",
        window=Window(Timestamp("created_at", "iso"), history=True),
        enums=(Enum("role", "stg_helpdesk__users", "user_role", "lower"),),
        volume_band=False,  # a full load, then new users only
    ),
    RawSpec("helpdesk__group", volume_band=False),
    # entities of real exports only (Zendesk as the Fivetran connector writes it): reference tables and ratings
    RawSpec("helpdesk__organization", window=Window(Timestamp("created_at", "iso"), history=True), volume_band=False),
    RawSpec("helpdesk__ticket_tag", volume_band=False),
    RawSpec("helpdesk__brand", volume_band=False),
    RawSpec(
        "helpdesk__satisfaction_rating",
        window=Window(Timestamp("updated_at", "iso"), history=True),
        timestamps=_iso("created_at"),
        volume_band=False,
    ),
    RawSpec(
        "chat__sessions",
        window=Window(Timestamp("requested_at", "epoch_ms")),
        timestamps=(Timestamp("first_agent_message_at", "epoch_ms"), Timestamp("ended_at", "epoch_ms")),
        negative_spans=((Timestamp("requested_at", "epoch_ms"), Timestamp("ended_at", "epoch_ms")),),
        enums=(Enum("device", "stg_chat__sessions", "device", "lower"),),
        references=(
            Reference("agent_id", "agent", roster_column="chat_agent_id"),
            Reference("department", "queue", queue_system="chat"),
        ),
    ),
    RawSpec(
        "survey__responses",
        window=Window(Timestamp("sent_at", "iso")),
        timestamps=_iso("responded_at"),
        enums=(Enum("contact_channel", "stg_survey__responses", "contact_channel", "lower"),),
    ),
    RawSpec(
        "workforce__agents",
        timestamps=(Timestamp("hire_date", "date"),),
        enums=(Enum("employment_status", "stg_workforce__agents", "employment_status", "lower"),),
    ),
    RawSpec(
        "workforce__schedules",
        window=Window(Timestamp("schedule_date", "date"), before_days=7, after_days=62),
        timestamps=(
            Timestamp("start_local", "local", date_column="schedule_date"),
            Timestamp("end_local", "local", date_column="schedule_date"),
        ),
        enums=(Enum("activity", "stg_workforce__schedules", "activity", "lower"),),
        references=(Reference("agent_id", "agent", roster_column="agent_id"),),
    ),
    RawSpec(
        "crm__customers",
        window=Window(Timestamp("created_at", "iso"), history=True),
        volume_band=False,  # a full load, then new customers only
    ),
    RawSpec(
        "crm__orders",
        window=Window(Timestamp("ordered_at", "native"), history=True),
        enums=(Enum("status", "stg_crm__orders", "status", "lower"),),
        volume_band=False,  # a history backfill on the first day, then the day's orders
    ),
)

BY_SPEC_TABLE = {s.table: s for s in SPECS}

#: Thresholds of the file-level reference and volume rules.
UNKNOWN_WARNING_SHARE = 0.02
UNKNOWN_CRITICAL_SHARE = 0.20
VOLUME_LOW_SHARE = 0.5
VOLUME_HIGH_RATIO = 3.0
VOLUME_MIN_HISTORY = 3  # previous same-weekday files needed before the band applies
VOLUME_MIN_MEDIAN = 20  # rows: below this a day is too small to judge


# ----------------------------------------------------------------------------------------- reference data
@functools.cache
def staging_accepted_values(project_root: Path = PROJECT_ROOT) -> dict[tuple[str, str], tuple[list[str], str]]:
    """``(staging model, column) -> (accepted values, dbt severity 'error'|'warn')`` from the staging YAML
    (read once per process; treat as read-only)."""
    out: dict[tuple[str, str], tuple[list[str], str]] = {}
    for path in sorted((project_root / "models" / "staging").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models", []):
            for column in model.get("columns", []):
                for test in column.get("data_tests", []) or []:
                    if isinstance(test, dict) and "accepted_values" in test:
                        spec = test["accepted_values"]
                        values = (spec.get("arguments") or spec).get("values")
                        severity = str((spec.get("config") or {}).get("severity", "error")).lower()
                        out[(model["name"], column["name"])] = ([str(v) for v in values], severity)
    return out


@functools.cache
def queue_refs(project_root: Path = PROJECT_ROOT) -> dict[str, list[str]]:
    """``source_system -> source_queue_ref`` values of seeds/queues.csv."""
    out: dict[str, list[str]] = {}
    with (project_root / "seeds" / "queues.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["source_system"], []).append(row["source_queue_ref"])
    return out


# ----------------------------------------------------------------------------------------------- rules
def _row_rule(name: str, description: str, failing: str, severity: str) -> Rule:
    return Rule(name, description, f"select _source_file, _row_number from {BATCH} where {failing}", severity, ROW)


def _normalised_type(raw_type: str) -> str:
    """A DuckDB type as ``describe`` and the registry both spell it, once quotes and spaces are gone."""
    return raw_type.replace('"', "").replace(" ", "").upper()


def schema_rules(entity: Entity) -> list[Rule]:
    """Every column has the registry's type (one query on the table's description, not one per column)."""
    columns = {**entity.raw_columns, **LANDING_COLUMNS}
    expected = ", ".join(f"({sql.literal(c)}, {sql.literal(_normalised_type(t))})" for c, t in columns.items())
    return [Rule(
        "column_types_match_registry",
        "every column has the type of the export registry (ccw.exports) and of landing",
        f"with expected (column_name, expected_type) as (values {expected}), "
        "actual as (select column_name, upper(replace(replace(column_type, '\"', ''), ' ', '')) as actual_type "
        f"from (describe {BATCH})) "
        "select e.column_name, e.expected_type, a.actual_type from expected as e "
        "join actual as a on a.column_name = e.column_name where a.actual_type <> e.expected_type",
        CRITICAL,
        SCHEMA,
    )]


def key_rules(entity: Entity) -> list[Rule]:
    keys = [k for k in entity.key if not k.startswith("_")]
    rules = [
        _row_rule(f"{k}_present", f"{k} is present (not null, not blank): the record's key",
                  sql.blank(sql.quote(k)), CRITICAL)
        for k in keys
    ]
    # Candidates first (the same key text twice in a file: cheap), then whole records compared among them only;
    # exact copies have the same key text, so the key is not cleaned here.
    key_of = ["b." + sql.quote(k) for k in keys]
    names = [f"key_{i}" for i in range(len(keys))]
    grouped = ", ".join(f"{expr} as {name}" for expr, name in zip(key_of, names, strict=True))
    joined = " and ".join(f"r.{name} = {expr}" for expr, name in zip(key_of, names, strict=True))
    record = "hash(" + ", ".join("b." + sql.quote(c) for c in [*entity.raw_columns, "_extra"]) + ")"
    rules.append(Rule(
        f"{'_'.join(keys)}_unique_per_version",
        f"no record version twice in one file (same {', '.join(keys)}, same values): later copies set aside",
        f"with repeated as (select b._source_file, {grouped} from {BATCH} as b "
        f"group by b._source_file, {', '.join(names)} having count(*) > 1), "
        f"candidates as (select b._source_file, b._row_number, {', '.join('r.' + n for n in names)}, "
        f"{record} as record_hash from {BATCH} as b join repeated as r on r._source_file = b._source_file "
        f"and {joined}), "
        f"copies as (select _source_file, _row_number, row_number() over (partition by _source_file, "
        f"{', '.join(names)}, record_hash order by _row_number) as copy_number from candidates) "
        f"select _source_file, _row_number from copies where copy_number > 1",
        CRITICAL,
        ROW,
    ))
    return rules


#: the files landing marked as history dumps (``ccw.land.runner``: the first file of an entity, or ``ccw land
#: --history``): the record-time rule judges them only against the future, and this floor
HISTORY_FILES = "select file_path from raw._landing_files where export_kind = 'history'"
HISTORY_FLOOR = "2000-01-01"


def window_rules(window: Window) -> list[Rule]:
    """The record's time: present, parseable and near its export day (one scan: parsed once per row)."""
    at = window.at
    text = "null" if at.fmt == "native" else sql.clean(sql.quote(at.column))
    upper = f"cast(cast(_export_date as date) + {window.after_days + 1} as timestamp)"
    if window.history:
        bounds = f"record_at >= {upper} or record_at < timestamp '2000-01-01'"
        what = f"not after the export day + {window.after_days} day(s), not before 2000; may be empty"
        missing = "false"
    else:
        lower = f"cast(cast(_export_date as date) - {window.before_days} as timestamp)"
        bounds = (
            f"record_at >= {upper} or (record_at < {lower} and (record_at < timestamp '{HISTORY_FLOOR}' "
            f"or _source_file not in ({HISTORY_FILES})))"
        )
        what = (f"within the export day - {window.before_days} .. + {window.after_days} day(s) (a history dump: "
                f"not after the export day + {window.after_days} day(s), not before {HISTORY_FLOOR[:4]})")
        missing = "record_text is null" if at.fmt != "native" else "record_at is null"
    unparsed = "record_text is not null and record_at is null" if at.fmt != "native" else "false"
    return [Rule(
        f"{at.label}_valid_record_time",
        f"{at.label}, the record's time, is a valid timestamp {what}",
        f"select _source_file, _row_number from (select _source_file, _row_number, _export_date, "
        f"{text} as record_text, {at.parsed()} as record_at from {BATCH}) as times "
        f"where {missing} or ({unparsed}) or {bounds}",
        CRITICAL,
        ROW,
    )]


def timestamp_rules(spec: RawSpec) -> list[Rule]:
    rules = [
        _row_rule(f"{t.label}_parseable", f"{t.label} is a valid timestamp when present (staging nulls and flags it)",
                  t.unparseable(), WARNING)
        for t in spec.timestamps
    ]
    for start, end in spec.negative_spans:
        rules.append(_row_rule(f"{end.label}_not_before_{start.label}",
                               f"{end.label} is not before {start.label} (clock skew: staging nulls the duration)",
                               f"{end.parsed()} < {start.parsed()}", WARNING))
    return rules


def duration_rules(spec: RawSpec) -> list[Rule]:
    rules = []
    for column, kind in spec.durations:
        ceiling = sql.DURATION_CEILINGS[kind]
        label = column.replace('"', "").replace(".", "_")
        rules.append(_row_rule(f"{label}_within_0_{ceiling}",
                               f"{label} is a whole number of seconds in [0, {ceiling}] (staging nulls and flags it)",
                               sql.invalid_duration(sql.quote(column), ceiling), WARNING))
    return rules


def enum_rules(spec: RawSpec, accepted: dict[tuple[str, str], tuple[list[str], str]]) -> list[Rule]:
    rules = []
    for enum in spec.enums:
        values, dbt_severity = accepted[(enum.staging_model, enum.staging_column)]
        raw, value = sql.quote(enum.column), f"{enum.case}({sql.clean(sql.quote(enum.column))})"
        rules.append(_row_rule(
            f"{enum.column}_accepted",
            f"{enum.column} is one of {', '.join(values)} "
            f"(accepted_values of {enum.staging_model}.{enum.staging_column})",
            # the exact value first: DuckDB evaluates the cleaned value only for the rows that are not
            f"{raw} not in {sql.in_list(values)} and {value} is not null and {value} not in {sql.in_list(values)}",
            CRITICAL if dbt_severity == "error" else WARNING,
        ))
    return rules


def _unknown(ref: Reference, queues: dict[str, list[str]], severity: str = WARNING) -> str:
    """True when ``value`` is not a known agent / queue: the exact text first, then the cleaned one.

    Agents are judged against the roster only when one is deployed (a centre without a workforce roster has every
    agent from its sources' own user tables: none is unknown). An agent missing from the roster is a warning; it
    stops the run (critical share) only when the source's own agent directory does not know it either: such an
    agent becomes an agent of unknown team in the models."""
    if ref.what == "agent":
        roster = sql.quote(ref.roster_column or "")
        unknown = (
            "exists (select 1 from raw.workforce__agents) "
            f"and value not in (select distinct {roster} from raw.workforce__agents) and {sql.clean('value')} not in "
            f"(select distinct {sql.clean(roster)} from raw.workforce__agents)"
        )
        if severity == CRITICAL and ref.directory:
            unknown += (
                f" and value not in ({ref.directory}) and {sql.clean('value')} not in "
                f"(select {sql.clean('id')} from ({ref.directory}) as directory)"
            )
        return unknown
    known = sql.in_list(queues.get(ref.queue_system or "", []))
    return f"value not in {known} and {sql.clean('value')} not in {known}"


def reference_rules(spec: RawSpec, queues: dict[str, list[str]]) -> list[Rule]:
    """Unknown agents / queues per file; judged on each file's distinct values (few), not on every row."""
    rules = []
    for ref in spec.references:
        label = ref.column.replace('"', "").replace(".", "_")
        values = (
            f"select _source_file, {sql.quote(ref.column)} as value, count(*) as value_rows from {BATCH} "
            f"group by _source_file, {sql.quote(ref.column)}"
        )
        levels = ((WARNING, UNKNOWN_WARNING_SHARE), (CRITICAL, UNKNOWN_CRITICAL_SHARE))
        # an unknown queue only warns, at any share: a call's or chat's becomes a queue of its own with its channel's
        # default targets (int_queues__unconfigured), a ticket's group gives way to its channel's default queue
        # (int_tickets__tickets). Fivetran's public Zendesk test data names groups its group table lacks, and a
        # phone system's queue names are in no seed until the centre configures them.
        for severity, share in levels if ref.what == "agent" else levels[:1]:
            shares = (
                f"select _source_file, sum(value_rows) as rows_with_{ref.what}, "
                f"coalesce(sum(value_rows) filter (where {_unknown(ref, queues, severity)}), 0) as unknown_rows "
                f"from ({values}) as per_value where not {sql.blank('value')} group by _source_file"
            )
            rules.append(Rule(
                f"{label}_unknown_{ref.what}_share_{'warn' if severity == WARNING else 'max'}",
                f"share of rows per file whose {label} is an unknown {ref.what} is at most {share:.0%}",
                f"select _source_file, unknown_rows, rows_with_{ref.what}, unknown_rows / rows_with_{ref.what} "
                f"as unknown_share from ({shares}) as per_file where unknown_rows > {share} * rows_with_{ref.what}",
                severity,
                FILE,
            ))
    return rules


def holiday_dates(project_root: Path = PROJECT_ROOT) -> list[str]:
    """Every day of seeds/holidays.csv (any site), ISO text, sorted."""
    with (project_root / "seeds" / "holidays.csv").open(encoding="utf-8", newline="") as handle:
        return sorted({row["holiday_date"] for row in csv.DictReader(handle)})


def volume_rules(holidays: list[str] | None = None, history: str = BATCH) -> list[Rule]:
    """Rows of an export day (all its files) against the previous same-weekday days; a failing day names each of its
    files. One file per day (the usual layout) is judged alone; a day Kinesis Data Firehose delivered as many
    objects is judged as a whole (a quiet hour's small object is no half-empty export). Holidays
    (seeds/holidays.csv, any site) are neither judged nor part of the band: their volume is low by design (at the
    scale preset New Year's Day and the spring holidays otherwise stopped the run as half-empty exports).

    ``history``: the relation the day totals are counted in (the suites pass the whole raw table); only the days of
    the batch's files are judged, so a run that judges one new day still compares it with the days landed before
    (``ccw.quality.batches``)."""
    holidays = holiday_dates() if holidays is None else holidays
    not_holiday = (
        "where cast(_export_date as date) not in (" + ", ".join(f"date '{d}'" for d in holidays) + ") "
        if holidays else ""
    )
    per_day = (
        "select cast(_export_date as date) as export_date, count(*) as day_rows "
        f"from {history} {not_holiday}group by cast(_export_date as date)"
    )
    same_weekday = "partition by dayofweek(export_date) order by export_date rows between"
    banded = (
        "select export_date, day_rows, "
        f"median(day_rows) over ({same_weekday} 4 preceding and 1 preceding) as same_weekday_median, "
        f"count(*) over ({same_weekday} unbounded preceding and 1 preceding) as same_weekday_days from per_day"
    )
    files = "select distinct _source_file, cast(_export_date as date) as export_date from __BATCH__"
    judged = (
        f"with per_day as ({per_day}), banded as ({banded}), files as ({files}) "
        "select files._source_file, banded.day_rows, banded.same_weekday_median "
        "from banded join files on files.export_date = banded.export_date "
        f"where banded.same_weekday_days >= {VOLUME_MIN_HISTORY} "
        f"and banded.same_weekday_median >= {VOLUME_MIN_MEDIAN}"
    )
    return [
        Rule("rows_vs_same_weekday_low",
             f"an export day (its files together) has at least {VOLUME_LOW_SHARE:.0%} of the median rows of the "
             "previous 4 same-weekday days",
             f"{judged} and banded.day_rows < {VOLUME_LOW_SHARE} * banded.same_weekday_median", CRITICAL, FILE),
        Rule("rows_vs_same_weekday_high",
             f"an export day (its files together) has at most {VOLUME_HIGH_RATIO:g} x the median rows of the "
             "previous 4 same-weekday days",
             f"{judged} and banded.day_rows > {VOLUME_HIGH_RATIO} * banded.same_weekday_median", WARNING, FILE),
    ]


def rules_for(spec: RawSpec, accepted: dict | None = None, queues: dict | None = None) -> list[Rule]:
    """Every query rule of one raw table, in suite order."""
    accepted = staging_accepted_values() if accepted is None else accepted
    queues = queue_refs() if queues is None else queues
    rules = schema_rules(spec.entity) + key_rules(spec.entity)
    if spec.window is not None:
        rules += window_rules(spec.window)
    rules += timestamp_rules(spec) + duration_rules(spec) + enum_rules(spec, accepted)
    rules += reference_rules(spec, queues)
    if spec.volume_band:
        rules += volume_rules(history=f"raw.{sql.quote(spec.table)}")
    return rules + list(spec.extra)
