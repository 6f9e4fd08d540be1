"""Workforce and help-desk directory exports: the daily roster, the schedule plan, groups and users."""

from __future__ import annotations

import numpy as np

from ccw.generate.schedules import ACTIVITY, Schedules
from ccw.generate.workforce import Agents

DAY = 86_400


def roster_rows(agents: Agents, day: int, when: int, site: str, tz: str) -> dict[str, np.ndarray]:
    """Every agent on the books as of ``day`` (leavers stay listed as terminated)."""
    idx = np.flatnonzero(agents.hire_day <= day)
    team = agents.team_on(day)[idx]
    lead = agents.team_leads[team]
    supervisor = np.where(lead == idx, None, agents.agent_id[lead]).astype(object)
    status = np.where(agents.leave_day[idx] <= day, "terminated", "active").astype(object)
    k = len(idx)
    return {
        "agent_id": agents.agent_id[idx], "username": agents.username[idx],
        "helpdesk_user_id": agents.helpdesk_user_id[idx], "chat_agent_id": agents.chat_agent_id[idx],
        "full_name": agents.full_name[idx], "email": agents.email[idx],
        "team": np.array(agents.team_names, dtype=object)[team], "site": np.full(k, site, dtype=object),
        "site_time_zone": np.full(k, tz, dtype=object), "supervisor_id": supervisor,
        "hire_date": agents.hire_date[idx].astype(str).astype(object), "employment_status": status,
        "_t": np.full(k, when, np.int64), "_ord": agents.number[idx].astype(np.int64),
    }


def schedule_rows(s: Schedules, agents: Agents, day: int, when: int) -> dict[str, np.ndarray]:
    sl = s.day_slice(day)
    m = (s.plan_ad >= sl.start) & (s.plan_ad < sl.stop)
    ad = s.plan_ad[m]
    k = len(ad)
    start = s.plan_start_local[m]
    date_txt = start.astype("datetime64[s]").astype("datetime64[D]").astype(str).astype(object)
    return {
        "agent_id": agents.agent_id[s.ad_agent[ad]], "schedule_date": date_txt,
        "activity": np.array(ACTIVITY, dtype=object)[s.plan_kind[m]], "start_local": start,
        "end_local": s.plan_end_local[m], "_t": np.full(k, when, np.int64),
        "_ord": agents.number[s.ad_agent[ad]].astype(np.int64) * 100 + np.arange(k) % 100,
    }


def agent_user_rows(agents: Agents, idx: np.ndarray, created: np.ndarray, tz: str, when: np.ndarray,
                    day: np.ndarray | None = None) -> dict[str, np.ndarray]:
    k = len(idx)
    rows = {
        "id": agents.helpdesk_user_id[idx], "name": agents.full_name[idx], "email": agents.email[idx],
        "phone": np.full(k, None, dtype=object), "role": np.full(k, "agent", dtype=object),
        "external_id": np.full(k, None, dtype=object), "created_at": created, "time_zone": np.full(k, tz, dtype=object),
        "_t": when,
    }
    if day is not None:
        rows["_day"] = day
    return rows
