"""Demand: when contacts arrive (non-homogeneous Poisson per queue, in the queue's local time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ccw.generate import clock
from ccw.generate.params import (
    DAY_NOISE_SIGMA,
    HOLIDAY_FACTOR,
    ISSUE_MIX,
    NIGHT_FLOOR,
    PROFILE,
    WEEKDAY_FACTOR,
    WORKLOAD_SECONDS,
)
from ccw.generate.reference import Queue, Reference

BIN = 300  # seconds per arrival bin


def intraday_profile(channel: str, hour: np.ndarray) -> np.ndarray:
    h = np.asarray(hour, dtype=float)
    out = np.full(h.shape, NIGHT_FLOOR[channel])
    for centre, width, weight in PROFILE[channel]:
        out = out + weight * np.exp(-0.5 * ((h - centre) / width) ** 2)
    return out


def _profile_norm(channel: str) -> float:
    hours = (np.arange(0, 24 * 3600, BIN) + BIN / 2) / 3600
    return float(intraday_profile(channel, hours).sum())


def hours_table(ref: Reference, q: Queue) -> tuple[np.ndarray, np.ndarray]:
    """Opening and closing local seconds indexed by ISO weekday (0 unused); closed days open == close."""
    open_, close = np.zeros(8, np.int64), np.zeros(8, np.int64)
    for wd, (o, c) in ref.business_hours[q.schedule].items():
        open_[wd], close[wd] = o, c
    return open_, close


def is_open_local(ref: Reference, q: Queue, weekday: np.ndarray, local_seconds: np.ndarray) -> np.ndarray:
    open_, close = hours_table(ref, q)
    wd = np.asarray(weekday)
    s = np.asarray(local_seconds)
    return (s >= open_[wd]) & (s < close[wd])


def issue_mix(q: Queue) -> tuple[np.ndarray, np.ndarray]:
    mix = ISSUE_MIX["billing" if "billing" in q.queue_id else "general"]
    return np.array(list(mix)), np.array(list(mix.values())) / sum(mix.values())


@dataclass
class Arrivals:
    """Arrivals of one site-day, sorted by time."""

    t: np.ndarray  # UTC seconds
    queue: np.ndarray  # site queue index
    issue: np.ndarray  # issue type (object)
    is_open: np.ndarray  # inside the queue's business hours


def day_factor(q: Queue, ref: Reference, d: date) -> float:
    """Relative demand of a day: weekday effect (mean 1 over a week) and holidays."""
    wd = d.isoweekday()
    if q.channel == "chat" and wd not in ref.business_hours[q.schedule]:
        return 0.0
    factor = WEEKDAY_FACTOR[wd - 1] / (sum(WEEKDAY_FACTOR) / 7)
    if d in ref.holidays.get(q.site, {}):
        factor *= HOLIDAY_FACTOR
    return factor


def base_volumes(queues: list[Queue], ref: Reference, days: list[date], capacity: np.ndarray,
                 occupancy: float) -> np.ndarray:
    """Arrivals per queue on a day of factor 1, sized so the planned staff runs at ``occupancy``
    (less for small teams, as Erlang C requires).

    ``capacity`` holds the planned productive agent-seconds of the period per queue (by the agents'
    primary queue): the centre is staffed to its forecast, so demand and staffing agree on average.
    """
    out = np.zeros(len(queues))
    for i, q in enumerate(queues):
        factors = sum(day_factor(q, ref, d) for d in days)
        on_duty = capacity[i] / (len(days) * 11 * 3600)  # agents working this queue in an average open hour
        occ = min(occupancy, 0.42 + 0.1 * np.log(max(on_duty, 1.0)))  # small teams cannot run as hot
        out[i] = occ * capacity[i] / WORKLOAD_SECONDS[q.channel] / max(factors, 1e-9)
    return out


def generate_arrivals(queues: list[Queue], ref: Reference, d: date, volumes: list[float],
                      rng: np.random.Generator) -> Arrivals:
    tz = queues[0].time_zone
    m0, m1 = clock.local_midnight(d, tz), clock.local_midnight(date.fromordinal(d.toordinal() + 1), tz)
    starts = np.arange(m0, m1, BIN, dtype=np.int64)
    hour, weekday, _ = clock.local_fields(starts + BIN // 2, tz)
    local_sec = np.round(hour * 3600).astype(np.int64)
    ts, qs, iss, op = [], [], [], []
    for qi, (q, vol) in enumerate(zip(queues, volumes, strict=True)):
        if vol <= 0:
            continue
        rate = intraday_profile(q.channel, hour) / _profile_norm(q.channel) * vol
        open_bin = is_open_local(ref, q, weekday, local_sec)
        if q.channel == "chat":
            rate = rate * open_bin
        counts = rng.poisson(rate)
        k = int(counts.sum())
        if k == 0:
            continue
        t = np.repeat(starts, counts) + rng.integers(0, BIN, k)
        names, p = issue_mix(q)
        ts.append(t)
        qs.append(np.full(k, qi))
        iss.append(names[rng.choice(len(names), size=k, p=p)])
        op.append(np.repeat(open_bin, counts))
    if not ts:
        empty = np.zeros(0, np.int64)
        return Arrivals(empty, empty, np.zeros(0, object), np.zeros(0, bool))
    t = np.concatenate(ts)
    o = np.argsort(t, kind="stable")
    return Arrivals(t[o], np.concatenate(qs)[o], np.concatenate(iss)[o].astype(object), np.concatenate(op)[o])


def day_noise(rng: np.random.Generator) -> float:
    return float(np.exp(rng.normal(0, DAY_NOISE_SIGMA)))
