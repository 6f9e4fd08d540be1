"""Time: every internal timestamp is int64 UTC epoch seconds; sites live in local time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

DAY = 86_400
UTC = ZoneInfo("UTC")


def epoch(d: date, t: time = time(0), tz: str = "UTC") -> int:
    return int(datetime.combine(d, t, tzinfo=ZoneInfo(tz)).timestamp())


def local_midnight(d: date, tz: str) -> int:
    """UTC epoch seconds of local midnight starting day ``d`` (DST-aware)."""
    return epoch(d, time(0), tz)


def noon_offset(d: date, tz: str) -> int:
    """UTC offset (seconds) at local noon: valid for every time after 03:00 local that day."""
    return int(datetime.combine(d, time(12), tzinfo=ZoneInfo(tz)).utcoffset().total_seconds())


def local_to_utc(d: date, local_seconds: np.ndarray, tz: str) -> np.ndarray:
    """Local wall-clock seconds after midnight of ``d`` (all after 03:00) to UTC epoch seconds."""
    base = epoch(d) - noon_offset(d, tz)
    return base + np.asarray(local_seconds, dtype=np.int64)


def local_fields(utc_seconds: np.ndarray, tz: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(local hour as float, ISO weekday 1..7, local date as int days since epoch) for UTC seconds."""
    idx = pd.to_datetime(np.asarray(utc_seconds, dtype=np.int64), unit="s", utc=True).tz_convert(tz)
    hour = idx.hour.to_numpy() + idx.minute.to_numpy() / 60.0 + idx.second.to_numpy() / 3600.0
    weekday = idx.day_of_week.to_numpy() + 1
    local_naive = idx.tz_localize(None).to_numpy().astype("datetime64[D]").astype(np.int64)
    return hour, weekday, local_naive


def day_index(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def from_day_index(i: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(i))
