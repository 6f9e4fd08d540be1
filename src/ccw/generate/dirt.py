"""What real exports contain (raw-exports.md), scaled by ``dirt_rate`` (0 = perfectly clean).

Each pattern touches a small, random set of rows (about 0.1 % of a file's rows at dirt_rate 1, at
least one on the first day so every pattern exists even in a tiny sample)."""

from __future__ import annotations

import numpy as np

RATE = 0.001
DAY = 86_400


class Dirt:
    def __init__(self, dirt_rate: float, rng: np.random.Generator) -> None:
        self.rate = max(0.0, dirt_rate)
        self.rng = rng
        self.first_day = True

    @property
    def on(self) -> bool:
        return self.rate > 0

    def pick(self, candidates: np.ndarray | int, rate: float = RATE, minimum: int = 1) -> np.ndarray:
        """A random subset of ``candidates`` (positions, or all of range(n))."""
        cand = np.arange(candidates) if isinstance(candidates, int | np.integer) else np.asarray(candidates)
        if not self.on or not len(cand):
            return np.zeros(0, np.int64)
        k = self.rng.binomial(len(cand), min(1.0, rate * self.rate))
        if self.first_day:
            k = max(k, minimum)
        return np.sort(self.rng.choice(cand, size=min(k, len(cand)), replace=False))

    # --------------------------------------------------------------------------------------------- rows
    def reexport(self, cols: dict[str, np.ndarray], day_of) -> dict[str, np.ndarray] | None:
        """The same records again in the next day's file (identical values)."""
        sel = self.pick(len(cols["_t"]))
        if not len(sel):
            return None
        dup = {k: np.asarray(v)[sel] for k, v in cols.items() if k != "_day"}
        dup["_day"] = day_of(dup["_t"]) + 1
        return dup

    def pad(self, cols: dict[str, np.ndarray], fields: tuple[str, ...]) -> None:
        """Leading/trailing whitespace around text values."""
        for f in fields:
            vals = cols[f]
            sel = self.pick(np.flatnonzero(np.not_equal(vals, None)))
            if len(sel):
                vals = vals.copy()
                vals[sel] = np.char.add(np.char.add(" ", vals[sel].astype(str)), " ").astype(object)
                cols[f] = vals

    def empty_strings(self, cols: dict[str, np.ndarray], fields: tuple[str, ...]) -> None:
        """An empty string where the value is null."""
        for f in fields:
            vals = cols[f]
            sel = self.pick(np.flatnonzero(np.equal(vals, None)))
            if len(sel):
                vals = vals.copy()
                vals[sel] = ""
                cols[f] = vals

    def skew(self, cols: dict[str, np.ndarray], field: str, valid: np.ndarray) -> None:
        """Negative or absurd durations after clock skew."""
        sel = self.pick(np.flatnonzero(valid))
        if len(sel):
            vals = cols[field].copy()
            absurd = self.rng.random(len(sel)) < 0.5
            vals[sel] = np.where(absurd, self.rng.integers(200_000, 2_000_000, len(sel)),
                                 -self.rng.integers(1, 600, len(sel)))
            cols[field] = vals

    def sparse(self, cols: dict[str, np.ndarray]) -> None:
        """Rows whose optional keys are missing altogether."""
        sel = self.pick(len(cols["_t"]))
        if len(sel):
            flags = np.zeros(len(cols["_t"]), bool)
            flags[sel] = True
            cols["_sparse"] = flags

    def shuffle(self, cols: dict[str, np.ndarray]) -> None:
        """Events out of order within their file."""
        sel = self.pick(len(cols["_t"]), RATE * 2)
        if len(sel):
            o = cols["_ord"].copy()
            o[sel] = o[self.rng.integers(0, len(o), len(sel))] - self.rng.integers(1, 600, len(sel)) * 8
            cols["_ord"] = o

    def phone_styles(self, n: int) -> np.ndarray:
        """Spelling per phone number: E.164 except a few in the other spellings of the same number."""
        style = np.zeros(n, np.int64)
        sel = self.pick(n, RATE * 2, minimum=4)
        style[sel] = 1 + (np.arange(len(sel)) + self.rng.integers(0, 4)) % 4
        return style
