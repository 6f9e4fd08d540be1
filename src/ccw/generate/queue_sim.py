"""Real-time queues (phone, chat) of one site-day: a multi-skill FIFO queue with impatient customers.

Time advances in 5-minute windows (a loop over windows, never over contacts). In a window every
queue's waiting contacts, in arrival order, are paired with the skilled agents who are logged in
and in a productive block, ordered by the time each becomes free: contact k takes the k-th
earliest-free agent (the FIFO multi-server rule), starts at max(arrival + ring, agent free), and
abandons when that wait exceeds its patience (exponential, plus a few very impatient callers,
which makes short abandons). Waits, abandons and service level therefore follow from staffing.
Transferred legs re-enter the target queue when the first agent's talk ends; long waits may be
converted into a queued callback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ccw.generate import params as P

W = 300  # window seconds
INF = 10**12
PASSES = (False, True)


@dataclass
class Contacts:
    """Struct-of-arrays of the day's queued legs; grows when transfers add legs."""

    n: int
    cap: int
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    SPEC = {
        "arr": (np.int64, 0), "queue": (np.int64, 0), "kind": (np.int8, 0), "parent": (np.int64, -1),
        "root": (np.int64, -1), "leg": (np.int8, 1), "patience": (np.float64, 0.0), "ring": (np.int64, 0),
        "talk_base": (np.float64, 0.0), "hold": (np.int64, 0), "nholds": (np.int64, 0), "acw_base": (np.float64, 0.0),
        "u_tr": (np.float64, 1.0), "u_cb": (np.float64, 1.0), "agent": (np.int64, -1), "start": (np.int64, -1),
        "talk": (np.int64, 0), "acw": (np.int64, 0), "end_talk": (np.int64, -1), "busy_end": (np.int64, -1),
        "abandoned": (np.bool_, False), "aband_t": (np.int64, -1), "callback": (np.bool_, False),
        "cb_t": (np.int64, -1), "child": (np.int64, -1), "src": (np.int64, -1),
    }

    @classmethod
    def empty(cls, cap: int) -> Contacts:
        c = cls(0, cap)
        for name, (dt, fill) in cls.SPEC.items():
            c.cols[name] = np.full(cap, fill, dtype=dt)
        return c

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name]
        raise AttributeError(name)

    def add(self, k: int) -> np.ndarray:
        if self.n + k > self.cap:
            new_cap = max(self.cap * 2, self.n + k + 64)
            for name, (dt, fill) in self.SPEC.items():
                grown = np.full(new_cap, fill, dtype=dt)
                grown[: self.n] = self.cols[name][: self.n]
                self.cols[name] = grown
            self.cap = new_cap
        idx = np.arange(self.n, self.n + k)
        self.n += k
        return idx

    def trimmed(self) -> dict[str, np.ndarray]:
        return {k: v[: self.n] for k, v in self.cols.items()}


@dataclass
class QueueSetup:
    channel: list[str]  # per site queue
    realtime: list[int]  # site queue indices simulated here
    transfer_target: list[int]  # per site queue


@dataclass
class AgentState:
    """Per-agent arrays the simulation reads and updates (site-local agent index)."""

    free_at: np.ndarray
    skills: np.ndarray
    aht_factor: np.ndarray
    speed: np.ndarray
    quality: np.ndarray
    primary: np.ndarray


