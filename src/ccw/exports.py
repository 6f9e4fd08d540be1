"""The raw-export contract: every system, entity, file format and field that lands.

This registry is the one place that knows what the source systems export
(see ``../shared/spec/raw-exports.md``). The generator writes files in these
shapes, landing reads them into ``raw.<system>__<entity>`` tables with these
column types, and the dbt sources describe the same tables.

Raw columns keep the exports' own names. Scalars land as text (``VARCHAR``)
exactly as exported, so a malformed value never stops a file from landing:
staging casts and flags it (a JSON number where text is expected lands as its
text). Nested JSON lands as ``STRUCT`` columns, Parquet keeps its native types.

Schema evolution: an entity's ``required_columns`` (its key and the few fields
staging cannot do without) must be in every file, or the file is refused. Every
other registry field is optional: absent, it lands as null (a warning names it).
A field the registry does not know is kept, with the record, in the landing
column ``_extra`` (a JSON object of the record's unknown fields; a warning names
them). ``optional_columns`` are fields real exports carry beyond the sample's
(e.g. Zendesk as the Fivetran connector writes it): they land in their own raw
columns when present; the sample generator writes ``columns`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Columns landing adds to every raw table (lineage of each row).
LANDING_COLUMNS: dict[str, str] = {
    "_source_file": "VARCHAR",  # path relative to the raw root
    "_export_date": "DATE",  # the YYYY-MM-DD of the file name
    "_row_number": "BIGINT",  # 1-based position of the record in its file
    "_file_checksum": "VARCHAR",  # sha256 of the file's bytes
    "_landed_at": "TIMESTAMP",  # UTC
    "_extra": "VARCHAR",  # JSON object of the record's fields the registry does not know (null: none)
}
#: The landing column that keeps the fields of a record the registry does not know.
EXTRA_COLUMN = "_extra"


@dataclass(frozen=True)
class Entity:
    """One exported entity: ``<raw root>/<system>/<entity>/<YYYY-MM-DD>.<ext>``."""

    system: str
    name: str
    file_format: str  # "jsonl" | "csv" | "parquet"
    columns: dict[str, str]  # exported field -> raw DuckDB type
    key: tuple[str, ...]  # what identifies one record across files
    version_by: str | None = None  # field ordering versions (newest wins), after the file date
    encoding: str = "utf-8"
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    #: fields besides the key a file must carry (else it is refused); every other field is optional
    required: tuple[str, ...] = ()
    #: more fields of real exports, landed in their own raw columns when a file has them (never generated)
    optional_columns: dict[str, str] = field(default_factory=dict)
    #: a sample field another shape of the same export carries elsewhere -> the fields of that shape: a file with one
    #: of them does not lack it (no "missing" warning; e.g. Amazon Connect's real agent events hold Username and
    #: State in CurrentAgentSnapshot)
    covered_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: registry STRUCTs whose other keys are expected, not drift (a contact flow's own contact attributes): kept in
    #: ``_extra`` like any unknown key, without a warning
    open_structs: tuple[str, ...] = ()
    #: False for an entity of real exports the sample generator does not write (its raw table stays empty)
    generated: bool = True

    @property
    def raw_columns(self) -> dict[str, str]:
        """Every registry field, as the raw table holds them: the sample's ``columns``, then ``optional_columns``."""
        return {**self.columns, **self.optional_columns}

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The fields a file must carry: the key's export fields, then ``required``."""
        keys = [k for k in self.key if not k.startswith("_")]
        return tuple(dict.fromkeys([*keys, *self.required]))

    @property
    def extension(self) -> str:
        return {"jsonl": "jsonl", "csv": "csv", "parquet": "parquet"}[self.file_format]

    @property
    def table(self) -> str:
        """Name of the raw table in schema ``raw``."""
        return f"{self.system}__{self.name}"

    def directory(self, raw_root: Path) -> Path:
        return raw_root / self.system / self.name

    def file_path(self, raw_root: Path, day: str) -> Path:
        return self.directory(raw_root) / f"{day}.{self.extension}"


def _text(*names: str) -> dict[str, str]:
    return {n: "VARCHAR" for n in names}


#: the columns the Fivetran connector adds to its tables: when it last synced a record, and whether the record was
#: deleted in the source (true/false text)
_FIVETRAN = ("_fivetran_synced", "_fivetran_deleted")

