"""Email and web-form tickets of one site (Zendesk-like): agent work in idle slots and the ticket lifecycle.

Replies are agent work: each reply takes a slot in an idle gap of an email-skilled agent (FIFO,
urgent and high priority first), so first-response times follow staffing and business hours.
Every change is an event that carries the ticket's state after it; the writer keeps the last
state per ticket and export day. Comments (end-user messages, public replies, internal notes)
and the field history of status, priority, assignee_id and group_id follow the same events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ccw.generate import params as P
from ccw.generate import text
from ccw.generate.workforce import Agents

STATUS = np.array(["new", "open", "pending", "solved", "closed"], dtype=object)
NEW, OPEN, PENDING, SOLVED, CLOSED = range(5)
PRIORITY = np.array(["low", "normal", "high", "urgent"], dtype=object)
PRIORITY_P = [0.15, 0.62, 0.17, 0.06]
PRIORITY_BOOST = np.array([0, 0, 3 * 3600, 8 * 3600])
TYPES = np.array(["question", "incident", "problem", "task"], dtype=object)
TYPES_P = [0.55, 0.3, 0.1, 0.05]
DAY = 86_400


@dataclass
class Columns:
    """Growable struct-of-arrays."""

    spec: dict[str, tuple[type, object]]
    n: int = 0
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for k, (dt, fill) in self.spec.items():
            self.cols[k] = np.full(1024, fill, dtype=dt)

    def add(self, k: int) -> np.ndarray:
        cap = len(next(iter(self.cols.values())))
        if self.n + k > cap:
            new_cap = max(cap * 2, self.n + k)
            for name, (dt, fill) in self.spec.items():
                grown = np.full(new_cap, fill, dtype=dt)
                grown[: self.n] = self.cols[name][: self.n]
                self.cols[name] = grown
        idx = np.arange(self.n, self.n + k)
        self.n += k
        return idx

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]


TICKET_SPEC: dict[str, tuple[type, object]] = {
    "created": (np.int64, 0), "customer": (np.int64, -1), "requester": (np.int64, 0), "issue": (object, ""),
    "subject": (object, ""), "via": (object, ""), "type": (object, ""), "priority": (np.int64, 1),
    "status": (np.int64, NEW), "assignee": (np.int64, -1), "group_set": (np.bool_, True),
    "needed": (np.int64, 1), "done": (np.int64, 0), "reopen_plan": (np.bool_, False), "reopened": (np.bool_, False),
    "resolved": (np.bool_, True), "escalate": (np.bool_, False), "reassign": (np.bool_, False),
    "first_reply": (np.int64, -1), "zh": (np.bool_, False), "surveyed": (np.bool_, False), "last_agent": (np.int64, -1),
}


@dataclass
class Solved:
    """Tickets solved in a serve call (first solve only), for surveys, follow-ups and retention."""

    ticket: np.ndarray
    t: np.ndarray
    agent: np.ndarray


@dataclass
class Work:
    """Agent work done on tickets (for the agent event stream)."""

    agent: np.ndarray
    start: np.ndarray
    handle: np.ndarray
    acw: np.ndarray


class TicketDesk:
    def __init__(self, site_index: int, channel: str, group_id: str, agents: Agents, admin_user: str,
                 rng: np.random.Generator) -> None:
        self.t = Columns(TICKET_SPEC)
        self.channel = channel
        self.via = "email" if channel == "email" else "web"
        self.group_id = group_id
        self.agents = agents
        self.admin = admin_user
        self.rng = rng
        self.ticket_base = 1_000_000 + site_index * 50_000_000
        self.comment_base = 20_000_000_000 + site_index * 1_000_000_000
        self.n_comments = 0
        self.pend_ticket = np.zeros(0, np.int64)
        self.pend_trigger = np.zeros(0, np.int64)
        self.out_versions: list[dict[str, np.ndarray]] = []
        self.out_comments: list[dict[str, np.ndarray]] = []
        self.out_history: list[dict[str, np.ndarray]] = []

    # ----------------------------------------------------------------------------------------------- ids
    def ticket_id(self, idx: np.ndarray) -> np.ndarray:
        return (self.ticket_base + np.asarray(idx)).astype(np.int64)

    # ------------------------------------------------------------------------------------------- create
    def create(self, created: np.ndarray, issue: np.ndarray, customer: np.ndarray, requester: np.ndarray,
               zh: np.ndarray) -> np.ndarray:
        rng, k = self.rng, len(created)
        idx = self.t.add(k)
        t = self.t
        t["created"][idx] = created
        t["customer"][idx] = customer
        t["requester"][idx] = requester
        t["issue"][idx] = issue
        subj_en = text.lookup({i: s[0] for i, s in text.SUBJECTS.items()}, issue)
        subj_zh = text.lookup({i: s[1] for i, s in text.SUBJECTS.items()}, issue)
        t["subject"][idx] = np.where(zh, subj_zh, subj_en)
        t["zh"][idx] = zh
        t["via"][idx] = self.via
        t["type"][idx] = TYPES[rng.choice(len(TYPES), k, p=TYPES_P)]
        t["priority"][idx] = rng.choice(4, k, p=PRIORITY_P)
        t["group_set"][idx] = ~((self.channel == "web_form") & (rng.random(k) < 0.12))
        t["needed"][idx] = 1 + rng.choice(3, k, p=[0.5, 0.33, 0.17])
        t["reopen_plan"][idx] = rng.random(k) < P.REOPEN_P
        t["escalate"][idx] = rng.random(k) < 0.05
        t["reassign"][idx] = rng.random(k) < 0.08
        t["status"][idx] = NEW
        self._versions(idx, created)
        self._comments(idx, created, t["requester"][idx].astype(str), True, self._customer_text(idx, 0))
        user = t["requester"][idx].astype(str)
        self._history(idx, created, "status", np.full(k, "new", dtype=object), user)
        self._history(idx, created, "priority", PRIORITY[t["priority"][idx]], user)
        g = t["group_set"][idx]
        self._history(idx[g], created[g], "group_id", np.full(int(g.sum()), self.group_id, dtype=object),
                      np.full(int(g.sum()), self.admin, dtype=object))
        self.pend_ticket = np.concatenate([self.pend_ticket, idx])
        self.pend_trigger = np.concatenate([self.pend_trigger, created])
        return idx

    # -------------------------------------------------------------------------------------------- serve
    def serve(self, slot_t: np.ndarray, slot_agent: np.ndarray, day_end: int, slot_len: int) -> tuple[Work, Solved]:
        """Work the pending replies into the day's free slots (several passes: a customer answer can
        bring a ticket back the same day)."""
        free = np.ones(len(slot_t), bool)
        works, solved = [], []
        for _ in range(4):
            due = self.pend_trigger < day_end
            if not due.any() or not free.any():
                break
            cand = np.flatnonzero(due)
            key = self.pend_trigger[cand] - PRIORITY_BOOST[self.t["priority"][self.pend_ticket[cand]]]
            cand = cand[np.argsort(key, kind="stable")]
            fs = np.flatnonzero(free)
            st = slot_t[fs]
            a = np.searchsorted(st, self.pend_trigger[cand])
            k = np.arange(len(cand))
            s = np.maximum.accumulate(a - k) + k
            ok = s < len(fs)
            if not ok.any():
                break
            items, slots = cand[ok], fs[s[ok]]
            free[slots] = False
            served_ticket = self.pend_ticket[items]
            keep = np.ones(len(self.pend_ticket), bool)
            keep[items] = False
            self.pend_ticket, self.pend_trigger = self.pend_ticket[keep], self.pend_trigger[keep]
            w, sv = self._reply(served_ticket, slot_t[slots], slot_agent[slots], slot_len)
            works.append(w)
            solved.append(sv)
        work = Work(*(np.concatenate([getattr(w, f) for w in works]) if works else np.zeros(0, np.int64)
                      for f in ("agent", "start", "handle", "acw")))
        sol = Solved(*(np.concatenate([getattr(x, f) for x in solved]) if solved else np.zeros(0, np.int64)
                       for f in ("ticket", "t", "agent")))
        return work, sol

    def _reply(self, tk: np.ndarray, start: np.ndarray, agent: np.ndarray, slot_len: int) -> tuple[Work, Solved]:
        rng, t, k = self.rng, self.t, len(tk)
        aht = self.agents.aht_factor()[agent]
        handle = np.minimum(np.round(P.EMAIL_HANDLE_MEDIAN * aht * np.exp(rng.normal(0, 0.45, k))),
                            slot_len - 40).astype(np.int64)
        handle = np.maximum(handle, 60)
        acw = rng.integers(5, 31, k)
        sent = start + handle
        agent_user = self.agents.helpdesk_user_id[agent]
        first = t["first_reply"][tk] < 0
        t["first_reply"][tk[first]] = sent[first]
        # resolution is decided by the agent who first works the ticket
        q = self.agents.quality[agent]
        base = text.lookup(P.ISSUE_RESOLVE_LOGIT, t["issue"][tk], 1.5).astype(float)
        logit = base + 0.8 * q - 0.2 * self.agents.speed[agent]
        res = rng.random(k) < 1 / (1 + np.exp(-logit))
        t["resolved"][tk[first]] = res[first]
        # internal note before some first replies
        note = first & (rng.random(k) < 0.2)
        self._comments(tk[note], sent[note] - 60, agent_user[note], False,
                       text.pick(rng, text.INTERNAL_NOTES, int(note.sum())))
        # assignment: the first replier, or a later replier when the ticket is reassigned
        old_assignee = t["assignee"][tk]
        new_assignee = np.where(first | (t["reassign"][tk] & (t["done"][tk] == 1)), agent, old_assignee)
        changed = new_assignee != old_assignee
        t["assignee"][tk] = new_assignee
        self._history(tk[changed], sent[changed] - 1, "assignee_id",
                      self.agents.helpdesk_user_id[new_assignee[changed]], agent_user[changed])
        grp = first & ~t["group_set"][tk]
        t["group_set"][tk[grp]] = True
        self._history(tk[grp], sent[grp] - 1, "group_id", np.full(int(grp.sum()), self.group_id, dtype=object),
                      agent_user[grp])
        esc = first & t["escalate"][tk] & (t["priority"][tk] < 3)
        t["priority"][tk[esc]] += 1
        self._history(tk[esc], sent[esc] - 1, "priority", PRIORITY[t["priority"][tk[esc]]], agent_user[esc])
        # the reply itself
        t["done"][tk] += 1
        t["last_agent"][tk] = agent
        more = t["done"][tk] < t["needed"][tk]
        new_status = np.where(more, PENDING, SOLVED)
        t["status"][tk] = new_status
        bodies = np.array(text.AGENT_REPLIES, dtype=object)[rng.integers(0, len(text.AGENT_REPLIES), k)]
        self._comments(tk, sent, agent_user, True, np.where(t["zh"][tk], bodies[:, 1], bodies[:, 0]))
        self._history(tk, sent, "status", STATUS[new_status], agent_user)
        self._versions(tk, sent)
        # customer answers: the ticket goes back to open and needs another reply
        back = tk[more]
        t_back = sent[more] + np.round(P.CUSTOMER_REPLY_MEDIAN_H * 3600 * np.exp(rng.normal(0, 0.9, len(back))))
        t_back = t_back.astype(np.int64)
        self._customer_answer(back, t_back, 1)
        # solved: reopen once (some), else closed a few days later
        sol = tk[~more]
        t_sol = sent[~more]
        reopen = t["reopen_plan"][sol] & ~t["reopened"][sol]
        t["reopened"][sol[reopen]] = True
        t["needed"][sol[reopen]] += 1
        t_re = t_sol[reopen] + rng.integers(6 * 3600, 3 * DAY, int(reopen.sum()))
        self._customer_answer(sol[reopen], t_re, 1)
        close = sol[~reopen]
        t_close = t_sol[~reopen] + P.CLOSE_AFTER_DAYS * DAY + rng.integers(0, 6 * 3600, len(close))
        self._closed(close, t_close)
        first_solve = ~more & ~t["surveyed"][tk]
        t["surveyed"][tk[first_solve]] = True
        return Work(agent, start, handle, acw), Solved(tk[first_solve], sent[first_solve], agent[first_solve])

    def _customer_answer(self, tk: np.ndarray, when: np.ndarray, body: int) -> None:
        if not len(tk):
            return
        t = self.t
        t["status"][tk] = OPEN
        user = t["requester"][tk].astype(str)
        self._comments(tk, when, user, True, self._customer_text(tk, body + self.rng.integers(0, 3, len(tk))))
        self._history(tk, when, "status", np.full(len(tk), "open", dtype=object), user)
        self._versions(tk, when, status=np.full(len(tk), OPEN))
        self.pend_ticket = np.concatenate([self.pend_ticket, tk])
        self.pend_trigger = np.concatenate([self.pend_trigger, when])

    def _closed(self, tk: np.ndarray, when: np.ndarray) -> None:
        if not len(tk):
            return
        self._history(tk, when, "status", np.full(len(tk), "closed", dtype=object),
                      np.full(len(tk), self.admin, dtype=object))
        self._versions(tk, when, status=np.full(len(tk), CLOSED))

    # ------------------------------------------------------------------------------------------ outputs
    def _customer_text(self, tk: np.ndarray, which: int | np.ndarray) -> np.ndarray:
        bodies = np.array(text.CUSTOMER_BODIES, dtype=object)
        w = np.broadcast_to(np.asarray(which) % len(bodies), (len(tk),))
        out = np.where(self.t["zh"][tk], bodies[w, 1], bodies[w, 0])
        order = self.rng.integers(10000, 99999, len(tk)).astype(str).astype(object)
        return text.fill_template(out, order)

    def _versions(self, tk: np.ndarray, when: np.ndarray, status: np.ndarray | None = None) -> None:
        if not len(tk):
            return
        t = self.t
        st = t["status"][tk] if status is None else status
        assignee = t["assignee"][tk]
        self.out_versions.append({
            "id": self.ticket_id(tk), "created_at": t["created"][tk], "updated_at": np.asarray(when, np.int64),
            "subject": t["subject"][tk], "status": STATUS[st], "priority": PRIORITY[t["priority"][tk]],
            "type": t["type"][tk], "via_channel": t["via"][tk], "requester_id": t["requester"][tk],
            "assignee_id": np.where(assignee >= 0, self.agents.helpdesk_user_id[np.maximum(assignee, 0)], None),
            "group_id": np.where(t["group_set"][tk], self.group_id, None),
            "custom_issue_type": t["issue"][tk],
        })

    def _comments(self, tk: np.ndarray, when: np.ndarray, user: np.ndarray, public: bool, body: np.ndarray) -> None:
        k = len(tk)
        if not k:
            return
        cid = self.comment_base + self.n_comments + np.arange(k)
        self.n_comments += k
        self.out_comments.append({"id": cid, "ticket_id": self.ticket_id(tk), "user_id": np.asarray(user, object),
                                  "created": np.asarray(when, np.int64), "public": np.full(k, public),
                                  "body": np.asarray(body, object)})

    def _history(self, tk: np.ndarray, when: np.ndarray, name: str, value: np.ndarray, user: np.ndarray) -> None:
        k = len(tk)
        if not k:
            return
        self.out_history.append({"ticket_id": self.ticket_id(tk), "field_name": np.full(k, name, dtype=object),
                                 "value": np.asarray(value, object), "updated": np.asarray(when, np.int64),
                                 "user_id": np.asarray(user, object)})

    def drain(self) -> tuple[list[dict], list[dict], list[dict]]:
        out = (self.out_versions, self.out_comments, self.out_history)
        self.out_versions, self.out_comments, self.out_history = [], [], []
        return out


def email_slots(blk_agent: np.ndarray, blk_start: np.ndarray, blk_end: np.ndarray, busy_agent: np.ndarray,
                busy_start: np.ndarray, busy_end: np.ndarray, slot_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-length slots in the idle gaps of the given productive blocks (sorted by time)."""
    if not len(blk_agent):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # which block each busy interval belongs to: the agent's block containing its start
    key_b = blk_agent * 10**11 + blk_start
    ob = np.argsort(key_b)
    key_c = busy_agent * 10**11 + busy_start
    pos = np.searchsorted(key_b[ob], key_c, side="right") - 1
    inside = pos >= 0
    blk_of = np.full(len(busy_agent), -1)
    blk_of[inside] = ob[pos[inside]]
    inside &= (blk_of >= 0) & (blk_agent[np.maximum(blk_of, 0)] == busy_agent)
    inside &= busy_start < blk_end[np.maximum(blk_of, 0)]
    b, s, e = blk_of[inside], busy_start[inside], busy_end[inside]
    o = np.lexsort((s, b))
    b, s, e = b[o], s[o], e[o]
    prev_end = np.where(np.r_[False, b[1:] == b[:-1]], np.r_[0, e[:-1]], blk_start[b])
    g_open = np.concatenate([prev_end, blk_start])
    g_close = np.concatenate([s, blk_end - 60])
    g_blk = np.concatenate([b, np.arange(len(blk_start))])
    # the tail gap of each block starts after its last busy interval (or at the block start if none)
    last_end = blk_start.copy()
    np.maximum.at(last_end, b, e)
    g_open[len(b):] = last_end
    n_slots = np.maximum(0, (g_close - g_open) // slot_len)
    total = int(n_slots.sum())
    if not total:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rep = np.repeat(np.arange(len(g_open)), n_slots)
    j = np.arange(total) - np.repeat(np.cumsum(n_slots) - n_slots, n_slots)
    st = g_open[rep] + j * slot_len
    ag = blk_agent[g_blk[rep]]
    o = np.argsort(st, kind="stable")
    return st[o], ag[o]
