"""Web live-chat sessions: one row per session; timestamps in epoch milliseconds."""

from __future__ import annotations

import numpy as np

from ccw.generate import ids, text
from ccw.generate.writer import NULL_INT


def last_leg(child: np.ndarray, idx: np.ndarray) -> np.ndarray:
    cur = idx.copy()
    for _ in range(4):
        nxt = child[cur]
        cur = np.where(nxt >= 0, nxt, cur)
    return cur


def session_records(c: dict[str, np.ndarray], roots: np.ndarray, department: np.ndarray, chat_ids: np.ndarray,
                    customer_id: np.ndarray, email: np.ndarray, visitor: np.ndarray, topic: np.ndarray,
                    rng: np.random.Generator) -> dict[str, np.ndarray]:
    k = len(roots)
    last = last_leg(c["child"], roots)
    answered_first = c["agent"][roots] >= 0
    answered_last = c["agent"][last] >= 0
    missed = ~answered_first
    ms = rng.integers(0, 1000, (k, 3))
    requested = c["arr"][roots] * 1000 + ms[:, 0]
    first_msg = np.where(answered_first, (c["start"][roots] + rng.integers(3, 25, k)) * 1000 + ms[:, 1], NULL_INT)
    end_s = np.where(answered_last, c["end_talk"][last],
                     np.where(answered_first, c["end_talk"][roots], c["aband_t"][roots]))
    ended = end_s * 1000 + ms[:, 2]
    talk_min = np.where(answered_first, (end_s - c["start"][roots]) / 60.0, 0.0)
    agent_final = np.where(answered_last, c["agent"][last], c["agent"][roots])
    agent_msgs = np.where(missed, 0, 1 + rng.poisson(np.maximum(talk_min, 0) * 1.1))
    visitor_msgs = np.where(missed, rng.integers(1, 3, k), 1 + rng.poisson(np.maximum(talk_min, 0) * 0.9))
    return {
        "session_id": ids.hex_tokens(rng, k, 8, "chs_"), "visitor_id": visitor, "customer_id": customer_id,
        "email": email, "requested_at": requested, "first_agent_message_at": first_msg, "ended_at": ended,
        "agent_id": np.where(agent_final >= 0, chat_ids[np.maximum(agent_final, 0)], None),
        "department": department, "entry_page_url": text.pick(rng, text.PAGES, k, text.PAGES_P),
        "referrer": text.pick(rng, text.REFERRERS, k, text.REFERRERS_P),
        "utm_source": text.pick(rng, text.UTM, k, text.UTM_P),
        "device": text.pick(rng, text.DEVICES, k, text.DEVICES_P),
        "agent_messages": agent_msgs, "visitor_messages": visitor_msgs, "missed": missed,
        "transferred": c["child"][roots] >= 0, "topic": topic, "_t": end_s,
    }