# Amazon Connect contact trace records (CTR) as Kinesis Data Firehose delivers them, field names as in AWS's
# "Data model for Amazon Connect contact records". The sample writes a subset (the first fields of Agent, Queue,
# CustomerEndpoint, Attributes and the top-level ``columns``); the rest of the documented model is declared here so a
# real export lands it in its own columns. Deep, rarely used objects (hierarchy groups, device, recordings, media
# streams, references, tags, Contact Lens ...) land whole as JSON text; scalars land as text (a duration is a JSON
# number in a real record: it lands as its text). Fields AWS adds later go to ``_extra``.
_QUEUE = "STRUCT(Name VARCHAR, ARN VARCHAR, EnqueueTimestamp VARCHAR, DequeueTimestamp VARCHAR, Duration VARCHAR)"
_AGENT = (
    "STRUCT(Username VARCHAR, ConnectedToAgentTimestamp VARCHAR, AgentInteractionDuration VARCHAR, "
    "CustomerHoldDuration VARCHAR, NumberOfHolds VARCHAR, AfterContactWorkDuration VARCHAR, "
    "AfterContactWorkStartTimestamp VARCHAR, AfterContactWorkEndTimestamp VARCHAR, "
    "ARN VARCHAR, LongestHoldDuration VARCHAR, AgentPauseDuration VARCHAR, "
    "RoutingProfile STRUCT(ARN VARCHAR, Name VARCHAR), HierarchyGroups JSON, DeviceInfo JSON, Capabilities JSON, "
    "StateTransitions JSON)"
)
_ENDPOINT = "STRUCT(Address VARCHAR, Type VARCHAR)"
_ATTRIBUTES = "STRUCT(customer_id VARCHAR, issue_type VARCHAR, ivr_path VARCHAR)"
#: the documented CTR fields beyond the sample's (a real export carries most of them)
_CTR_MORE: dict[str, str] = {
    **_text(
        "AWSAccountId", "AWSContactTraceRecordFormatVersion", "InstanceARN", "InitialContactId", "RelatedContactId",
        "ConnectedToSystemTimestamp", "TransferCompletedTimestamp", "ScheduledTimestamp", "AgentConnectionAttempts",
        "AnsweringMachineDetectionStatus", "LastPausedTimestamp", "LastResumedTimestamp", "TotalPauseCount",
        "TotalPauseDurationInSeconds",
    ),
    "SystemEndpoint": _ENDPOINT,
    "TransferredToEndpoint": _ENDPOINT,
    **dict.fromkeys(
        (
            "Recording", "Recordings", "MediaStreams", "References", "Tags", "ContactDetails", "Campaign",
            "ContactLens", "DisconnectDetails", "QualityMetrics", "SegmentAttributes", "CustomerVoiceActivity",
            "VoiceIdResult", "TaskTemplateInfo", "ContactEvaluations",
        ),
        "JSON",
    ),
}
#: the real agent event stream's fields (AWS's "Agent event streams data model"); the agent snapshots land whole
#: as JSON text (AgentStatus, Configuration with the agent's FirstName/LastName, Contacts[]): staging reads the few
#: paths it needs, and never the names
_AGENT_EVENT_STREAM: dict[str, str] = {
    **_text("AWSAccountId", "AgentARN", "EventType", "InstanceARN", "Version"),
    "CurrentAgentSnapshot": "JSON",
    "PreviousAgentSnapshot": "JSON",
}

