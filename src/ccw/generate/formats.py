"""How each entity is rendered into its export file: the SELECT list from internal columns to exported fields.

Internal columns carry the exported field names; timestamps are int64 UTC epoch seconds and are
formatted here (ISO-8601 with Z, epoch milliseconds for chat, local wall-clock text for schedules,
a Parquet TIMESTAMP for orders). ``sparse`` renders dirt rows that leave optional keys out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccw.exports import ENTITIES

MACROS = (
    "CREATE MACRO iso(x) AS strftime(make_timestamp(x * 1000000), '%Y-%m-%dT%H:%M:%SZ')",
    "CREATE MACRO wall(x) AS strftime(make_timestamp(x * 1000000), '%Y-%m-%d %H:%M:%S')",
)


@dataclass(frozen=True)
class Render:
    select: str
    sparse: str | None = None
    reduce_key: str | None = None  # keep only the last row per key and export day
    fields: tuple[str, ...] = ()


def _q(name: str) -> str:
    return f'"{name}"'


def _plain(fields: list[str], iso: tuple[str, ...] = (), other: dict[str, str] | None = None) -> str:
    out = []
    for f in fields:
        if other and f in other:
            out.append(f"{other[f]} AS {_q(f)}")
        elif f in iso:
            out.append(f"iso({_q(f)}) AS {_q(f)}")
        else:
            out.append(_q(f))
    return ", ".join(out)


_QUEUE = ("CASE WHEN has_queue THEN {'Name': q_name, 'ARN': q_arn, 'EnqueueTimestamp': iso(q_enq), "
          "'DequeueTimestamp': iso(q_deq), 'Duration': q_dur} END")
_AGENT = ("CASE WHEN has_agent THEN {'Username': a_user, 'ConnectedToAgentTimestamp': iso(a_conn), "
          "'AgentInteractionDuration': a_inter, 'CustomerHoldDuration': a_hold, 'NumberOfHolds': a_nholds, "
          "'AfterContactWorkDuration': a_acw, 'AfterContactWorkStartTimestamp': iso(a_acw_s), "
          "'AfterContactWorkEndTimestamp': iso(a_acw_e)} END")


def _ctr(sparse: bool) -> str:
    attrs = ("{'customer_id': at_customer_id, 'issue_type': at_issue_type}" if sparse else
             "{'customer_id': at_customer_id, 'issue_type': at_issue_type, 'ivr_path': at_ivr_path}")
    cols = [
        '"ContactId"', "'VOICE' AS \"Channel\"", '"InitiationMethod"', 'iso(init_t) AS "InitiationTimestamp"',
        'iso(disc_t) AS "DisconnectTimestamp"', 'iso(upd_t) AS "LastUpdateTimestamp"',
        "{'Address': addr, 'Type': 'TELEPHONE_NUMBER'} AS \"CustomerEndpoint\"", f'{_QUEUE} AS "Queue"',
        f'{_AGENT} AS "Agent"', '"PreviousContactId"',
    ]
    if not sparse:
        cols.append('"NextContactId"')
    cols += ['"DisconnectReason"', f'{attrs} AS "Attributes"']
    return ", ".join(cols)


def _fields(table: str) -> list[str]:
    return list(next(e for e in ENTITIES if e.table == table).columns)


_CHAT = _fields("chat__sessions")
_CHAT_SPARSE = [f for f in _CHAT if f not in ("referrer", "utm_source")]

RENDER: dict[str, Render] = {
    "telephony__contact_records": Render(_ctr(False), sparse=_ctr(True)),
    "telephony__agent_events": Render(_plain(_fields("telephony__agent_events"), iso=("EventTimestamp",))),
    "helpdesk__ticket": Render(_plain(_fields("helpdesk__ticket"), iso=("created_at", "updated_at")), reduce_key="id"),
    "helpdesk__ticket_comment": Render(_plain(_fields("helpdesk__ticket_comment"), iso=("created",))),
    "helpdesk__ticket_field_history": Render(_plain(_fields("helpdesk__ticket_field_history"), iso=("updated",))),
    "helpdesk__user": Render(_plain(_fields("helpdesk__user"), iso=("created_at",))),
    "helpdesk__group": Render(_plain(_fields("helpdesk__group"))),
    "chat__sessions": Render(_plain(_CHAT), sparse=_plain(_CHAT_SPARSE)),
    "survey__responses": Render(_plain(_fields("survey__responses"), iso=("sent_at", "responded_at"))),
    "workforce__agents": Render(_plain(_fields("workforce__agents"))),
    "workforce__schedules": Render(_plain(_fields("workforce__schedules"),
                                          other={"start_local": "wall(start_local)", "end_local": "wall(end_local)"})),
    "crm__customers": Render(_plain(_fields("crm__customers"), iso=("created_at",))),
    "crm__orders": Render(_plain(_fields("crm__orders"), other={
        "ordered_at": "make_timestamp(ordered_at * 1000000)",
        "amount": "CAST(CAST(amount AS DECIMAL(18, 0)) / 100 AS DECIMAL(12, 2))",
    })),
}
