"""WFM plans per agent-day (local time) and what actually happened: logins, activities, productive blocks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from ccw.generate import clock
from ccw.generate.config import GeneratorConfig
from ccw.generate.demand import intraday_profile, is_open_local
from ccw.generate.params import WEEKDAY_FACTOR
from ccw.generate.reference import Queue, Reference
from ccw.generate.workforce import Agents

H = 3600
M = 60
ACTIVITY = ("shift", "break", "lunch", "training", "meeting", "absence")
SHIFT, BREAK, LUNCH, TRAINING, MEETING, ABSENCE = range(6)
PART_TIME = 5 * H


@dataclass
class Schedules:
    """Everything about one site's agent-days, sorted by day then agent."""

    ad_day: np.ndarray  # day index in the period
    ad_agent: np.ndarray
    ad_no_show: np.ndarray
    ad_absent: np.ndarray
    login: np.ndarray  # actual UTC seconds (meaningless for absent / no-show)
    logout: np.ndarray
    day_ptr: np.ndarray  # agent-days of day d are [day_ptr[d], day_ptr[d+1])
    # planned activities (export rows), local wall-clock seconds since the epoch
    plan_ad: np.ndarray
    plan_kind: np.ndarray
    plan_start_local: np.ndarray
    plan_end_local: np.ndarray
    # actual non-productive activities (UTC) and productive blocks (UTC), per agent-day
    act_ad: np.ndarray
    act_kind: np.ndarray
    act_start: np.ndarray
    act_end: np.ndarray
    blk_ad: np.ndarray
    blk_start: np.ndarray
    blk_end: np.ndarray

    def day_slice(self, d: int) -> slice:
        return slice(int(self.day_ptr[d]), int(self.day_ptr[d + 1]))