ENTITIES: tuple[Entity, ...] = (
    Entity(
        "telephony",
        "contact_records",
        "jsonl",
        {
            "ContactId": "VARCHAR",
            "Channel": "VARCHAR",
            "InitiationMethod": "VARCHAR",
            "InitiationTimestamp": "VARCHAR",
            "DisconnectTimestamp": "VARCHAR",
            "LastUpdateTimestamp": "VARCHAR",
            "CustomerEndpoint": _ENDPOINT,
            "Queue": _QUEUE,
            "Agent": _AGENT,
            "PreviousContactId": "VARCHAR",
            "NextContactId": "VARCHAR",
            "DisconnectReason": "VARCHAR",
            "Attributes": _ATTRIBUTES,
        },
        key=("ContactId",),
        version_by="LastUpdateTimestamp",
        description=(
            "Amazon Connect contact trace records (the sample's subset, or the full data model as Kinesis Data "
            "Firehose delivers it: records one after another, gzip or not), one call leg each."
        ),
        required=("InitiationMethod", "InitiationTimestamp"),
        optional_columns=_CTR_MORE,
        open_structs=("Attributes",),
    ),
    Entity(
        "telephony",
        "agent_events",
        "jsonl",
        _text("EventId", "Username", "EventTimestamp", "State"),
        key=("EventId",),
        description=(
            "Agent state changes: the sample's flat events (Username, State), or Amazon Connect's real agent event "
            "stream (EventType, CurrentAgentSnapshot, PreviousAgentSnapshot ...); staging maps both to one state."
        ),
        required=("EventTimestamp",),
        optional_columns=_AGENT_EVENT_STREAM,
        covered_by={"Username": ("CurrentAgentSnapshot",), "State": ("CurrentAgentSnapshot",)},
    ),
    Entity(
        "helpdesk",
        "ticket",
        "csv",
        _text(
            "id", "created_at", "updated_at", "subject", "status", "priority", "type",
            "via_channel", "requester_id", "assignee_id", "group_id", "custom_issue_type",
        ),
        key=("id",),
        version_by="updated_at",
        required=("created_at", "updated_at", "status"),
        optional_columns=_text(*_FIVETRAN, "brand_id", "organization_id", "submitter_id", "description", "due_at",
                               "external_id", "is_public", "problem_id", "recipient", "ticket_form_id", "url",
                               "has_incidents", "allow_channelback", "via_source_from_id", "via_source_from_title",
                               "via_source_from_address", "via_source_rel", "via_source_to_address",
                               "via_source_to_name", "merged_ticket_ids", "followup_ids"),
        description=(
            "Zendesk tickets, latest state as of the export day (the sample's columns, or the Fivetran connector's "
            "ticket table: custom fields such as custom_issue_type are optional)."
        ),
    ),
    Entity(
        "helpdesk",
        "ticket_comment",
        "csv",
        _text("id", "ticket_id", "user_id", "created", "public", "body"),
        key=("id",),
        required=("ticket_id", "created"),
        optional_columns=_text(*_FIVETRAN, "call_duration", "call_id", "facebook_comment", "tweet", "voice_comment"),
        description="Zendesk ticket comments, public or internal.",
    ),
    Entity(
        "helpdesk",
        "ticket_field_history",
        "csv",
        _text("ticket_id", "field_name", "value", "updated", "user_id"),
        key=("ticket_id", "field_name", "updated"),
        required=("value",),
        optional_columns=_text("_fivetran_synced"),
        description="Zendesk field history of status, priority, assignee_id and group_id (other fields pass).",
    ),
    Entity(
        "helpdesk",
        "user",
        "csv",
        _text("id", "name", "email", "phone", "role", "external_id", "created_at", "time_zone"),
        key=("id",),
        required=("role",),
        optional_columns=_text(*_FIVETRAN, "updated_at", "organization_id", "active", "suspended", "locale",
                               "last_login_at", "alias", "details", "notes", "signature", "url", "verified",
                               "restricted_agent", "moderator", "shared", "shared_agent", "chat_only",
                               "only_private_comments", "ticket_restriction", "two_factor_auth_enabled",
                               "remote_photo_url", "authenticity_token", "locale_id", "iana_time_zone",
                               "default_group_id", "custom_role_id", "role_type", "report_csv",
                               "shared_phone_number"),
        description="Zendesk users: end-users, agents and admins.",
    ),
    Entity(
        "helpdesk",
        "group",
        "csv",
        _text("id", "name"),
        key=("id",),
        optional_columns=_text(*_FIVETRAN, "created_at", "updated_at", "url"),
        description="Zendesk agent groups (the help desk's queues).",
    ),
    Entity(
        "helpdesk",
        "organization",
        "csv",
        _text("id", "name", "created_at", "updated_at"),
        key=("id",),
        optional_columns=_text(*_FIVETRAN, "details", "external_id", "group_id", "notes", "shared_comments",
                               "shared_tickets", "url"),
        generated=False,
        description="Zendesk organizations (the companies end-users belong to); real exports only.",
    ),
    Entity(
        "helpdesk",
        "ticket_tag",
        "csv",
        _text("ticket_id", "tag"),
        key=("ticket_id", "tag"),
        optional_columns=_text(*_FIVETRAN),
        generated=False,
        description="Zendesk ticket tags, one row per ticket and tag; real exports only.",
    ),
    Entity(
        "helpdesk",
        "brand",
        "csv",
        _text("id", "name"),
        key=("id",),
        optional_columns=_text(*_FIVETRAN, "active", "brand_url", "default", "subdomain", "url", "has_help_center",
                               "help_center_state"),
        generated=False,
        description="Zendesk brands (an account's customer-facing identities); real exports only.",
    ),
    Entity(
        "helpdesk",
        "satisfaction_rating",
        "csv",
        _text("id", "ticket_id", "score", "created_at", "updated_at"),
        key=("id",),
        required=("ticket_id", "score"),
        version_by="updated_at",
        optional_columns=_text(*_FIVETRAN, "assignee_id", "group_id", "requester_id", "comment", "reason",
                               "reason_code", "reason_id", "url"),
        generated=False,
        description=(
            "Zendesk ticket satisfaction ratings (CSAT: score offered, unoffered, good or bad, and the customer's "
            "comment); real exports only."
        ),
    ),
    Entity(
        "chat",
        "sessions",
        "jsonl",
        _text(
            "session_id", "visitor_id", "customer_id", "email", "requested_at",
            "first_agent_message_at", "ended_at", "agent_id", "department", "entry_page_url",
            "referrer", "utm_source", "device", "agent_messages", "visitor_messages", "missed",
            "transferred", "topic",
        ),
        key=("session_id",),
        version_by="ended_at",
        description=(
            "Web live-chat sessions; timestamps in epoch milliseconds; topic is the pre-chat form's "
            "issue type (an issue_types.csv key, or empty)."
        ),
    ),
    Entity(
        "survey",
        "responses",
        "csv",
        _text(
            "response_id", "contact_channel", "contact_ref", "customer_id", "sent_at",
            "responded_at", "csat", "nps", "ces", "comment",
        ),
        key=("response_id",),
        encoding="gb18030",
        description="Post-contact surveys as a Chinese survey tool exports them (GB18030 CSV).",
    ),
    Entity(
        "workforce",
        "agents",
        "csv",
        _text(
            "agent_id", "username", "helpdesk_user_id", "chat_agent_id", "full_name", "email",
            "team", "site", "site_time_zone", "supervisor_id", "hire_date", "employment_status",
        ),
        key=("agent_id", "_export_date"),
        description="Daily HR/WFM roster: every agent as of the export day.",
    ),
    Entity(
        "workforce",
        "schedules",
        "csv",
        _text("agent_id", "schedule_date", "activity", "start_local", "end_local"),
        key=("agent_id", "schedule_date", "activity", "start_local"),
        description="WFM planned activities, in the local time of the agent's site.",
    ),
    Entity(
        "crm",
        "customers",
        "csv",
        _text("customer_id", "created_at", "segment", "region", "city", "signup_source", "phone", "email"),
        key=("customer_id",),
        description="CRM customers.",
    ),
    Entity(
        "crm",
        "orders",
        "parquet",
        {
            "order_id": "VARCHAR",
            "customer_id": "VARCHAR",
            "ordered_at": "TIMESTAMP",
            "amount": "DECIMAL(12,2)",
            "currency": "VARCHAR",
            "status": "VARCHAR",
        },
        key=("order_id",),
        description="Orders from the business system (Parquet); status paid/refunded/cancelled.",
    ),
)

BY_TABLE: dict[str, Entity] = {e.table: e for e in ENTITIES}
#: the entities the sample generator writes
GENERATED: tuple[Entity, ...] = tuple(e for e in ENTITIES if e.generated)


def entity(system: str, name: str) -> Entity:
    return BY_TABLE[f"{system}__{name}"]


def raw_table_ddl(e: Entity, schema: str = "raw") -> str:
    """``CREATE TABLE IF NOT EXISTS`` for one raw table (export columns + landing columns)."""
    cols = {**e.raw_columns, **LANDING_COLUMNS}
    body = ",\n  ".join(f'"{name}" {typ}' for name, typ in cols.items())
    return f'CREATE TABLE IF NOT EXISTS {schema}."{e.table}" (\n  {body}\n)'
