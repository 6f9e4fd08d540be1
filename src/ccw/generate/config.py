"""What to generate: the presets and every knob of the sample contact centre."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_SEED = 20261031


@dataclass(frozen=True)
class GeneratorConfig:
    """A deterministic recipe: the same config (incl. ``seed``) always writes the same bytes.

    ``dirt_rate`` scales the dirt patterns of the raw-export spec: 1.0 = a little of each
    (every pattern present), 0.0 = perfectly clean exports.
    """

    name: str
    start: date
    end: date  # inclusive: the last export day
    agents: int  # agents on the roster at the start (both sites)
    teams: int  # teams in total, split between the sites
    seed: int = DEFAULT_SEED
    dirt_rate: float = 1.0
    occupancy: float = 0.8  # demand is sized so the planned staff would be this busy on average
    contacts_per_agent_day: float = 45.0  # only sizes the CRM (the expected contacts per agent and day)
    customers_per_contact: float = 1.0  # CRM size relative to the expected contacts of the period
    max_customers: int = 4_000_000
    min_customers: int = 3_000
    hires: int = 1  # new agents joining during the period (both sites)
    leavers: int = 1
    team_moves: int = 2
    workers: int = 1  # processes (one site each); 1 = both sites in this process
    trend_per_year: float = 0.06  # mild growth of demand

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def export_days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    @property
    def expected_contacts(self) -> float:
        return self.agents * self.contacts_per_agent_day * self.days

    @property
    def customers(self) -> int:
        n = int(self.expected_contacts * self.customers_per_contact)
        return max(self.min_customers, min(self.max_customers, n))

    def with_(self, **changes: object) -> GeneratorConfig:
        return dataclasses.replace(self, **changes)

    @classmethod
    def preset(cls, name: str, seed: int | None = None, dirt_rate: float | None = None) -> GeneratorConfig:
        try:
            cfg = PRESETS[name]
        except KeyError:
            raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
        changes: dict[str, object] = {}
        if seed is not None:
            changes["seed"] = int(seed)
        if dirt_rate is not None:
            if dirt_rate < 0:
                raise ValueError("dirt_rate must be >= 0")
            changes["dirt_rate"] = float(dirt_rate)
        return dataclasses.replace(cfg, **changes)


def _workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


PRESETS: dict[str, GeneratorConfig] = {
    # 20 days: the Shanghai National Day holiday (10-07), three weekends and the London DST change
    # (Sunday 2026-10-25) with the day after it.
    "tiny": GeneratorConfig("tiny", date(2026, 10, 7), date(2026, 10, 26), agents=10, teams=2, team_moves=0),
    "small": GeneratorConfig("small", date(2026, 9, 20), date(2026, 10, 31), agents=24, teams=4),
    "default": GeneratorConfig("default", date(2026, 8, 3), date(2026, 10, 31), agents=60, teams=6, hires=2,
                               leavers=2, team_moves=3),
    "scale": GeneratorConfig("scale", date(2025, 11, 1), date(2026, 10, 31), agents=1000, teams=40, hires=60,
                             leavers=50, team_moves=40, workers=_workers()),
}