def draw_legs(c: Contacts, idx: np.ndarray, channel: np.ndarray, rng: np.random.Generator) -> None:
    """Random needs of new legs: ring, talk, hold, ACW and the uniforms of later decisions."""
    k = len(idx)
    phone = channel == "phone"
    talk_med = np.where(phone, P.TALK_MEDIAN["phone"], P.TALK_MEDIAN["chat"])
    c.ring[idx] = rng.integers(P.RING_SECONDS[0], P.RING_SECONDS[1] + 1, k)
    c.talk_base[idx] = talk_med * np.exp(rng.normal(0, P.TALK_SIGMA, k))
    holds = phone & (rng.random(k) < P.HOLD_SHARE)
    nh = np.where(holds, 1 + rng.binomial(2, 0.25, k), 0)
    c.nholds[idx] = nh
    c.hold[idx] = np.where(holds, np.round(P.HOLD_MEDIAN * np.exp(rng.normal(0, 0.6, k)) * np.maximum(nh, 1) ** 0.5), 0)
    acw_share = np.where(phone, P.ACW_SHARE["phone"], P.ACW_SHARE["chat"])
    acw_med = np.where(phone, P.ACW_MEDIAN["phone"], P.ACW_MEDIAN["chat"])
    c.acw_base[idx] = np.where(rng.random(k) < acw_share, acw_med * np.exp(rng.normal(0, 0.5, k)), 0.0)
    c.u_tr[idx] = rng.random(k)
    c.u_cb[idx] = rng.random(k)


