"""Amazon Connect-style contact trace records: one row per call leg (inbound, transfer, callback, outbound)
plus the IVR-only calls that never queued."""

from __future__ import annotations

import numpy as np

from ccw.generate import ids
from ccw.generate.writer import NULL_INT

ARN = "arn:aws:connect:eu-west-2:111122223333:instance/5c1f0e6a-ccw0-4e1b-9a57-000000000001/queue/{}"
REASONS = np.array(["CUSTOMER_DISCONNECT", "AGENT_DISCONNECT", "TELECOM_PROBLEM"], dtype=object)
SELF_SERVICE = {"billing": "billing_question", "general": "order_status"}


def queue_arns(refs: list[str]) -> np.ndarray:
    return np.array([ARN.format(r.lower()) for r in refs], dtype=object)


def ivr_only_records(t: np.ndarray, closed: np.ndarray, issue: np.ndarray, address: np.ndarray,
                     customer_id: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Calls that ended in the IVR: outside business hours (closed message) or self-service."""
    k = len(t)
    dur = np.where(closed, rng.integers(15, 60, k), rng.integers(45, 200, k))
    disc = t + dur
    upd = disc + rng.integers(5, 60, k)
    none_s = np.full(k, None, dtype=object)
    none_i = np.full(k, NULL_INT, np.int64)
    return {
        "ContactId": ids.uuids(rng, k), "InitiationMethod": np.full(k, "INBOUND", dtype=object),
        "init_t": t, "disc_t": disc, "upd_t": upd, "addr": address,
        "has_queue": np.zeros(k, bool), "q_name": none_s, "q_arn": none_s, "q_enq": none_i, "q_deq": none_i,
        "q_dur": none_i, "has_agent": np.zeros(k, bool), "a_user": none_s, "a_conn": none_i, "a_inter": none_i,
        "a_hold": none_i, "a_nholds": none_i, "a_acw": none_i, "a_acw_s": none_i, "a_acw_e": none_i,
        "PreviousContactId": none_s, "NextContactId": none_s,
        "DisconnectReason": np.where(closed, "CONTACT_FLOW_DISCONNECT", "CUSTOMER_DISCONNECT").astype(object),
        "at_customer_id": customer_id, "at_issue_type": issue,
        "at_ivr_path": np.where(closed, "main>closed>message", "main>self_service>" + issue.astype(str)).astype(object),
        "_t": upd,
    }


def leg_records(c: dict[str, np.ndarray], legs: np.ndarray, main_id: np.ndarray, cb_id: np.ndarray,
                q_ref: np.ndarray, q_arn: np.ndarray, usernames: np.ndarray, root_addr: np.ndarray,
                root_cust: np.ndarray, root_issue: np.ndarray, root_path: np.ndarray,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Rows for the queued phone legs ``legs`` (indices into the day's contacts ``c``); a callback contact
    becomes two legs: the inbound call that left the queue and the CALLBACK leg an agent made."""
    kind, cb = c["kind"][legs], c["callback"][legs]
    answered = c["agent"][legs] >= 0
    k = len(legs)
    ivr = rng.integers(20, 76, k)
    arr, start, end_talk = c["arr"][legs], c["start"][legs], c["end_talk"][legs]
    acw = c["acw"][legs]
    parent = c["parent"][legs]
    child = c["child"][legs]
    root = c["root"][legs]
    out_bound = kind == 3
    init = np.where(kind == 0, arr - ivr, np.where(out_bound, start - 10, arr))
    init = np.where(cb, c["cb_t"][legs], init)
    enq = np.where(cb, c["cb_t"][legs], arr)
    deq = np.where(answered, start, c["aband_t"][legs])
    disc = np.where(answered, end_talk, c["aband_t"][legs])
    acw_e = end_talk + acw
    upd = np.where(answered, acw_e, disc) + rng.integers(5, 90, k)
    reason = REASONS[rng.choice(3, k, p=[0.62, 0.36, 0.02])]
    reason = np.where(child >= 0, "AGENT_DISCONNECT", reason)
    reason = np.where(answered, reason, "CUSTOMER_DISCONNECT").astype(object)
    prev = np.where(parent >= 0, main_id[np.maximum(parent, 0)], None)
    prev = np.where(cb, cb_id[legs], prev)
    nxt = np.where(child >= 0, main_id[np.maximum(child, 0)], None)
    method = np.where(kind == 1, "TRANSFER", np.where(out_bound, "OUTBOUND", "INBOUND")).astype(object)
    method = np.where(cb, "CALLBACK", method).astype(object)
    agent = c["agent"][legs]
    acw_null = acw <= 0
    src_root = c["src"][root]
    rows = {
        "ContactId": main_id[legs], "InitiationMethod": method, "init_t": init, "disc_t": disc, "upd_t": upd,
        "addr": root_addr[src_root],
        "has_queue": ~out_bound, "q_name": q_ref[c["queue"][legs]], "q_arn": q_arn[c["queue"][legs]],
        "q_enq": enq, "q_deq": deq, "q_dur": deq - enq,
        "has_agent": answered, "a_user": np.where(answered, usernames[np.maximum(agent, 0)], None),
        "a_conn": np.where(answered, start, NULL_INT), "a_inter": np.where(answered, c["talk"][legs], NULL_INT),
        "a_hold": np.where(answered, c["hold"][legs], NULL_INT),
        "a_nholds": np.where(answered, c["nholds"][legs], NULL_INT),
        "a_acw": np.where(answered & ~acw_null, acw, NULL_INT),
        "a_acw_s": np.where(answered & ~acw_null, end_talk, NULL_INT),
        "a_acw_e": np.where(answered & ~acw_null, acw_e, NULL_INT),
        "PreviousContactId": prev, "NextContactId": nxt, "DisconnectReason": reason,
        "at_customer_id": root_cust[src_root], "at_issue_type": root_issue[src_root],
        "at_ivr_path": np.where(out_bound, None, root_path[src_root]).astype(object),
        "_t": upd,
    }
    if cb.any():  # the inbound leg of each callback: queued, then left with a callback request
        j = np.flatnonzero(cb)
        first = {key: (v[j].copy() if isinstance(v, np.ndarray) else v) for key, v in rows.items()}
        n = len(j)
        first["ContactId"] = cb_id[legs][j]
        first["InitiationMethod"] = np.full(n, "INBOUND", dtype=object)
        first["init_t"] = arr[j] - ivr[j]
        first["q_enq"] = arr[j]
        first["q_deq"] = c["cb_t"][legs][j]
        first["q_dur"] = first["q_deq"] - first["q_enq"]
        first["disc_t"] = first["q_deq"]
        first["upd_t"] = first["q_deq"] + rng.integers(5, 60, n)
        first["_t"] = first["upd_t"]
        first["has_agent"] = np.zeros(n, bool)
        for f in ("a_conn", "a_inter", "a_hold", "a_nholds", "a_acw", "a_acw_s", "a_acw_e"):
            first[f] = np.full(n, NULL_INT, np.int64)
        first["a_user"] = np.full(n, None, dtype=object)
        first["PreviousContactId"] = np.full(n, None, dtype=object)
        first["NextContactId"] = main_id[legs][j]
        first["DisconnectReason"] = np.full(n, "CONTACT_FLOW_DISCONNECT", dtype=object)
        rows = {key: np.concatenate([rows[key], first[key]]) for key in rows}
    return rows
