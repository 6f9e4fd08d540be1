"""The agents of one site: identity across systems, team, skills, traits and roster changes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccw.generate import text
from ccw.generate.config import GeneratorConfig
from ccw.generate.params import QUEUE_SHARE, WORKLOAD_SECONDS
from ccw.generate.reference import SITES, Queue

TEAM_WORDS = {"shanghai": ["Panda", "Lotus", "Jade", "Bamboo", "Pearl", "Lantern", "Phoenix", "Silk"],
              "london": ["Thames", "Kew", "Camden", "Greenwich", "Hyde", "Soho", "Mayfair", "Brixton"]}
SITE_CODE = {"shanghai": "SH", "london": "LDN"}

# agent archetypes: (weight, speed, quality) -> the structure agent comparisons and clustering should find
ARCHETYPES = ((0.40, 0.0, 0.3), (0.20, 1.0, -0.8), (0.18, -0.9, 0.8), (0.10, -0.5, -0.9), (0.12, 0.7, 0.9))


@dataclass
class SitePlan:
    """How many agents/teams/changes a site gets, and where its id ranges start (deterministic)."""

    site: str
    index: int
    agents: int
    teams: int
    hires: int
    leavers: int
    team_moves: int
    first_number: int  # agent number of the first initial agent
    first_hire_number: int
    customers: int
    first_customer: int


def _split(total: int, parts: int, last_gets_rest: bool = False) -> list[int]:
    base = [total // parts] * parts
    for i in range(total % parts):
        base[(parts - 1 - i) if last_gets_rest else i] += 1
    return base


def site_plans(cfg: GeneratorConfig) -> list[SitePlan]:
    agents = _split(cfg.agents, len(SITES))
    teams = [max(1, t) for t in _split(cfg.teams, len(SITES))]
    hires = _split(cfg.hires, len(SITES))
    leavers = _split(cfg.leavers, len(SITES), last_gets_rest=True)
    moves = [m if t > 1 else 0 for m, t in zip(_split(cfg.team_moves, len(SITES)), teams, strict=True)]
    customers = _split(cfg.customers, len(SITES))
    plans, number, hire_number, cust = [], 1, cfg.agents + 1, 1
    for i, site in enumerate(SITES):
        plans.append(SitePlan(site, i, agents[i], teams[i], hires[i], leavers[i], moves[i], number, hire_number,
                              customers[i], cust))
        number += agents[i]
        hire_number += hires[i]
        cust += customers[i]
    return plans


@dataclass
class Agents:
    """Per-agent arrays of one site (index = site-local agent index)."""

    number: np.ndarray
    agent_id: np.ndarray
    username: np.ndarray
    helpdesk_user_id: np.ndarray
    chat_agent_id: np.ndarray
    full_name: np.ndarray
    email: np.ndarray
    team: np.ndarray  # team index at the start
    move_day: np.ndarray  # day index (0-based in the period) of a team move, or -1
    move_team: np.ndarray
    hire_day: np.ndarray  # first day on the roster (0 for agents already employed)
    hire_date: np.ndarray  # numpy datetime64[D]
    leave_day: np.ndarray  # first day no longer employed, or a large number
    speed: np.ndarray
    quality: np.ndarray
    skills: np.ndarray  # bool [agent, site queue]
    primary: np.ndarray  # site queue index
    team_names: list[str]
    team_leads: np.ndarray  # agent index per team

    @property
    def n(self) -> int:
        return len(self.number)

    def team_on(self, day: int) -> np.ndarray:
        return np.where((self.move_day >= 0) & (day >= self.move_day), self.move_team, self.team)

    def employed_on(self, day: int) -> np.ndarray:
        return (self.hire_day <= day) & (day < self.leave_day)

    def aht_factor(self) -> np.ndarray:
        return np.exp(-0.2 * self.speed)


def team_names(site: str, n: int) -> list[str]:
    words = TEAM_WORDS[site]
    code = SITE_CODE[site]
    if n <= len(words):
        return [f"{code} {w}" for w in words[:n]]
    return [f"{code} {words[i % len(words)]} {i // len(words) + 1}" for i in range(n)]


def apportion(total: int, weights: np.ndarray, minimum: int = 1) -> np.ndarray:
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    counts = np.maximum(minimum, np.floor(w * total).astype(int))
    while counts.sum() > total and counts.max() > minimum:
        counts[np.argmax(counts)] -= 1
    rest = w * total - counts
    while counts.sum() < total:
        i = int(np.argmax(rest))
        counts[i] += 1
        rest[i] -= 1
    return counts


def build_agents(plan: SitePlan, queues: list[Queue], cfg: GeneratorConfig, rng: np.random.Generator) -> Agents:
    n0, n = plan.agents, plan.agents + plan.hires
    days = cfg.days
    number = np.concatenate([plan.first_number + np.arange(n0), plan.first_hire_number + np.arange(plan.hires)])
    agent_id = np.array([f"A{k:04d}" for k in number], dtype=object)
    first, last, full = _names(plan.site, n, rng)
    username = _unique([f"{a.lower()}.{b.lower()}" for a, b in zip(first, last, strict=True)])
    helpdesk = np.array([str(9_000_000 + k) for k in number], dtype=object)
    chat = np.array([f"op{1000 + k}" for k in number], dtype=object)
    email = np.array([f"{u}@ccw.example" for u in username], dtype=object)

    teams = np.arange(n0) % plan.teams
    team = np.concatenate([teams, rng.integers(0, plan.teams, plan.hires)])
    leads = np.array([int(np.flatnonzero(team[:n0] == t)[0]) for t in range(plan.teams)])
    is_lead = np.zeros(n, bool)
    is_lead[leads] = True

    hire_day = np.zeros(n, np.int64)
    hire_day[n0:] = rng.integers(int(days * 0.2), max(int(days * 0.6), int(days * 0.2) + 1), plan.hires)
    period_start = np.datetime64(cfg.start, "D")
    tenure_days = rng.integers(60, 8 * 365, n)
    hire_date = period_start - tenure_days.astype("timedelta64[D]")
    hire_date[n0:] = period_start + hire_day[n0:].astype("timedelta64[D]")
    leave_day = np.full(n, 10**9, np.int64)
    candidates = np.flatnonzero(~is_lead[:n0])
    taken = rng.choice(candidates, size=min(len(candidates), plan.leavers + plan.team_moves), replace=False)
    leavers, movers = taken[: plan.leavers], taken[plan.leavers:]
    leave_day[leavers] = rng.integers(int(days * 0.3), max(int(days * 0.8), int(days * 0.3) + 1), len(leavers))
    move_day = np.full(n, -1, np.int64)
    move_team = team.copy()
    if plan.teams > 1 and len(movers):
        move_day[movers] = rng.integers(int(days * 0.25), max(int(days * 0.75), int(days * 0.25) + 1), len(movers))
        move_team[movers] = (team[movers] + rng.integers(1, plan.teams, len(movers))) % plan.teams

    arche = rng.choice(len(ARCHETYPES), size=n, p=[a[0] for a in ARCHETYPES])
    speed = np.array([ARCHETYPES[a][1] for a in arche]) + rng.normal(0, 0.25, n)
    quality = np.array([ARCHETYPES[a][2] for a in arche]) + rng.normal(0, 0.25, n)
    speed[n0:] -= 0.6  # new hires are slower and less accurate
    quality[n0:] -= 0.6
    skills, primary = _skills(queues, n, rng)
    return Agents(number, agent_id, np.array(username, dtype=object), helpdesk, chat, full, email, team, move_day,
                  move_team, hire_day, hire_date, leave_day, speed, quality, skills, primary,
                  team_names(plan.site, plan.teams), leads)


def _names(site: str, n: int, rng: np.random.Generator) -> tuple[list[str], list[str], np.ndarray]:
    if site == "shanghai":
        s = rng.integers(0, len(text.CN_SURNAMES), n)
        g = rng.integers(0, len(text.CN_GIVEN), n)
        first = [text.CN_GIVEN[i][1] for i in g]
        last = [text.CN_SURNAMES[i][1] for i in s]
        full = np.array([text.CN_SURNAMES[a][0] + text.CN_GIVEN[b][0] for a, b in zip(s, g, strict=True)], dtype=object)
        return first, last, full
    f = rng.integers(0, len(text.EN_FIRST), n)
    la = rng.integers(0, len(text.EN_LAST), n)
    first = [text.EN_FIRST[i] for i in f]
    last = [text.EN_LAST[i] for i in la]
    return first, last, np.array([f"{a} {b}" for a, b in zip(first, last, strict=True)], dtype=object)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        k = seen.get(name, 0)
        seen[name] = k + 1
        out.append(name if k == 0 else f"{name}{k + 1}")
    return out


def _skills(queues: list[Queue], n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    weights = np.array([QUEUE_SHARE[q.queue_id] * WORKLOAD_SECONDS[q.channel] for q in queues])
    counts = apportion(n, weights)
    primary = rng.permutation(np.repeat(np.arange(len(queues)), counts))
    skills = np.zeros((n, len(queues)), bool)
    skills[np.arange(n), primary] = True
    phone = [i for i, q in enumerate(queues) if q.channel == "phone"]
    chat = [i for i, q in enumerate(queues) if q.channel == "chat"]
    back = [i for i, q in enumerate(queues) if not q.is_realtime]
    for a in range(n):
        p = queues[primary[a]].channel
        u = rng.random(3)
        if p == "phone":  # every phone agent takes all of the site's phone queues, some also chat
            skills[a, phone] = True
            skills[a, chat] |= u[0] < 0.4
        elif p == "chat":
            skills[a, phone] |= u[1] < 0.5
            skills[a, back] |= u[2] < 0.2
        else:
            skills[a, chat] |= u[0] < 0.2
    if n < 12:  # a handful of agents: everyone on the phones and chats, or nobody covers the evening
        skills[:, phone + chat] = True
    return skills, primary