def draw_patience(queue_ids: np.ndarray, mean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    k = len(queue_ids)
    pat = rng.exponential(1.0, k) * mean
    short = rng.random(k) < P.SHORT_PATIENCE_SHARE
    return np.where(short, rng.uniform(0.5, 5.0, k), pat)


def eligibility(blk_agent: np.ndarray, blk_start: np.ndarray, blk_end: np.ndarray, d0: int, n_windows: int,
                n_agents: int) -> np.ndarray:
    """E[w, a] = index of the block that makes agent a eligible in window w, or -1."""
    e = np.full((n_windows, n_agents), -1, dtype=np.int64)
    lo = np.maximum(0, (blk_start - d0) // W)
    hi = np.minimum(n_windows - 1, (blk_end - 60 - d0) // W - 1)
    ok = hi >= lo
    b = np.flatnonzero(ok)
    counts = (hi - lo + 1)[ok]
    rows = np.repeat(lo[ok], counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    e[rows, np.repeat(blk_agent[b], counts)] = np.repeat(b, counts)
    return e


def skill_groups(skills: np.ndarray, channel: list[str], realtime: list[int]) -> list[list[int]]:
    """Queues served as one FIFO stream: same channel and exactly the same skilled agents."""
    groups: dict[tuple, list[int]] = {}
    for qi in realtime:
        groups.setdefault((channel[qi], skills[:, qi].tobytes()), []).append(qi)
    return list(groups.values())


def simulate_day(c: Contacts, setup: QueueSetup, agents: AgentState, blk_agent: np.ndarray, blk_start: np.ndarray,
                 blk_end: np.ndarray, d0: int, rng: np.random.Generator, patience_mean: np.ndarray,
                 callback_save: np.ndarray | None = None) -> None:
    """Serve the queued legs in ``c`` (arrivals already filled); results are written into ``c``. ``callback_save``
    (per site queue, or None): the share of first-leg callers about to abandon who take a callback instead (the
    callback pilot of params.CALLBACK_PILOT_*)."""
    n_base = c.n
    last = max(int(blk_end.max()) if len(blk_end) else d0, int(c.arr[:n_base].max()) if n_base else d0)
    n_windows = int((last - d0) // W) + 3
    elig = eligibility(blk_agent, blk_start, blk_end, d0, n_windows, len(agents.free_at))
    groups = skill_groups(agents.skills, setup.channel, setup.realtime)
    group_of = np.full(len(setup.channel), -1)
    for g, qs in enumerate(groups):
        group_of[qs] = g
    edges = d0 + W * np.arange(n_windows + 1)
    qgroup = group_of[c.queue[:n_base]]
    order_by_g, bounds = [], []
    for g in range(len(groups)):
        idx = np.flatnonzero(qgroup == g)
        idx = idx[np.argsort(c.arr[idx], kind="stable")]
        order_by_g.append(idx)
        bounds.append(np.searchsorted(c.arr[idx], edges))
    waiting = [np.zeros(0, np.int64) for _ in groups]
    injected: dict[tuple[int, int], list[np.ndarray]] = {}
    skill = [agents.skills[:, qs[0]] for qs in groups]
    own = [np.isin(agents.primary, qs) for qs in groups]
    phone = [setup.channel[qs[0]] == "phone" for qs in groups]
    ng = len(groups)
    ctx = _Ctx(c, setup, agents, rng, injected, d0, patience_mean, group_of, blk_start, blk_end, callback_save)
    for w in range(n_windows):
        t1 = int(edges[w + 1])
        erow = elig[w]
        active = erow >= 0
        for g in range(ng):
            b = bounds[g]
            new = order_by_g[g][b[w]: b[w + 1]]
            extra = injected.pop((w, g), None)
            if extra:
                new = np.concatenate([new, *extra])
                new = new[np.argsort(c.arr[new], kind="stable")]
            if len(new):
                waiting[g] = np.concatenate([waiting[g], new]) if len(waiting[g]) else new
        # skill priority: first each queue's own (primary) agents who are free in this window,
        # then every skilled agent, in the order in which they become free
        for final in PASSES:
            for k in range(ng):
                g = (w + k) % ng
                if not len(waiting[g]):
                    continue
                mask = active & skill[g]
                if not final:
                    mask &= own[g]
                waiting[g] = _serve(ctx, waiting[g], np.flatnonzero(mask), erow, t1, w, phone[g], final)
    for wl in waiting:  # still waiting when the day's agents are gone
        if len(wl):
            c.abandoned[wl] = True
            gone_at = np.minimum(c.arr[wl] + np.minimum(c.patience[wl], 4 * 3600), int(edges[-1]))
            c.aband_t[wl] = gone_at.astype(np.int64)
    for rest in injected.values():  # transfers created after the last window: the caller hung up
        for wl in rest:
            c.abandoned[wl] = True
            c.aband_t[wl] = c.arr[wl] + np.minimum(c.patience[wl], 600).astype(np.int64)


@dataclass
class _Ctx:
    c: Contacts
    setup: QueueSetup
    agents: AgentState
    rng: np.random.Generator
    injected: dict
    d0: int
    patience_mean: np.ndarray
    group_of: np.ndarray
    blk_start: np.ndarray
    blk_end: np.ndarray
    callback_save: np.ndarray | None = None


def second_uniform(u: np.ndarray) -> np.ndarray:
    """A uniform from the digits of ``u`` beyond its fourth decimal: independent of ``u < p`` for any p of four
    decimals, and it takes nothing from the random stream (a sample without a pilot is unchanged)."""
    return (u * 10_000.0) % 1.0


def _serve(x: _Ctx, wl: np.ndarray, cand: np.ndarray, erow: np.ndarray, t1: int, w: int, phone: bool,
           final: bool) -> np.ndarray:
    c = x.c
    bs = x.blk_start[erow[cand]]
    be = x.blk_end[erow[cand]]
    rounds = 0
    while len(wl) and len(cand) and rounds < 60:
        rounds += 1
        fe = np.maximum(x.agents.free_at[cand], bs)
        ok = fe < be - 60
        if not final:
            ok &= fe < t1
        if not ok.any():
            break
        c_ok, fe_ok = cand[ok], fe[ok]
        order = np.argsort(fe_ok, kind="stable")
        m = min(len(wl), len(order))
        heads = wl[:m]
        wl = wl[m:]
        st = np.maximum(c.arr[heads] + c.ring[heads], fe_ok[order[:m]])
        wait = st - c.arr[heads]
        ab = wait > c.patience[heads]
        if ab.any():
            cb = np.zeros(len(heads), bool)
            if phone:
                cb = ab & (c.kind[heads] == 0) & (wait > P.CALLBACK_OFFER_WAIT) & (c.u_cb[heads] < P.CALLBACK_ACCEPT_P)
            drop = ab & ~cb
            if x.callback_save is not None:  # callback pilot: some callers about to abandon take a callback
                saved = drop & (c.kind[heads] == 0) & (second_uniform(c.u_cb[heads]) < x.callback_save[c.queue[heads]])
                cb |= saved
                drop &= ~saved
            gone = heads[drop]
            c.abandoned[gone] = True
            c.aband_t[gone] = c.arr[gone] + np.ceil(c.patience[gone]).astype(np.int64)
            heads, cb = heads[~drop], cb[~drop]
            st = np.maximum(c.arr[heads] + c.ring[heads], fe_ok[order[: len(heads)]])
            if cb.any():
                h = heads[cb]
                pat = c.patience[h]
                cbt = c.arr[h] + np.minimum(pat, 90).astype(np.int64) + 5
                real = (st[cb] - c.arr[h] > pat) & (st[cb] >= cbt + 20)
                c.callback[h[real]] = True
                c.cb_t[h[real]] = cbt[real]
        if not len(heads):
            continue
        _assign(x, heads, c_ok[order[: len(heads)]], st, w)
    if len(wl) and final:
        gone_mask = c.arr[wl] + c.patience[wl] < t1
        if gone_mask.any():
            gone = wl[gone_mask]
            c.abandoned[gone] = True
            c.aband_t[gone] = c.arr[gone] + np.ceil(c.patience[gone]).astype(np.int64)
            wl = wl[~gone_mask]
    return wl


def _assign(x: _Ctx, heads: np.ndarray, ag: np.ndarray, st: np.ndarray, w: int) -> None:
    c, agents = x.c, x.agents
    fac = agents.aht_factor[ag]
    talk = np.maximum(15, np.round(c.talk_base[heads] * fac)).astype(np.int64)
    acw = np.round(c.acw_base[heads] * fac).astype(np.int64)
    end_talk = st + talk + c.hold[heads]
    busy = end_talk + acw
    c.agent[heads] = ag
    c.start[heads] = st
    c.talk[heads] = talk
    c.acw[heads] = acw
    c.end_talk[heads] = end_talk
    c.busy_end[heads] = busy
    agents.free_at[ag] = busy
    queue = c.queue[heads]
    chan_phone = np.array([x.setup.channel[q] == "phone" for q in range(len(x.setup.channel))])[queue]
    leg = c.leg[heads]
    base_p = np.where(chan_phone, P.TRANSFER_P["phone"], P.TRANSFER_P["chat"])
    base_p = base_p * np.exp(-0.55 * agents.quality[ag] + 0.25 * agents.speed[ag])
    p = np.where(leg == 1, base_p, np.where(leg == 2, P.SECOND_TRANSFER_P, 0.0))
    tr = (c.u_tr[heads] < p) & (c.kind[heads] != 3)
    if not tr.any():
        return
    par = heads[tr]
    kids = c.add(len(par))
    target = np.asarray(x.setup.transfer_target)[c.queue[par]]
    c.arr[kids] = end_talk[tr]
    c.queue[kids] = target
    c.kind[kids] = 1
    c.parent[kids] = par
    c.root[kids] = c.root[par]
    c.leg[kids] = c.leg[par] + 1
    c.src[kids] = c.src[par]
    c.patience[kids] = x.rng.exponential(1.0, len(kids)) * x.patience_mean[target] * 2.5
    draw_legs(c, kids, np.asarray(x.setup.channel, dtype=object)[target], x.rng)
    c.ring[kids] = 1
    c.child[par] = kids
    win = np.maximum((c.arr[kids] - x.d0) // W, w + 1)
    grp = x.group_of[target]
    key = win * 1000 + grp
    for kv in np.unique(key):
        sel = key == kv
        x.injected.setdefault((int(kv // 1000), int(kv % 1000)), []).append(kids[sel])
