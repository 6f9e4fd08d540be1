"""The sample generator (`ccw generate`): shapes, determinism, believable patterns and dirt.

The `tiny` preset is generated once per session with dirt (rate 1) and once clean (rate 0); the
determinism tests generate a five-day cut of it. Expected values are properties of the contract
and of the spec (field names, types, ranges), never copied from a run.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow.parquet as pq
import pytest

from ccw.exports import BY_TABLE
from ccw.exports import GENERATED as ENTITIES
from ccw.generate import GeneratorConfig, generate
from ccw.generate import queue_sim as qs
from ccw.land.columns import struct_fields

SITE_TZ = {"CN-General": "Asia/Shanghai", "CN-Billing": "Asia/Shanghai", "INTL-Support": "Europe/London"}
DEPARTMENT_TZ = {"cn_support": "Asia/Shanghai", "intl_support": "Europe/London"}
E164 = re.compile(r"^\+\d{8,15}$")


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny") / "raw"
    generate(GeneratorConfig.preset("tiny"), root, progress=False)
    return root


@pytest.fixture(scope="session")
def tiny_clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny_clean") / "raw"
    generate(GeneratorConfig.preset("tiny", dirt_rate=0.0), root, progress=False)
    return root


def _five_days(seed: int | None = None) -> GeneratorConfig:
    cfg = GeneratorConfig.preset("tiny", seed=seed)
    return cfg.with_(end=cfg.start + timedelta(days=4))


# ------------------------------------------------------------------------------------------------- readers
def files(root: Path, table: str) -> list[Path]:
    e = BY_TABLE[table]
    return sorted(e.directory(root).glob(f"*.{e.extension}"))


@cache
def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@cache
def _csv(path: Path, encoding: str) -> tuple[list[str], list[dict]]:
    text = path.read_bytes().decode(encoding)
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def rows(root: Path, table: str, with_file: bool = False) -> list[dict]:
    e = BY_TABLE[table]
    out = []
    for p in files(root, table):
        recs = _jsonl(p) if e.file_format == "jsonl" else _csv(p, e.encoding)[1]
        for r in recs:
            out.append({**r, "_file": p.stem} if with_file else r)
    return out


def ts(text: str) -> datetime:
    return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def inbound_queued(root: Path) -> list[dict]:
    """First version of each queued inbound call leg (re-exports dropped)."""
    seen, out = set(), []
    for r in rows(root, "telephony__contact_records"):
        if r["InitiationMethod"] == "INBOUND" and r["Queue"] and r["ContactId"] not in seen:
            seen.add(r["ContactId"])
            out.append(r)
    return out


# -------------------------------------------------------------------------------------------------- shapes
def test_every_entity_has_a_file_per_day_with_exactly_the_registry_fields(tiny_clean: Path) -> None:
    cfg = GeneratorConfig.preset("tiny")
    days = {(cfg.start + timedelta(days=i)).isoformat() for i in range(cfg.days)}
    for e in ENTITIES:
        paths = files(tiny_clean, e.table)
        assert {p.stem for p in paths} == days, e.table
        for p in paths:
            if e.file_format == "jsonl":
                recs = _jsonl(p)
                assert recs, f"{p} is empty"
                for r in recs:
                    assert list(r) == list(e.columns), p
            elif e.file_format == "csv":
                header, _ = _csv(p, e.encoding)
                assert header == list(e.columns), p
            else:
                assert pq.read_schema(p).names == list(e.columns), p


def test_nested_telephony_records_have_the_registry_struct_fields(tiny_clean: Path) -> None:
    e = BY_TABLE["telephony__contact_records"]
    # the sample writes the first fields of each registry STRUCT (the registry declares more of Amazon Connect's model)
    expected = {name: struct_fields(typ) for name, typ in e.columns.items() if typ.startswith("STRUCT")}
    seen_null = Counter()
    for r in rows(tiny_clean, e.table):
        for name, fields in expected.items():
            if r[name] is None:
                seen_null[name] += 1
                continue
            assert list(r[name]) == fields[: len(r[name])] and len(r[name]) >= 2, (name, r[name])
        if r["Queue"] is not None:
            assert isinstance(r["Queue"]["Duration"], int)
        if r["Agent"] is not None:
            assert isinstance(r["Agent"]["AgentInteractionDuration"], int)
            assert r["InitiationTimestamp"].endswith("Z")
    assert seen_null["Queue"] > 0 and seen_null["Agent"] > 0  # IVR-only calls have neither
    assert seen_null["CustomerEndpoint"] == 0 and seen_null["Attributes"] == 0


def test_files_arrive_the_next_day_at_two_utc(tiny_clean: Path) -> None:
    for e in ENTITIES:
        for p in files(tiny_clean, e.table):
            expected = datetime.combine(date.fromisoformat(p.stem) + timedelta(days=1), datetime.min.time(),
                                        tzinfo=UTC) + timedelta(hours=2)
            assert p.stat().st_mtime == expected.timestamp(), p


def test_orders_are_parquet_with_the_registry_types(tiny: Path) -> None:
    e = BY_TABLE["crm__orders"]
    schema = pq.read_schema(files(tiny, e.table)[0])
    assert str(schema.field("ordered_at").type).startswith("timestamp")
    assert str(schema.field("amount").type) == "decimal128(12, 2)"
    for name in ("order_id", "customer_id", "currency", "status"):
        assert str(schema.field(name).type) == "string"
    statuses = Counter()
    for p in files(tiny, e.table):
        statuses.update(pq.read_table(p, columns=["status"]).column("status").to_pylist())
    assert set(statuses) == {"paid", "refunded", "cancelled"}


def test_chat_timestamps_are_epoch_milliseconds(tiny_clean: Path) -> None:
    lo = datetime(2026, 10, 1, tzinfo=UTC).timestamp() * 1000
    hi = datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000
    sessions = rows(tiny_clean, "chat__sessions")
    assert sessions
    for s in sessions:
        assert isinstance(s["requested_at"], int) and lo < s["requested_at"] < hi
        assert isinstance(s["ended_at"], int) and s["ended_at"] >= s["requested_at"]
        if s["missed"]:
            assert s["first_agent_message_at"] is None and s["agent_id"] is None and s["agent_messages"] == 0
        else:
            assert isinstance(s["first_agent_message_at"], int)
    assert any(s["requested_at"] % 1000 for s in sessions)  # milliseconds, not seconds * 1000


def test_survey_file_is_gb18030_with_chinese_and_english_comments(tiny: Path) -> None:
    p = max(files(tiny, "survey__responses"), key=lambda x: x.stat().st_size)
    raw = p.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    comments = [r["comment"] for r in rows(tiny, "survey__responses") if r["comment"]]
    assert any(re.search(r"[\u4e00-\u9fff]", c) for c in comments)
    assert any(re.fullmatch(r"[ -~]+", c.strip()) for c in comments)


def test_schedules_are_in_the_local_time_of_the_site(tiny_clean: Path) -> None:
    """A London agent's LOGIN follows the local shift start: one hour earlier in UTC before the DST change."""
    roster = {r["agent_id"]: r for r in rows(tiny_clean, "workforce__agents")}
    starts = {(r["agent_id"], r["schedule_date"]): r["start_local"]
              for r in rows(tiny_clean, "workforce__schedules") if r["activity"] == "shift"}
    logins = defaultdict(list)
    for ev in rows(tiny_clean, "telephony__agent_events"):
        if ev["State"] == "LOGIN":
            logins[ev["Username"]].append(ts(ev["EventTimestamp"]))
    checked = Counter()
    for (agent, _day), start in starts.items():
        tz = ZoneInfo(roster[agent]["site_time_zone"])
        local = datetime.strptime(start, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
        near = [t for t in logins[roster[agent]["username"]] if abs((t - local).total_seconds()) < 3 * 3600]
        if near:
            assert min(abs((t - local).total_seconds()) for t in near) < 45 * 60
            checked[(roster[agent]["site"], local.utcoffset())] += 1
    london = {k[1] for k in checked if k[0] == "london"}
    assert london == {timedelta(hours=1), timedelta(0)}  # both sides of 2026-10-25
    assert {k[1] for k in checked if k[0] == "shanghai"} == {timedelta(hours=8)}


# ------------------------------------------------------------------------------------------- determinism
def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    runs = {}
    for name, seed in (("a", None), ("b", None), ("c", 7)):
        root = tmp_path / name
        generate(_five_days(seed), root, progress=False)
        runs[name] = {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*.*"))}
    assert runs["a"].keys() == runs["b"].keys()
    assert len(runs["a"]) == 5 * len(ENTITIES) - 1  # one day's file of one entity is missing (dirt)
    assert all(runs["a"][k] == runs["b"][k] for k in runs["a"])
    common = runs["a"].keys() & runs["c"].keys()
    differ = [k for k in common if runs["a"][k] != runs["c"][k]]
    assert len(differ) > 0.8 * len(common)


# ------------------------------------------------------------------------------------- a believable centre
def test_inbound_calls_peak_between_10_and_11_local_time(tiny_clean: Path) -> None:
    hours = Counter()
    for r in inbound_queued(tiny_clean):
        tz = ZoneInfo(SITE_TZ[r["Queue"]["Name"]])
        hours[ts(r["Queue"]["EnqueueTimestamp"]).astimezone(tz).hour] += 1
    assert max(hours, key=hours.get) == 10
    assert hours[10] > 1.15 * hours[8] and hours[10] > 1.1 * hours[15]


def test_weekend_volume_is_clearly_below_weekday_volume(tiny_clean: Path) -> None:
    holidays = {date(2026, 10, 7)}
    per_day = Counter()
    for r in rows(tiny_clean, "telephony__contact_records"):
        if r["InitiationMethod"] == "INBOUND":
            per_day[ts(r["InitiationTimestamp"]).astimezone(ZoneInfo("Asia/Shanghai")).date()] += 1
    for r in rows(tiny_clean, "chat__sessions"):
        per_day[datetime.fromtimestamp(r["requested_at"] / 1000, ZoneInfo("Asia/Shanghai")).date()] += 1
    cfg = GeneratorConfig.preset("tiny")
    days = [d for d in (cfg.start + timedelta(days=i) for i in range(1, cfg.days - 1)) if d not in holidays]
    weekday = np.mean([per_day[d] for d in days if d.isoweekday() <= 5])
    weekend = np.mean([per_day[d] for d in days if d.isoweekday() >= 6])
    assert weekend < 0.7 * weekday


def test_talk_time_median_is_between_two_and_four_minutes(tiny_clean: Path) -> None:
    talk = [r["Agent"]["AgentInteractionDuration"] for r in inbound_queued(tiny_clean) if r["Agent"]]
    assert len(talk) > 300
    assert 120 <= float(np.median(talk)) <= 240


def test_short_abandons_exist_and_are_a_small_share(tiny_clean: Path) -> None:
    calls = inbound_queued(tiny_clean)
    abandoned = [r for r in calls if r["Agent"] is None and r["NextContactId"] is None]
    short = [r for r in abandoned if r["Queue"]["Duration"] < 5]
    assert short, "no short abandons"
    assert len(short) < 0.05 * len(calls)
    assert len(short) < 0.5 * len(abandoned)


def test_survey_response_rate_is_between_15_and_30_percent(tiny_clean: Path) -> None:
    sent, answered = set(), set()
    for r in rows(tiny_clean, "survey__responses"):
        sent.add(r["response_id"])
        if r["responded_at"]:
            answered.add(r["response_id"])
            assert 1 <= int(r["csat"]) <= 5 and 0 <= int(r["nps"]) <= 10 and 1 <= int(r["ces"]) <= 7
    assert len(sent) > 300
    assert 0.15 <= len(answered) / len(sent) <= 0.30


def test_abandons_grow_when_staffing_is_low(tiny_clean: Path) -> None:
    """Per site and 30-minute interval: calls and chats offered per logged-in agent vs. abandon rate."""
    site_of_user = {r["username"]: r["site"] for r in rows(tiny_clean, "workforce__agents")}
    sessions = defaultdict(list)
    for ev in sorted(rows(tiny_clean, "telephony__agent_events"), key=lambda e: (e["Username"], e["EventTimestamp"])):
        if ev["State"] in ("LOGIN", "LOGOUT"):
            sessions[ev["Username"]].append((ev["State"], ts(ev["EventTimestamp"]).timestamp()))
    logged = Counter()
    for user, evs in sessions.items():
        for (s1, t1), (s2, t2) in zip(evs, evs[1:], strict=False):
            if s1 == "LOGIN" and s2 == "LOGOUT":
                for slot in range(int(t1 // 1800), int(t2 // 1800) + 1):
                    logged[(site_of_user[user], slot)] += 1
    offered, lost = Counter(), Counter()
    for r in inbound_queued(tiny_clean):
        key = ("london" if r["Queue"]["Name"] == "INTL-Support" else "shanghai",
               int(ts(r["Queue"]["EnqueueTimestamp"]).timestamp() // 1800))
        offered[key] += 1
        lost[key] += r["Agent"] is None and r["NextContactId"] is None
    keys = [k for k in offered if logged[k] > 0 and offered[k] >= 2]
    load = np.array([offered[k] / logged[k] for k in keys])
    rate = np.array([lost[k] / offered[k] for k in keys])
    low, high = load <= np.quantile(load, 1 / 3), load >= np.quantile(load, 2 / 3)
    assert rate[high].mean() > 1.5 * rate[low].mean()


def test_queue_model_gives_longer_waits_and_more_abandons_with_fewer_agents() -> None:
    def run(n_agents: int) -> tuple[float, float]:
        rng = np.random.default_rng(11)
        k = 600
        c = qs.Contacts.empty(k + 10)
        idx = c.add(k)
        c.arr[idx] = np.sort(rng.integers(3600, 3600 + 6 * 3600, k))
        c.queue[idx] = 0
        c.root[idx] = idx
        c.patience[idx] = rng.exponential(240, k)
        qs.draw_legs(c, idx, np.full(k, "phone", dtype=object), rng)
        c.u_tr[idx] = 1.0  # no transfers
        c.u_cb[idx] = 1.0  # no callbacks
        agents = qs.AgentState(np.zeros(n_agents, np.int64), np.ones((n_agents, 1), bool), np.ones(n_agents),
                               np.zeros(n_agents), np.zeros(n_agents), np.zeros(n_agents, np.int64))
        qs.simulate_day(c, qs.QueueSetup(["phone"], [0], [0]), agents, np.arange(n_agents),
                        np.zeros(n_agents, np.int64), np.full(n_agents, 9 * 3600), 0, rng, np.array([240.0]))
        r = c.trimmed()
        answered = r["agent"] >= 0
        return float(r["abandoned"].mean()), float((r["start"] - r["arr"])[answered].mean())

    # 100 calls an hour at ~4 minutes each: about 7 Erlangs of work
    few, many = run(7), run(12)
    assert few[0] > 2 * many[0] and few[1] > 2 * many[1]
    assert many[0] < 0.08


def test_transfer_chains_and_callbacks_link_through_previous_contact_id(tiny_clean: Path) -> None:
    by_id = {}
    for r in rows(tiny_clean, "telephony__contact_records"):
        by_id.setdefault(r["ContactId"], r)
    chains = Counter()
    for r in by_id.values():
        if r["InitiationMethod"] in ("TRANSFER", "CALLBACK"):
            prev = by_id[r["PreviousContactId"]]
            assert prev["NextContactId"] == r["ContactId"]
            assert ts(prev["DisconnectTimestamp"]) <= ts(r["InitiationTimestamp"]) + timedelta(seconds=1)
        if r["InitiationMethod"] == "TRANSFER":
            legs, cur = 2, by_id[r["PreviousContactId"]]
            while cur["PreviousContactId"]:
                legs, cur = legs + 1, by_id[cur["PreviousContactId"]]
            assert cur["InitiationMethod"] in ("INBOUND", "CALLBACK")
            chains[legs] += 1
        if r["InitiationMethod"] == "CALLBACK":
            assert by_id[r["PreviousContactId"]]["Agent"] is None
    assert chains[2] > 0 and set(chains) <= {2, 3, 4}
    methods = Counter(r["InitiationMethod"] for r in by_id.values())
    assert methods["CALLBACK"] > 0 and methods["OUTBOUND"] > 0
    ivr_only = [r for r in by_id.values() if r["Queue"] is None and r["InitiationMethod"] == "INBOUND"]
    assert ivr_only and all(r["Agent"] is None for r in ivr_only)


def test_agents_are_the_same_people_in_every_system(tiny_clean: Path) -> None:
    roster = rows(tiny_clean, "workforce__agents")
    usernames = {r["username"] for r in roster}
    helpdesk_ids = {r["helpdesk_user_id"] for r in roster}
    chat_ids = {r["chat_agent_id"] for r in roster}
    assert {r["Username"] for r in rows(tiny_clean, "telephony__agent_events")} <= usernames
    assert {r["Agent"]["Username"] for r in rows(tiny_clean, "telephony__contact_records") if r["Agent"]} <= usernames
    assert {r["agent_id"] for r in rows(tiny_clean, "chat__sessions") if r["agent_id"]} <= chat_ids
    assert {r["assignee_id"] for r in rows(tiny_clean, "helpdesk__ticket") if r["assignee_id"]} <= helpdesk_ids
    customers = {r["customer_id"] for r in rows(tiny_clean, "crm__customers")}
    attrs = {r["Attributes"]["customer_id"] for r in rows(tiny_clean, "telephony__contact_records")}
    assert attrs - {None} <= customers and len(attrs) > 100
    users = rows(tiny_clean, "helpdesk__user")
    assert {"end-user", "agent", "admin"} == {u["role"] for u in users}
    external = [u["external_id"] for u in users if u["role"] == "end-user"]
    assert 0.7 < sum(bool(x) for x in external) / len(external) < 1.0


def test_agent_states_follow_each_other_sensibly(tiny_clean: Path) -> None:
    """Per agent and file: LOGIN first, LOGOUT last, a contact's ACW only after ON_CONTACT."""
    by_agent = defaultdict(list)
    for p in files(tiny_clean, "telephony__agent_events"):
        for ev in _jsonl(p):
            by_agent[(p.stem, ev["Username"])].append(ev)
    for evs in by_agent.values():
        times = [ev["EventTimestamp"] for ev in evs]
        assert times == sorted(times)  # clean files are in order
        states = [ev["State"] for ev in evs]
        for prev, cur in zip(states, states[1:], strict=False):
            if cur == "AFTER_CONTACT_WORK":
                assert prev == "ON_CONTACT"
            if cur == "ON_CONTACT":
                assert prev in ("AVAILABLE", "LOGIN")


def test_tickets_are_exported_again_when_they_change(tiny_clean: Path) -> None:
    versions = defaultdict(list)
    for r in rows(tiny_clean, "helpdesk__ticket", with_file=True):
        versions[r["id"]].append((r["_file"], r["status"], r["updated_at"]))
    assert all(len({f for f, _, _ in v}) == len(v) for v in versions.values())  # once per file
    multi = [sorted(v) for v in versions.values() if len(v) > 1]
    assert len(multi) > 0.3 * len(versions)
    for v in multi:
        assert [u for _, _, u in v] == sorted(u for _, _, u in v)
    closed = [v for v in multi if v[-1][1] == "closed"]
    assert closed and all(any(s == "solved" for _, s, _ in v) for v in closed)
    history = rows(tiny_clean, "helpdesk__ticket_field_history")
    assert {r["field_name"] for r in history} == {"status", "priority", "assignee_id", "group_id"}
    status_seq = defaultdict(list)
    for r in sorted(history, key=lambda r: (r["ticket_id"], r["updated"])):
        if r["field_name"] == "status":
            status_seq[r["ticket_id"]].append(r["value"])
    assert all(seq[0] == "new" for seq in status_seq.values())
    assert any(a == "solved" and b == "open" for seq in status_seq.values() for a, b in zip(seq, seq[1:], strict=False))
    comments = rows(tiny_clean, "helpdesk__ticket_comment")
    assert {c["public"] for c in comments} == {"true", "false"}


def test_the_roster_is_a_full_snapshot_every_day(tiny_clean: Path) -> None:
    per_day = {p.stem: [r["agent_id"] for r in _csv(p, "utf-8")[1]] for p in files(tiny_clean, "workforce__agents")}
    sizes = [len(v) for v in per_day.values()]
    assert min(sizes) >= 10 and max(sizes) - min(sizes) <= 2  # a hire joins during the period
    assert all(len(set(v)) == len(v) for v in per_day.values())
    statuses = {r["employment_status"] for r in rows(tiny_clean, "workforce__agents")}
    assert statuses == {"active", "terminated"}  # a leaver stays listed as terminated


# ------------------------------------------------------------------------------------------------------ dirt
def _values(obj: object) -> list[str]:
    if isinstance(obj, dict):
        return [v for x in obj.values() for v in _values(x)]
    return [obj] if isinstance(obj, str) else []


def dirt_found(root: Path) -> dict[str, int]:
    """How often each dirt pattern of raw-exports.md occurs in a generated sample."""
    found: Counter = Counter()
    ctr = rows(root, "telephony__contact_records", with_file=True)
    lines = defaultdict(set)
    versions = defaultdict(set)
    for r in ctr:
        key = json.dumps({k: v for k, v in r.items() if k != "_file"}, sort_keys=True)
        lines[key].add(r["_file"])
        versions[r["ContactId"]].add(r["LastUpdateTimestamp"])
    found["re-exported record"] = sum(len(f) > 1 for f in lines.values())
    found["updated version"] = sum(len(v) > 1 for v in versions.values())
    chats = rows(root, "chat__sessions")
    users = rows(root, "helpdesk__user")
    found["test account"] = (sum(str(r["Attributes"]["customer_id"]).startswith("TEST-") for r in ctr)
                             + sum(str(r["customer_id"]).startswith("TEST-") for r in chats)
                             + sum(u["email"].strip().endswith("@example.test") for u in users))
    fields = list(BY_TABLE["telephony__contact_records"].columns)
    found["missing field"] = (sum(list(r)[:-1] != fields for r in ctr)
                              + sum(len(r) != len(BY_TABLE["chat__sessions"].columns) for r in chats))
    found["empty string"] = (sum(r["PreviousContactId"] == "" or r.get("NextContactId") == "" for r in ctr)
                             + sum(r["customer_id"] == "" or r["email"] == "" for r in chats))
    padded = 0
    for r in ctr + chats + rows(root, "telephony__agent_events"):
        padded += any(v != v.strip() for v in _values({k: v for k, v in r.items() if k != "_file"}))
    found["padded whitespace"] = padded
    found["absurd duration"] = (sum(bool(r["Agent"]) and not 0 <= r["Agent"]["AgentInteractionDuration"] < 4 * 3600
                                    for r in ctr)
                                + sum(r["ended_at"] < r["requested_at"] for r in chats))
    out_of_order = 0
    for p in files(root, "telephony__agent_events"):
        last: dict[str, str] = {}
        for ev in _jsonl(p):
            user = ev["Username"].strip()
            out_of_order += ev["EventTimestamp"] < last.get(user, "")
            last[user] = ev["EventTimestamp"]
    found["events out of order"] = out_of_order
    phones = ([r["CustomerEndpoint"]["Address"] for r in ctr] + [r["phone"] for r in rows(root, "crm__customers")]
              + [u["phone"] for u in users if u["phone"]])
    found["phone spelling"] = len({p for p in phones if not E164.match(p)})
    all_days = {p.stem for p in files(root, "workforce__agents")}
    found["missing file"] = sum(len(all_days - {p.stem for p in files(root, e.table)}) for e in ENTITIES)
    late = 0
    for e in ENTITIES:
        for p in files(root, e.table):
            due = datetime.combine(date.fromisoformat(p.stem) + timedelta(days=1), datetime.min.time(),
                                   tzinfo=UTC) + timedelta(hours=2)
            late += p.stat().st_mtime > due.timestamp()
    found["late file"] = late
    return found


PATTERNS = ("re-exported record", "updated version", "test account", "missing field", "empty string",
            "padded whitespace", "absurd duration", "events out of order", "phone spelling", "missing file",
            "late file")


def test_each_dirt_pattern_is_present_at_rate_one_and_absent_at_zero(tiny: Path, tiny_clean: Path) -> None:
    dirty, clean = dirt_found(tiny), dirt_found(tiny_clean)
    assert {p for p in PATTERNS if dirty[p] == 0} == set()
    assert {p: clean[p] for p in PATTERNS if clean[p]} == {}


def test_dirt_stays_small(tiny: Path) -> None:
    found = dirt_found(tiny)
    ctr = len(rows(tiny, "telephony__contact_records"))
    row_patterns = ("re-exported record", "updated version", "empty string", "absurd duration", "missing field")
    assert sum(found[p] for p in row_patterns) < 0.03 * ctr
    assert found["missing file"] == 1 and found["late file"] == 1


def test_phone_spellings_are_the_same_numbers(tiny: Path) -> None:
    """Every odd spelling of a CRM phone is the canonical E.164 number written differently."""
    canonical = set()
    odd = []
    for r in rows(tiny, "crm__customers"):
        if E164.match(r["phone"]):
            canonical.add(r["phone"])
        else:
            odd.append(r["phone"])
    assert odd

    def e164(p: str) -> str:
        d = re.sub(r"\D", "", p)
        if d.startswith("00"):
            return "+" + d[2:]
        if p.startswith("+"):
            return "+" + d
        if d.startswith("0"):
            return "+44" + d[1:]
        return "+86" + d

    styles = set()
    for p in odd:
        styles.add(re.sub(r"\d", "9", p)[:6])
        assert E164.match(e164(p)), p
    assert len(styles) >= 3