def _shift_options(q: Queue, ref: Reference, weekday: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate (start, length) shifts inside the queue's hours and probabilities whose coverage follows
    the queue's demand (with a floor in open hours) at the least paid hours (a small LP)."""
    open_s, close_s = ref.business_hours[q.schedule].get(weekday, (9 * H, 17 * H))
    full = min(9 * H, close_s - open_s)
    starts, lengths = [], []
    for length in (full, PART_TIME):
        for st in range(open_s, close_s - length + 1, 30 * M):
            starts.append(st)
            lengths.append(length)
    st_arr, ln_arr = np.array(starts, np.int64), np.array(lengths, np.int64)
    grid = np.arange(0, 24 * H, 30 * M)
    open_ = is_open_local(ref, q, np.full(len(grid), weekday), grid)
    demand = intraday_profile(q.channel, (grid + 15 * M) / H) if q.is_realtime else np.ones(len(grid))
    demand = np.where(open_, np.maximum(demand, 0.3 * (demand * open_).max(initial=0.0)), 0.0)
    need = demand / max(demand.max(), 1e-9)
    rel = grid[:, None] - st_arr[None, :]
    cover = ((rel >= 0) & (rel < ln_arr[None, :])).astype(float)
    lunch = (ln_arr[None, :] > PART_TIME) & (rel >= 3 * H + 30 * M) & (rel < 4 * H + 30 * M)
    cover[lunch] = 0.5  # lunches are staggered around the middle of a long shift
    cost = ln_arr / H * np.where(ln_arr > PART_TIME, 1.0, 1.2)  # part-time hours cost a little more
    res = linprog(cost, A_ub=-cover, b_ub=-need, bounds=(0, None), method="highs")
    x = res.x if res.success else np.ones(len(st_arr))
    x = x + 0.02 * max(x.max(), 1e-9)
    return st_arr, ln_arr, x / x.sum()


def build_schedules(agents: Agents, queues: list[Queue], ref: Reference, site: str, cfg: GeneratorConfig,
                    rng: np.random.Generator) -> Schedules:
    tz = ref.site_time_zone[site]
    days = cfg.export_days()
    nd, na = len(days), agents.n
    weekday = np.array([d.isoweekday() for d in days])
    holiday = np.array([d in ref.holidays.get(site, {}) for d in days])
    sunday_closed = site == "london"

    # --- who works which day -------------------------------------------------------------------------------
    wf = np.array(WEEKDAY_FACTOR)
    if sunday_closed:
        work_frac = np.append(np.clip(5 * wf[:6] / wf[:6].sum(), 0, 0.97), 0.0)
    else:
        work_frac = np.clip(5 * wf / wf.sum(), 0, 0.97)
    off_w = np.log(np.clip(1 - work_frac, 0.02, None))
    week_of = np.array([(d - days[0]).days + days[0].weekday() for d in days]) // 7
    nweeks = int(week_of.max()) + 1
    gumbel = rng.gumbel(size=(na, nweeks, 7)) + off_w[None, None, :]
    if sunday_closed:
        gumbel[:, :, 6] = np.inf
    order = np.argsort(-gumbel, axis=2)
    off = np.zeros((na, nweeks, 7), bool)
    np.put_along_axis(off, order[:, :, :2], True, axis=2)
    works = ~off[:, week_of, weekday - 1]  # [agent, day]
    day_no = np.arange(nd)[None, :]
    employed = (agents.hire_day[:, None] <= day_no) & (day_no < agents.leave_day[:, None])
    works &= employed
    works &= ~(holiday[None, :] & (rng.random((na, nd)) > 0.3))
    # the WFM never leaves an open site without staff: top up days below a minimum
    open_day = ~(sunday_closed & (weekday == 7))
    minimum = np.maximum(2, np.ceil(0.15 * employed.sum(axis=0))).astype(int)
    for d in np.flatnonzero(open_day & (works.sum(axis=0) < minimum)):
        spare = np.flatnonzero(employed[:, d] & ~works[:, d])
        need = min(len(spare), int(minimum[d] - works[:, d].sum()))
        works[rng.choice(spare, size=need, replace=False), d] = True
    wave = np.zeros(nd, bool)
    wave[rng.choice(nd, size=max(1, nd // 15), replace=False)] = True
    absent = works & (rng.random((na, nd)) < 0.025)
    no_show = works & ~absent & (rng.random((na, nd)) < np.where(wave, 0.15, 0.008)[None, :])

    dd, aa = np.nonzero(works.T)  # sorted by day then agent
    n = len(dd)
    day_ptr = np.searchsorted(dd, np.arange(nd + 1))
    wd = weekday[dd]

    # --- shift start and length from the primary queue's hours --------------------------------------------
    prim = agents.primary[aa]
    start = np.zeros(n, np.int64)
    length = np.full(n, 9 * H, np.int64)
    for qi, q in enumerate(queues):
        for w in range(1, 8):
            m = (prim == qi) & (wd == w)
            if not m.any():
                continue
            st_opt, ln_opt, p = _shift_options(q, ref, w)
            pick = _systematic(np.arange(len(p)), p, dd[m], rng)
            start[m] = st_opt[pick]
            length[m] = ln_opt[pick]
    end = start + length

    # --- planned activities ------------------------------------------------------------------------------
    q15 = 15 * M
    long_shift = length > PART_TIME
    grp = dd * 1000 + start // (30 * M) * 2 + long_shift
    r1, n1 = _group_rank(grp, rng)
    r2, n2 = _group_rank(grp, rng)
    # breaks and lunches staggered within each shift group, so a team never pauses all at once
    b1 = np.where(long_shift, start + 75 * M + ((r1 + 0.5) / n1 * 6).astype(np.int64) * q15,
                  start + 2 * H + ((r1 + 0.5) / n1 * 5).astype(np.int64) * q15)
    lunch_len = np.where(length >= 9 * H, 60 * M, 30 * M)
    lu = start + 3 * H + q15 + ((r2 + 0.5) / n2 * 5).astype(np.int64) * q15
    has_meet = long_shift & (rng.random(n) < 0.07)
    meet = start + 30 * M
    has_train = long_shift & (rng.random(n) < 0.05)
    train = lu + lunch_len + 30 * M
    b2 = lu + lunch_len + rng.integers(6, 11, n) * q15
    b2 = np.where(has_train, np.maximum(b2, train + H + q15), b2)
    has_train &= b2 <= end - 30 * M
    b2 = np.where(has_train, b2, np.minimum(b2, end - 45 * M))
    lunch_len = np.where(long_shift, lunch_len, 0)
    has_b2 = long_shift & (b2 >= lu + lunch_len + 30 * M)

    kinds = [BREAK, LUNCH, BREAK, MEETING, TRAINING]
    starts = [b1, lu, b2, meet, train]
    lens = [np.full(n, q15), lunch_len, np.full(n, q15), np.full(n, 30 * M), np.full(n, H)]
    present = [np.ones(n, bool), long_shift, has_b2, has_meet, has_train]

    ad_idx = np.arange(n)
    is_abs = absent[aa, dd]
    local_day0 = np.array([clock.day_index(d) for d in days], dtype=np.int64)[dd] * clock.DAY
    plan_ad = [ad_idx]
    plan_kind = [np.where(is_abs, ABSENCE, SHIFT)]
    plan_s = [local_day0 + start]
    plan_e = [local_day0 + end]
    act_ad, act_kind, act_s, act_e = [], [], [], []
    for k, s0, ln, pr in zip(kinds, starts, lens, present, strict=True):
        m = pr & ~is_abs
        plan_ad.append(ad_idx[m])
        plan_kind.append(np.full(int(m.sum()), k))
        plan_s.append(local_day0[m] + s0[m])
        plan_e.append(local_day0[m] + s0[m] + ln[m])
        act_ad.append(ad_idx[m])
        act_kind.append(np.full(int(m.sum()), k))
        act_s.append(s0[m] + rng.integers(-120, 181, int(m.sum())))
        act_e.append(s0[m] + ln[m] + rng.integers(-60, 181, int(m.sum())))
    p_ad = np.concatenate(plan_ad)
    p_order = np.lexsort((np.concatenate(plan_s), p_ad))

    # --- actual times (UTC) ------------------------------------------------------------------------------
    offsets = np.array([clock.epoch(d) - clock.noon_offset(d, tz) for d in days], dtype=np.int64)[dd]
    u = rng.random(n)
    login_j = np.where(u < 0.8, np.clip(rng.normal(-60, 60, n), -180, 120),
                       np.where(u < 0.95, rng.uniform(180, 900, n), rng.uniform(900, 2400, n)))
    v = rng.random(n)
    over = np.where(v < 0.75, rng.uniform(0, 240, n), np.where(v < 0.93, rng.uniform(300, 1800, n),
                                                                rng.uniform(1800, 5400, n)))
    a_ad = np.concatenate(act_ad)
    a_kind = np.concatenate(act_kind)
    a_s = np.concatenate(act_s)
    a_e = np.concatenate(act_e)
    o = np.lexsort((a_s, a_ad))
    a_ad, a_kind, a_s, a_e = a_ad[o], a_kind[o], a_s[o], a_e[o]
    # keep activities apart: each ends a minute before the next starts, and lasts at least 5 minutes
    nxt = np.append(a_s[1:], np.iinfo(np.int64).max)
    same = np.append(a_ad[1:] == a_ad[:-1], False)
    a_e = np.where(same, np.minimum(a_e, nxt - 60), a_e)
    a_e = np.maximum(a_e, a_s + 300)
    first_act = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_act, a_ad, a_s)
    last_act = np.zeros(n, np.int64)
    np.maximum.at(last_act, a_ad, a_e)
    login_l = np.minimum(start + login_j.astype(np.int64), first_act - 600)
    logout_l = np.maximum(end + over.astype(np.int64), np.where(last_act > 0, last_act + 600, 0))

    # productive blocks between login, activities and logout
    pts_ad = np.concatenate([ad_idx, a_ad, a_ad, ad_idx])
    pts_t = np.concatenate([login_l + 30, a_s, a_e, logout_l])  # available 30 s after logging in
    pts_open = np.concatenate([np.ones(n, bool), np.zeros(len(a_ad), bool), np.ones(len(a_ad), bool),
                               np.zeros(n, bool)])
    o = np.lexsort((pts_t, pts_ad))
    pts_ad, pts_t, pts_open = pts_ad[o], pts_t[o], pts_open[o]
    bs = pts_t[0::2]
    be = pts_t[1::2]
    b_ad = pts_ad[0::2]
    assert np.all(pts_open[0::2]) and np.all(~pts_open[1::2]), "activities overlap"
    keep = (be - bs >= 60) & ~is_abs[b_ad] & ~no_show[aa, dd][b_ad]
    a_keep = ~is_abs[a_ad]

    return Schedules(
        ad_day=dd, ad_agent=aa, ad_no_show=no_show[aa, dd], ad_absent=is_abs,
        login=offsets + login_l, logout=offsets + logout_l, day_ptr=day_ptr,
        plan_ad=p_ad[p_order], plan_kind=np.concatenate(plan_kind)[p_order],
        plan_start_local=np.concatenate(plan_s)[p_order], plan_end_local=np.concatenate(plan_e)[p_order],
        act_ad=a_ad[a_keep], act_kind=a_kind[a_keep], act_start=offsets[a_ad][a_keep] + a_s[a_keep],
        act_end=offsets[a_ad][a_keep] + a_e[a_keep],
        blk_ad=b_ad[keep], blk_start=offsets[b_ad][keep] + bs[keep], blk_end=offsets[b_ad][keep] + be[keep],
    )




def _group_rank(group: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random rank of each row within its group (0..size-1) and the size of that group."""
    order = np.lexsort((rng.random(len(group)), group))
    g = group[order]
    first = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    size = np.diff(np.r_[first, len(g)])
    rank = np.empty(len(group), np.int64)
    rank[order] = np.arange(len(g)) - np.repeat(first, size)
    sizes = np.empty(len(group), np.int64)
    sizes[order] = np.repeat(size, size)
    return rank, sizes


def _systematic(values: np.ndarray, p: np.ndarray, group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row from ``values`` with probabilities ``p``, spread systematically within each group
    (the agents of one queue on one day), so even a handful of agents covers early and late shifts."""
    rank, size = _group_rank(group, rng)
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    u = (rank + rng.random()) / size
    return values[np.minimum(np.searchsorted(cdf, u), len(values) - 1)]


def planned_capacity(s: Schedules, agents: Agents, n_queues: int) -> np.ndarray:
    """Planned productive agent-seconds of the period per queue (by primary queue); absences excluded."""
    shift = s.plan_kind == SHIFT
    other = (s.plan_kind != SHIFT) & (s.plan_kind != ABSENCE)
    secs = np.zeros(len(s.ad_day))
    np.add.at(secs, s.plan_ad[shift], (s.plan_end_local - s.plan_start_local)[shift])
    np.add.at(secs, s.plan_ad[other], -(s.plan_end_local - s.plan_start_local)[other])
    return np.bincount(agents.primary[s.ad_agent], weights=secs, minlength=n_queues)
