"""The agent event stream: state changes consistent with schedules and with the contacts each agent handled."""

from __future__ import annotations

import numpy as np

from ccw.generate import ids
from ccw.generate.schedules import ACTIVITY

STATE_OF_ACTIVITY = {"break": "BREAK", "lunch": "LUNCH", "training": "TRAINING", "meeting": "MEETING"}


def build_events(agent_login: np.ndarray, login: np.ndarray, logout: np.ndarray, act_agent: np.ndarray,
                 act_kind: np.ndarray, act_start: np.ndarray, act_end: np.ndarray, work_agent: np.ndarray,
                 work_start: np.ndarray, work_talk_end: np.ndarray, work_end: np.ndarray, usernames: np.ndarray,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Events of one day for the agents who logged in (``agent_login``/``login``/``logout``), their actual
    non-productive activities and their work items (contacts and ticket replies, never overlapping)."""
    # an activity starts once the contact in progress is finished; dropped if that leaves no time for it
    key_w = work_agent * 10**11 + work_start
    ow = np.argsort(key_w)
    key_a = act_agent * 10**11 + act_start
    pos = np.searchsorted(key_w[ow], key_a, side="left") - 1
    prev_end = np.where(pos >= 0, work_end[ow][np.maximum(pos, 0)], 0)
    same = (pos >= 0) & (work_agent[ow][np.maximum(pos, 0)] == act_agent)
    a_start = np.where(same, np.maximum(act_start, prev_end + 1), act_start)
    keep = a_start < act_end - 30
    act_agent, act_kind, a_start, act_end = act_agent[keep], act_kind[keep], a_start[keep], act_end[keep]
    # the logout waits for the last contact of the day
    last_end = np.zeros(len(agent_login), np.int64)
    if len(work_agent):
        per_agent = np.full(int(max(agent_login.max(initial=0), work_agent.max(initial=0))) + 1, 0, np.int64)
        np.maximum.at(per_agent, work_agent, work_end)
        last_end = per_agent[agent_login]
    out_t = np.maximum(logout, last_end + rng.integers(5, 120, len(agent_login)))
    states = np.array([STATE_OF_ACTIVITY.get(a, a.upper()) for a in ACTIVITY], dtype=object)
    has_acw = work_end > work_talk_end
    parts_agent = [agent_login, agent_login, act_agent, act_agent, work_agent, work_agent[has_acw], work_agent,
                   agent_login]
    parts_t = [login, login + 30, a_start, act_end, work_start, work_talk_end[has_acw],
               work_end, out_t]
    parts_s = [np.full(len(login), "LOGIN", dtype=object), np.full(len(login), "AVAILABLE", dtype=object),
               states[act_kind], np.full(len(act_end), "AVAILABLE", dtype=object),
               np.full(len(work_start), "ON_CONTACT", dtype=object),
               np.full(int(has_acw.sum()), "AFTER_CONTACT_WORK", dtype=object),
               np.full(len(work_end), "AVAILABLE", dtype=object), np.full(len(login), "LOGOUT", dtype=object)]
    # order of simultaneous events: the state that ends comes first
    rank = [0, 1, 3, 2, 4, 5, 2, 6]
    agent = np.concatenate(parts_agent)
    t = np.concatenate(parts_t).astype(np.int64)
    state = np.concatenate(parts_s)
    r = np.concatenate([np.full(len(p), rk) for p, rk in zip(parts_agent, rank, strict=True)])
    o = np.lexsort((r, t, agent))
    agent, t, state = agent[o], t[o], state[o]
    n = len(t)
    return {"EventId": ids.uuids(rng, n), "Username": usernames[agent], "EventTimestamp": t, "State": state,
            "_t": t, "_ord": t * 8 + r[o]}
