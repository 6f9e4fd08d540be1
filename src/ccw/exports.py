"""The raw-export contract: every system, entity, file format and field that lands.

This registry is the one place that knows what the source systems export
(see ``../shared/spec/raw-exports.md``). The generator writes files in these
shapes, landing reads them into ``raw.<system>__<entity>`` tables with these
column types, and the dbt sources describe the same tables.

Raw columns keep the exports' own names. Scalars land as text (``VARCHAR``)
exactly as exported, so a malformed value never stops a file from landing:
staging casts and flags it. Nested JSON lands as ``STRUCT`` columns, Parquet
keeps its native types.
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
}


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


_QUEUE = "STRUCT(Name VARCHAR, ARN VARCHAR, EnqueueTimestamp VARCHAR, DequeueTimestamp VARCHAR, Duration VARCHAR)"
_AGENT = (
    "STRUCT(Username VARCHAR, ConnectedToAgentTimestamp VARCHAR, AgentInteractionDuration VARCHAR, "
    "CustomerHoldDuration VARCHAR, NumberOfHolds VARCHAR, AfterContactWorkDuration VARCHAR, "
    "AfterContactWorkStartTimestamp VARCHAR, AfterContactWorkEndTimestamp VARCHAR)"
)
_ENDPOINT = "STRUCT(Address VARCHAR, Type VARCHAR)"
_ATTRIBUTES = "STRUCT(customer_id VARCHAR, issue_type VARCHAR, ivr_path VARCHAR)"

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
        description="Amazon Connect-style contact trace records, one call leg each.",
    ),
    Entity(
        "telephony",
        "agent_events",
        "jsonl",
        _text("EventId", "Username", "EventTimestamp", "State"),
        key=("EventId",),
        description="Amazon Connect-style agent event stream, one state change each.",
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
        description="Zendesk tickets, latest state as of the export day.",
    ),
    Entity(
        "helpdesk",
        "ticket_comment",
        "csv",
        _text("id", "ticket_id", "user_id", "created", "public", "body"),
        key=("id",),
        description="Zendesk ticket comments, public or internal.",
    ),
    Entity(
        "helpdesk",
        "ticket_field_history",
        "csv",
        _text("ticket_id", "field_name", "value", "updated", "user_id"),
        key=("ticket_id", "field_name", "updated"),
        description="Zendesk field history of status, priority, assignee_id and group_id.",
    ),
    Entity(
        "helpdesk",
        "user",
        "csv",
        _text("id", "name", "email", "phone", "role", "external_id", "created_at", "time_zone"),
        key=("id",),
        description="Zendesk users: end-users, agents and admins.",
    ),
    Entity(
        "helpdesk",
        "group",
        "csv",
        _text("id", "name"),
        key=("id",),
        description="Zendesk agent groups (the help desk's queues).",
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


def entity(system: str, name: str) -> Entity:
    return BY_TABLE[f"{system}__{name}"]


def raw_table_ddl(e: Entity, schema: str = "raw") -> str:
    """``CREATE TABLE IF NOT EXISTS`` for one raw table (export columns + landing columns)."""
    cols = {**e.columns, **LANDING_COLUMNS}
    body = ",\n  ".join(f'"{name}" {typ}' for name, typ in cols.items())
    return f'CREATE TABLE IF NOT EXISTS {schema}."{e.table}" (\n  {body}\n)'
