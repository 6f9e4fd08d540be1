"""One site of the centre simulated day by day, streaming its export rows into a DayWriter."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ccw.generate import (
    agent_events,
    chat,
    clock,
    crm,
    demand,
    helpdesk,
    ids,
    phones,
    queue_sim,
    roster,
    surveys,
    telephony,
    text,
)
from ccw.generate import params as P
from ccw.generate.config import GeneratorConfig
from ccw.generate.customers import FollowUps, build_customers, pick_customers
from ccw.generate.dirt import Dirt
from ccw.generate.reference import Reference
from ccw.generate.schedules import build_schedules, planned_capacity
from ccw.generate.workforce import SitePlan, build_agents
from ccw.generate.writer import NULL_INT, DayWriter

DAY = clock.DAY
PHONE_Q, IVR, CHAT, TICKET, OUTBOUND = range(5)


@dataclass
class _Roots:
    """The day's root contacts (inbound arrivals, then outbound calls), one position each."""

    t: np.ndarray  # arrival, epoch seconds
    queue: np.ndarray  # queue index
    issue: np.ndarray  # issue type (a follow-up takes its earlier contact's)
    kind: np.ndarray  # PHONE_Q, IVR, CHAT, TICKET or OUTBOUND
    closed: np.ndarray  # a call outside the queue's hours


@dataclass(frozen=True)
class _RealTime:
    """Calls and chats as the queue simulation served them, and the day's shift blocks."""

    rt_roots: np.ndarray  # positions of the real-time roots in _Roots
    n: int  # contact legs simulated (transfers and callbacks add legs)
    cc: dict[str, np.ndarray]  # the legs (queue_sim.Contacts.trimmed)
    slice: slice  # the day's agent-days in the schedules
    blk_agent: np.ndarray
    blk_start: np.ndarray
    blk_end: np.ndarray


@dataclass(frozen=True)
class _Identities:
    """What the systems see of each root's customer."""

    address: np.ndarray  # the calling number as spelt
    att_customer: np.ndarray  # the CRM id a call's IVR identified (None: not identified)
    logged_in: np.ndarray  # a chat visitor logged in
    gave_email: np.ndarray  # a chat visitor who left an e-mail address only
    chat_email: np.ndarray
    chat_customer: np.ndarray
    visitor: np.ndarray
    ivr_path: np.ndarray


@dataclass(frozen=True)
class _Outcomes:
    """How the real-time contacts ended."""

    rt_first: np.ndarray  # contact index of each real-time root
    answered: np.ndarray
    end_rt: np.ndarray  # when the contact ended (handled or abandoned)
    z: np.ndarray  # the customer's experience (surveys)
    ivr_roots: np.ndarray


@dataclass(frozen=True)
class _Legs:
    """Ids the exports gave the legs and chats, for the surveys that refer to them."""

    main_id: np.ndarray
    cb_id: np.ndarray
    chat_roots: np.ndarray
    session_id: np.ndarray


class SiteRun:
    def __init__(self, cfg: GeneratorConfig, plan: SitePlan, ref: Reference, writer: DayWriter,
                 progress: bool = True) -> None:
        self.cfg, self.plan, self.ref, self.w = cfg, plan, ref, writer
        self.progress = progress
        self.site = plan.site
        self.tz = ref.site_time_zone[self.site]
        self.queues = ref.site_queues(self.site)
        self.days = cfg.export_days()
        self.start = clock.epoch(cfg.start)
        self.end = clock.epoch(cfg.end + timedelta(days=1))
        self.agents = build_agents(plan, self.queues, cfg, self._rng("agents"))
        self.sched = build_schedules(self.agents, self.queues, ref, self.site, cfg, self._rng("schedules"))
        cap = planned_capacity(self.sched, self.agents, len(self.queues))
        self.base = demand.base_volumes(self.queues, ref, self.days, cap, cfg.occupancy)
        self.cust = build_customers(plan, cfg, self.start, self.end, self._rng("customers"))
        self.dirt = Dirt(cfg.dirt_rate, self._rng("dirt"))
        self.rng = self._rng("day")
        self.followups = FollowUps.empty()
        self.zh_share = 0.85 if self.site == "shanghai" else 0.05
        q = self.queues
        self.channel = [x.channel for x in q]
        self.realtime = [i for i, x in enumerate(q) if x.is_realtime]
        phone = [i for i, x in enumerate(q) if x.channel == "phone"]
        self.phone = phone
        self.chat_q = [i for i, x in enumerate(q) if x.channel == "chat"]
        self.back_q = [i for i, x in enumerate(q) if not x.is_realtime][0]
        target = []
        for i, x in enumerate(q):
            others = [j for j in phone if j != i] if x.channel == "phone" else []
            target.append(others[0] if others else i)
        self.setup = queue_sim.QueueSetup(self.channel, self.realtime, target)
        a = self.agents
        self.state = queue_sim.AgentState(np.zeros(a.n, np.int64), a.skills, a.aht_factor(), a.speed, a.quality,
                                          a.primary)
        self.patience = np.array([P.PATIENCE_MEAN.get(x.queue_id, 300.0) for x in q])
        pilot = np.array([x.queue_id == P.CALLBACK_PILOT_QUEUE for x in q])
        self.callback_save = np.where(pilot, P.CALLBACK_PILOT_SAVE, 0.0) if pilot.any() else None
        self.q_ref = np.array([x.source_ref for x in q], dtype=object)
        self.q_arn = telephony.queue_arns([x.source_ref for x in q])
        bq = q[self.back_q]
        self.admin_user = str(8_000_000 + plan.index)
        self.desk = helpdesk.TicketDesk(plan.index, bq.channel, bq.source_ref, a, self.admin_user,
                                        self._rng("helpdesk"))
        self.orders = crm.OrderBook(self.cust, plan.index, "CNY" if self.site == "shanghai" else "GBP",
                                    self._rng("orders"))
        self.next_user = 30_000_000_000 + plan.index * 1_000_000_000
        self.next_survey = 1 + plan.index * 4_000_000_000
        self.totals = {"arrivals": 0, "queued": 0, "answered": 0, "abandoned": 0, "tickets": 0}

    def _rng(self, name: str) -> np.random.Generator:
        key = [self.cfg.seed, self.plan.index, zlib.crc32(name.encode())]
        return np.random.default_rng(np.random.SeedSequence(key))

    # ================================================================================================ run
    def begin(self) -> None:
        self.t0 = time.time()
        self._initial_exports()

    def step(self, di: int) -> int:
        """Simulate local day ``di``; returns the last export day that can no longer receive rows."""
        d = self.days[di]
        self._day(di, d)
        self.dirt.first_day = False
        if self.progress and (di % 30 == 29 or di == len(self.days) - 1):
            print(f"  [{self.site}] {d} day {di + 1}/{len(self.days)}  {time.time() - self.t0:6.1f}s  "
                  f"arrivals {self.totals['arrivals']:,}", flush=True)
        nxt = clock.local_midnight(d + timedelta(days=1), self.tz)
        return int((nxt - self.start) // DAY) - 1

    def run(self) -> None:
        self.begin()
        for di in range(len(self.days)):
            self.w.flush(self.step(di))

    # ===================================================================================== first file
    def _initial_exports(self) -> None:
        cust, w = self.cust, self.w
        n = cust.n
        style = self.dirt.phone_styles(n)
        pad = np.zeros(n, bool)
        pad[self.dirt.pick(n)] = True
        rows = crm.customer_rows(cust, np.arange(n), np.maximum(cust.created_at, self.start), style, pad)
        rows["_day"] = np.where(cust.created_at < self.start + DAY, 0, w.day_of(cust.created_at))
        w.add("crm__customers", rows)
        # a few customers change segment or e-mail during the period: re-exported on that day
        k = max(1, int(n * 0.0004 * len(self.days)))
        who = self.rng.choice(n - cust.n_test, size=min(k, n - cust.n_test), replace=False)
        when = np.maximum(cust.created_at[who], self.start) + self.rng.integers(DAY, 20 * DAY, len(who))
        ok = when < self.end
        who, when = who[ok], when[ok]
        upgraded = cust.segment.copy()
        upgraded[who] = text.pick(self.rng, text.SEGMENTS, len(who), text.SEGMENT_P)
        cust.segment, old = upgraded, cust.segment
        w.add("crm__customers", crm.customer_rows(cust, who, when, style[who], np.zeros(len(who), bool)))
        cust.segment = old
        for part in self.orders.history(self.start):
            w.add("crm__orders", part)
        # help-desk directory: agents, an admin, and the end-users who wrote in before
        a = self.agents
        created = np.array([clock.epoch(date.fromisoformat(str(x))) for x in a.hire_date], dtype=np.int64)
        day = a.hire_day
        w.add("helpdesk__user", roster.agent_user_rows(a, np.arange(a.n), created, self.tz,
                                                       self.start + day * DAY + 3600, day))
        w.add("helpdesk__user", {"id": np.array([self.admin_user], dtype=object),
                                 "name": np.array([f"{self.site.title()} Admin"], dtype=object),
                                 "email": np.array([f"admin.{self.site}@ccw.example"], dtype=object),
                                 "phone": np.array([None], dtype=object), "role": np.array(["admin"], dtype=object),
                                 "external_id": np.array([None], dtype=object),
                                 "created_at": np.array([self.start - 400 * DAY]),
                                 "time_zone": np.array([self.tz], dtype=object), "_t": np.array([self.start]),
                                 "_day": np.array([0])})
        existing = np.flatnonzero((cust.created_at < self.start) & ~cust.is_test)
        had = existing[self.rng.random(len(existing)) < 0.25]
        self._new_users(had, np.maximum(cust.created_at[had], self.start - 300 * DAY), day0=True)

    def _new_users(self, who: np.ndarray, created: np.ndarray, day0: bool = False) -> np.ndarray:
        """Help-desk end-users for customers (index >= 0) or unknown requesters (-1)."""
        cust, rng, k = self.cust, self.rng, len(who)
        uid = self.next_user + np.arange(k)
        self.next_user += k
        known = who >= 0
        c = np.maximum(who, 0)
        cust.helpdesk_user[who[known]] = uid[known]
        rand_nat = phones.mobile_numbers(rng, k, cust.country)
        nat = np.where(known, cust.national[c], rand_nat)
        style = self.dirt.phone_styles(k)
        anon_mail = ids.hex_tokens(rng, k, 4, "user.")
        email = np.where(known, cust.email[c], np.char.add(anon_mail.astype(str), "@example.net").astype(object))
        ext = np.where(known & (rng.random(k) < P.HELPDESK_EXTERNAL_ID), cust.customer_id[c], None)
        ext = np.where(known & cust.is_test[c], cust.customer_id[c], ext)
        guest = np.char.add("Guest ", anon_mail.astype(str))
        rows = {"id": uid.astype(str).astype(object), "name": np.where(known, cust.name[c], guest).astype(object),
                "email": email, "phone": phones.spell(nat, cust.country, style), "role": np.full(k, "end-user", object),
                "external_id": ext, "created_at": created, "time_zone": np.full(k, self.tz, dtype=object),
                "_t": np.maximum(created, self.start)}
        if day0:
            rows["_day"] = np.zeros(k, np.int64)
        self.dirt.pad(rows, ("email",))
        self.w.add("helpdesk__user", rows)
        return uid

    # ============================================================================================ a day
    def _day(self, di: int, d: date) -> None:
        """One simulated day: the day's roster and plan, the contacts that arrive and how they are served, who they
        are, how they end, and every export row they leave. The steps run in this order (each draws from the site's
        random generator in turn, so the sample stays the same for a seed)."""
        d0 = clock.local_midnight(d, self.tz)
        d1 = clock.local_midnight(d + timedelta(days=1), self.tz)
        self._day_reference_exports(di)
        roots = self._arrivals(di, d)
        rt = self._serve_real_time(di, d, d0, roots)
        customer = self._who_contacted(roots, d1)
        work, solved = self._tickets(roots, customer, rt, d1)
        who = self._identities(roots, customer)
        outcome = self._outcomes(roots, rt, customer)
        self._tickets_solved(solved)
        legs = self._export_calls_and_chats(roots, rt, who)
        self._export_live_surveys(roots, rt, who, outcome, legs)
        self._export_agent_events(rt, work)
        self._export_helpdesk_and_orders(d0, d1)

    # ----------------------------------------------------------------------------------- the day's reference rows
    def _day_reference_exports(self, di: int) -> None:
        w, a = self.w, self.agents
        export_t = self.start + di * DAY + 3600
        w.add("workforce__agents", roster.roster_rows(a, di, export_t, self.site, self.tz))
        w.add("workforce__schedules", roster.schedule_rows(self.sched, a, di, export_t))
        bq = self.queues[self.back_q]
        w.add("helpdesk__group", {"id": np.array([bq.source_ref], dtype=object),
                                  "name": np.array([bq.name], dtype=object), "_t": np.array([export_t]),
                                  "_day": np.array([di])})

    # ------------------------------------------------------------------------------------------ arrivals (roots)
    def _arrivals(self, di: int, d: date) -> _Roots:
        """Every root contact of the day: inbound arrivals by queue (IVR self-service, closed hours), then the
        outbound calls the queued ones lead to."""
        rng = self.rng
        trend = 1 + self.cfg.trend_per_year * di / 365
        noise = demand.day_noise(rng)
        vols = [self.base[i] * demand.day_factor(q, self.ref, d) * trend * noise for i, q in enumerate(self.queues)]
        arr = demand.generate_arrivals(self.queues, self.ref, d, vols, rng)
        n0 = len(arr.t)
        is_phone = np.isin(arr.queue, self.phone)
        is_chat = np.isin(arr.queue, self.chat_q)
        self_service = is_phone & arr.is_open & (rng.random(n0) < P.IVR_SELF_SERVICE)
        kind = np.full(n0, TICKET)
        kind[is_chat] = CHAT
        kind[is_phone] = np.where(arr.is_open[is_phone] & ~self_service[is_phone], PHONE_Q, IVR)
        issue = arr.issue.copy()
        billing = [i for i in self.phone if "billing" in self.queues[i].queue_id]
        issue[self_service] = np.where(np.isin(arr.queue[self_service], billing), "billing_question", "order_status")
        queued = np.flatnonzero(kind == PHONE_Q)
        k_out = rng.binomial(len(queued), P.OUTBOUND_SHARE) if len(queued) else 0
        out_t = np.sort(arr.t[rng.choice(queued, k_out)] + rng.integers(0, 600, k_out)) if k_out else np.zeros(0, int)
        self.totals["arrivals"] += n0
        return _Roots(
            t=np.concatenate([arr.t, out_t]),
            queue=np.concatenate([arr.queue, np.full(k_out, self.phone[0])]),
            issue=np.concatenate([issue, np.full(k_out, "other", dtype=object)]),
            kind=np.concatenate([kind, np.full(k_out, OUTBOUND)]),
            closed=np.concatenate([is_phone & ~arr.is_open, np.zeros(k_out, bool)]),
        )

    # ------------------------------------------------------------------------------------------- real-time queues
    def _serve_real_time(self, di: int, d: date, d0: int, roots: _Roots) -> _RealTime:
        """Calls, outbound calls and chats through the queues and the agents on shift (queue_sim)."""
        rng = self.rng
        t, queue, kind = roots.t, roots.queue, roots.kind
        rt_roots = np.flatnonzero(np.isin(kind, (PHONE_Q, CHAT, OUTBOUND)))
        c = queue_sim.Contacts.empty(int(len(rt_roots) * 1.25) + 64)
        idx = c.add(len(rt_roots))
        c.arr[idx] = t[rt_roots]
        c.queue[idx] = queue[rt_roots]
        c.root[idx] = idx
        c.src[idx] = rt_roots
        c.kind[idx] = np.where(kind[rt_roots] == OUTBOUND, 3, 0)
        c.patience[idx] = queue_sim.draw_patience(c.queue[idx], self.patience[c.queue[idx]], rng)
        c.patience[idx[kind[rt_roots] == OUTBOUND]] = queue_sim.INF
        queue_sim.draw_legs(c, idx, np.array(self.channel, dtype=object)[c.queue[idx]], rng)
        c.ring[idx[kind[rt_roots] == OUTBOUND]] = 15
        sl = self.sched.day_slice(di)
        bm = (self.sched.blk_ad >= sl.start) & (self.sched.blk_ad < sl.stop)
        blk_agent = self.sched.ad_agent[self.sched.blk_ad[bm]]
        blk_start, blk_end = self.sched.blk_start[bm], self.sched.blk_end[bm]
        pilot = self.callback_save if d >= P.CALLBACK_PILOT_START else None
        queue_sim.simulate_day(c, self.setup, self.state, blk_agent, blk_start, blk_end, d0, rng, self.patience,
                               pilot)
        return _RealTime(rt_roots=rt_roots, n=c.n, cc=c.trimmed(), slice=sl, blk_agent=blk_agent,
                         blk_start=blk_start, blk_end=blk_end)

    # ---------------------------------------------------------------------------------------------- who contacted
    def _who_contacted(self, roots: _Roots, d1: int) -> np.ndarray:
        """The customer of each root (-1: unknown): a follow-up of an earlier unresolved contact keeps its customer
        and issue (``roots.issue`` is updated), the others are drawn; a few are test accounts."""
        rng = self.rng
        t, queue, kind = roots.t, roots.queue, roots.kind
        n_roots = len(t)
        customer = np.full(n_roots, -1, np.int64)
        matchable = (kind != OUTBOUND) & (kind != IVR)  # people come back when someone answers
        order = np.lexsort((t, queue))
        mpos, mcust, missue = self.followups.match(t[order], queue[order], matchable[order], d1)
        matched = np.zeros(n_roots, bool)
        if len(mpos):
            customer[order[mpos]] = mcust
            roots.issue[order[mpos]] = missue
            matched[order[mpos]] = True
        fresh = np.flatnonzero(~matched)
        customer[fresh] = pick_customers(self.cust, t[fresh], rng)
        test_rows = self.dirt.pick(np.flatnonzero(matchable & ~matched))
        if len(test_rows) and self.cust.n_test:
            customer[test_rows] = self.cust.n - self.cust.n_test + rng.integers(0, self.cust.n_test, len(test_rows))
        return customer

    # ------------------------------------------------------------------------------------------- tickets (async)
    def _tickets(self, roots: _Roots, customer: np.ndarray, rt: _RealTime, d1: int):
        """New tickets with their requesters (a help-desk user, created when the customer has none), then the back
        office works the queue in the slots its agents have between calls and chats."""
        rng = self.rng
        t, issue = roots.t, roots.issue
        tk_roots = np.flatnonzero(roots.kind == TICKET)
        requester = np.zeros(len(tk_roots), np.int64)
        tcust = customer[tk_roots]
        has_user = (tcust >= 0) & (self.cust.helpdesk_user[np.maximum(tcust, 0)] >= 0)
        requester[has_user] = self.cust.helpdesk_user[tcust[has_user]]
        need = np.flatnonzero(~has_user)
        if len(need):
            # one new user per new requester (a customer writing twice the same day gets one user)
            who = tcust[need]
            uniq_known, first_pos = np.unique(who[who >= 0], return_index=True)
            unknown = need[who < 0]
            new_for = np.concatenate([uniq_known, np.full(len(unknown), -1)])
            created = np.concatenate([t[tk_roots][need[who >= 0][first_pos]], t[tk_roots][unknown]])
            uid = self._new_users(new_for, created)
            requester[unknown] = uid[len(uniq_known):]
            known_need = need[who >= 0]
            requester[known_need] = self.cust.helpdesk_user[who[who >= 0]]
        zh = rng.random(len(tk_roots)) < self.zh_share
        self.desk.create(t[tk_roots], issue[tk_roots], tcust, requester, zh)
        self.totals["tickets"] += len(tk_roots)
        cc = rt.cc
        back_agents = self.agents.skills[rt.blk_agent, self.back_q]
        answered_legs = cc["agent"] >= 0
        slot_t, slot_agent = helpdesk.email_slots(
            rt.blk_agent[back_agents], rt.blk_start[back_agents], rt.blk_end[back_agents], cc["agent"][answered_legs],
            cc["start"][answered_legs], cc["busy_end"][answered_legs], P.EMAIL_SLOT_SECONDS)
        return self.desk.serve(slot_t, slot_agent, d1, P.EMAIL_SLOT_SECONDS)

    # ----------------------------------------------------------------------------------------- identities seen
    def _identities(self, roots: _Roots, customer: np.ndarray) -> _Identities:
        """What the systems see of each root's customer: the calling number as spelt, the CRM id a call's IVR
        identified, a chat visitor logged in, with an e-mail address only, or anonymous."""
        rng, cust = self.rng, self.cust
        n_roots = len(roots.t)
        cpos = np.maximum(customer, 0)
        known = customer >= 0
        own_number = known & (rng.random(n_roots) > 0.08)
        national = np.where(own_number, cust.national[cpos], phones.mobile_numbers(rng, n_roots, cust.country))
        address = phones.spell(national, cust.country, self.dirt.phone_styles(n_roots))
        identified = known & ((rng.random(n_roots) < P.PHONE_IDENTIFIED) | cust.is_test[cpos])
        u = rng.random(n_roots)
        logged_in = known & ((u < P.CHAT_LOGGED_IN) | cust.is_test[cpos])
        gave_email = ~logged_in & (u < P.CHAT_LOGGED_IN + P.CHAT_EMAIL_ONLY)
        anon_email = np.char.add(ids.hex_tokens(rng, n_roots, 4, "visitor.").astype(str), "@example.com")
        return _Identities(
            address=address,
            att_customer=np.where(identified, cust.customer_id[cpos], None),
            logged_in=logged_in,
            gave_email=gave_email,
            chat_email=np.where(gave_email, np.where(known, cust.email[cpos], anon_email), None),
            chat_customer=np.where(logged_in, cust.customer_id[cpos], None),
            visitor=np.where(known, cust.visitor_id[cpos], ids.hex_tokens(rng, n_roots, 6, "v_")),
            ivr_path=np.array([f"main>{q.queue_id.split('_', 1)[1]}>agent" for q in self.queues],
                              dtype=object)[roots.queue],
        )

    # ------------------------------------------------------------------------------------------------- outcomes
    def _outcomes(self, roots: _Roots, rt: _RealTime, customer: np.ndarray) -> _Outcomes:
        """How each real-time contact ended (answered, transfers, wait, resolved, the customer's experience), the
        IVR calls resolved, the follow-ups of unresolved contacts and the experience remembered for orders."""
        rng, a, cc = self.rng, self.agents, rt.cc
        t, queue, kind, issue, closed = roots.t, roots.queue, roots.kind, roots.issue, roots.closed
        rt_roots = rt.rt_roots
        rt_first = np.arange(len(rt_roots))  # contact index of each real-time root
        last = chat.last_leg(cc["child"], rt_first)
        answered = cc["agent"][rt_first] >= 0
        final_agent = np.where(cc["agent"][last] >= 0, cc["agent"][last], cc["agent"][rt_first])
        transfers = np.zeros(len(rt_first), np.int64)
        cur = rt_first.copy()
        for _ in range(3):
            nxt = cc["child"][cur]
            transfers += nxt >= 0
            cur = np.where(nxt >= 0, nxt, cur)
        wait = np.where(answered, cc["start"][rt_first], cc["aband_t"][rt_first]) - cc["arr"][rt_first]
        wait = np.where(cc["callback"][rt_first], np.minimum(wait, 180), wait)
        fa = np.maximum(final_agent, 0)
        logit = (text.lookup(P.ISSUE_RESOLVE_LOGIT, issue[rt_roots], 1.5).astype(float) + 0.8 * a.quality[fa]
                 - 0.2 * a.speed[fa] - 0.45 * transfers)
        resolved = answered & (rng.random(len(rt_first)) < 1 / (1 + np.exp(-logit)))
        z = surveys.experience(a.quality[fa], wait, transfers, resolved, answered, rng)
        end_rt = np.where(answered, np.maximum(cc["busy_end"][last], cc["end_talk"][rt_first]), cc["aband_t"][rt_first])
        self.totals["queued"] += int((kind == PHONE_Q).sum() + (kind == CHAT).sum())
        self.totals["answered"] += int(answered.sum())
        self.totals["abandoned"] += int((~answered).sum())

        ivr_roots = np.flatnonzero(kind == IVR)
        ivr_resolved = ~closed[ivr_roots] & (rng.random(len(ivr_roots)) < 0.55)

        # follow-ups of unresolved contacts (repeat contacts, sometimes on another channel)
        fu_root = np.concatenate([rt_roots, ivr_roots])
        fu_unres = np.concatenate([~resolved, ~ivr_resolved])
        fu_end = np.concatenate([end_rt, t[ivr_roots] + 120])
        fu_p = np.concatenate([np.where(answered, P.FOLLOW_UP_P["unresolved"], P.FOLLOW_UP_P["abandoned"]),
                               np.where(closed[ivr_roots], P.FOLLOW_UP_P["ivr_closed"], P.FOLLOW_UP_P["ivr_self"])])
        fu_fast = np.concatenate([~answered, np.zeros(len(ivr_roots), bool)])
        self._follow_ups(fu_root, fu_unres, fu_end, fu_p, fu_fast, customer, issue, queue, kind)

        # experience memory for orders (a bad experience in the last BAD_MEMORY_DAYS thins them)
        self._remember(customer[rt_roots], end_rt, z, ~resolved)
        return _Outcomes(rt_first=rt_first, answered=answered, end_rt=end_rt, z=z, ivr_roots=ivr_roots)

    # ------------------------------------------------------------------------------------------- tickets solved
    def _tickets_solved(self, solved) -> None:
        """The experience of the tickets solved today, their follow-ups, and the surveys sent for them."""
        rng, a = self.rng, self.agents
        tk = solved.ticket
        if not len(tk):
            return
        bq = self.queues[self.back_q]
        t_c = self.desk.t
        frt_h = (t_c["first_reply"][tk] - t_c["created"][tk]) / 3600
        tz_ = surveys.experience(a.quality[solved.agent], frt_h * 10, t_c["reopened"][tk].astype(int),
                                 t_c["resolved"][tk], np.ones(len(tk), bool), rng)
        tcust_s = t_c["customer"][tk]
        self._remember(tcust_s, solved.t, tz_, ~t_c["resolved"][tk])
        unres = ~t_c["resolved"][tk]
        self._follow_ups_tickets(tk, unres, solved.t, tcust_s)
        send = rng.random(len(tk)) < P.SURVEY_SENT[bq.channel]
        ext = np.where(tcust_s >= 0, self.cust.customer_id[np.maximum(tcust_s, 0)], None)
        self._surveys(np.full(int(send.sum()), bq.channel, dtype=object),
                      self.desk.ticket_id(tk[send]).astype(str).astype(object), ext[send],
                      solved.t[send] + rng.integers(600, 3600, int(send.sum())), tz_[send])

    # ------------------------------------------------------------------------------------ exports: calls, chats
    def _export_calls_and_chats(self, roots: _Roots, rt: _RealTime, who: _Identities) -> _Legs:
        """Contact trace records of every phone leg and IVR-only call, and the chat sessions."""
        rng, a, cc = self.rng, self.agents, rt.cc
        t, queue, issue, closed = roots.t, roots.queue, roots.issue, roots.closed
        ivr_roots = np.flatnonzero(roots.kind == IVR)
        main_id = ids.uuids(rng, rt.n)
        cb_id = np.where(cc["callback"], ids.uuids(rng, rt.n), None)
        phone_legs = np.flatnonzero(np.isin(cc["queue"], self.phone))
        ctr = telephony.leg_records(cc, phone_legs, main_id, cb_id, self.q_ref, self.q_arn, a.username, who.address,
                                    who.att_customer, issue, who.ivr_path, rng)
        ivr_rows = telephony.ivr_only_records(t[ivr_roots], closed[ivr_roots], issue[ivr_roots],
                                              who.address[ivr_roots], who.att_customer[ivr_roots], rng)
        ctr = {k: np.concatenate([ctr[k], ivr_rows[k]]) for k in ctr}
        self._dirty_ctr(ctr)
        self._add_with_reexport("telephony__contact_records", ctr)

        chat_roots_c = np.flatnonzero(np.isin(cc["queue"], self.chat_q) & (cc["kind"] == 0))
        src = cc["src"][chat_roots_c]
        topic = np.where(rng.random(len(src)) < 0.85, issue[src], None).astype(object)
        sess = chat.session_records(cc, chat_roots_c, self.q_ref[queue[src]], a.chat_agent_id,
                                    who.chat_customer[src], who.chat_email[src], who.visitor[src], topic, rng)
        self.dirt.empty_strings(sess, ("customer_id", "email"))
        self.dirt.pad(sess, ("agent_id", "department"))
        skewed = self.dirt.pick(len(src))  # clock skew: the session ends before it was requested
        sess["ended_at"][skewed] = sess["requested_at"][skewed] - rng.integers(1_000, 600_000, len(skewed))
        self.dirt.sparse(sess)
        self._add_with_reexport("chat__sessions", sess)
        return _Legs(main_id=main_id, cb_id=cb_id, chat_roots=chat_roots_c, session_id=sess["session_id"])

    # ----------------------------------------------------------------------------- exports: surveys of live contacts
    def _export_live_surveys(self, roots: _Roots, rt: _RealTime, who: _Identities, outcome: _Outcomes,
                             legs: _Legs) -> None:
        """Surveys of answered calls and chats (a chat visitor is reachable when logged in or with an e-mail)."""
        rng, cc = self.rng, rt.cc
        kind, rt_roots, rt_first = roots.kind, rt.rt_roots, outcome.rt_first
        is_ph = np.isin(kind[rt_roots], (PHONE_Q,))
        is_ch = kind[rt_roots] == CHAT
        first_ref = np.where(cc["callback"][rt_first], legs.cb_id[rt_first], legs.main_id[rt_first])
        sess_ref = np.full(len(rt_first), None, dtype=object)
        chat_roots_c = legs.chat_roots
        pos_in = np.searchsorted(chat_roots_c, rt_first)
        in_chat = (pos_in < len(chat_roots_c)) & (chat_roots_c[np.minimum(pos_in, len(chat_roots_c) - 1)] == rt_first)
        sess_ref[in_chat] = legs.session_id[pos_in[in_chat]]
        reach = is_ph | (is_ch & (who.logged_in[rt_roots] | who.gave_email[rt_roots]))
        p_send = np.where(is_ph, P.SURVEY_SENT["phone"], P.SURVEY_SENT["chat"])
        send = outcome.answered & reach & (rng.random(len(rt_first)) < p_send)
        ref = np.where(is_ph, first_ref, sess_ref)
        customer = np.where(is_ph, who.att_customer[rt_roots], who.chat_customer[rt_roots])
        self._surveys(np.where(is_ph, "phone", "chat")[send].astype(object), ref[send], customer[send],
                      outcome.end_rt[send] + rng.integers(300, 1800, int(send.sum())), outcome.z[send])

    # ----------------------------------------------------------------------------------- exports: agent events
    def _export_agent_events(self, rt: _RealTime, work) -> None:
        """The agent event stream: logins, schedule activities, contacts and ticket replies."""
        sched, cc, sl = self.sched, rt.cc, rt.slice
        ad = np.arange(sl.start, sl.stop)
        present = ~sched.ad_absent[ad] & ~sched.ad_no_show[ad]
        ad = ad[present]
        am = (sched.act_ad >= sl.start) & (sched.act_ad < sl.stop)
        am &= ~sched.ad_no_show[sched.act_ad]
        legs_ok = cc["agent"] >= 0
        ev = agent_events.build_events(
            sched.ad_agent[ad], sched.login[ad], sched.logout[ad],
            sched.ad_agent[sched.act_ad[am]], sched.act_kind[am], sched.act_start[am],
            sched.act_end[am],
            np.concatenate([cc["agent"][legs_ok], work.agent]),
            np.concatenate([cc["start"][legs_ok], work.start]),
            np.concatenate([cc["end_talk"][legs_ok], work.start + work.handle]),
            np.concatenate([cc["busy_end"][legs_ok], work.start + work.handle + work.acw]),
            self.agents.username, self.rng)
        self.dirt.pad(ev, ("Username",))
        self.dirt.shuffle(ev)
        self._add_with_reexport("telephony__agent_events", ev)

    # --------------------------------------------------------------------------- exports: help desk, CRM orders
    def _export_helpdesk_and_orders(self, d0: int, d1: int) -> None:
        w = self.w
        versions, comments, history = self.desk.drain()
        for v in versions:
            w.add("helpdesk__ticket", {**v, "_t": v["updated_at"]})
        for cm in comments:
            self.dirt.pad(cm, ("body",))
            self._add_with_reexport("helpdesk__ticket_comment", {**cm, "_t": cm["created"]})
        for h in history:
            w.add("helpdesk__ticket_field_history", {**h, "_t": h["updated"]})
        for part in self.orders.day(max(d0, self.start), min(d1, self.end)):
            w.add("crm__orders", part)

    # ========================================================================================= helpers
    def _add_with_reexport(self, table: str, cols: dict[str, np.ndarray]) -> None:
        self.w.add(table, cols)
        dup = self.dirt.reexport(cols, self.w.day_of)
        if dup is not None:
            self.w.add(table, dup)

    def _dirty_ctr(self, ctr: dict[str, np.ndarray]) -> None:
        self.dirt.pad(ctr, ("a_user", "q_name"))
        self.dirt.empty_strings(ctr, ("PreviousContactId", "NextContactId"))
        self.dirt.skew(ctr, "a_inter", ctr["has_agent"])
        self.dirt.skew(ctr, "q_dur", ctr["has_queue"])
        self.dirt.sparse(ctr)
        # a corrected version of a few records arrives with a later LastUpdateTimestamp the next day
        sel = self.dirt.pick(len(ctr["_t"]))
        if len(sel):
            upd = {k: np.asarray(v)[sel].copy() for k, v in ctr.items()}
            day_next = self.w.day_of(upd["_t"]) + 1
            upd["upd_t"] = self.start + day_next * DAY + self.rng.integers(600, 20 * 3600, len(sel))
            upd["_t"] = upd["upd_t"]
            upd["at_issue_type"] = text.pick(self.rng, list(self.ref.issue_types), len(sel))
            upd["_sparse"] = np.zeros(len(sel), bool)
            self.w.add("telephony__contact_records", upd)

    def _remember(self, customer: np.ndarray, when: np.ndarray, z: np.ndarray, unresolved: np.ndarray) -> None:
        """Experience memory for orders (crm.OrderBook.day): an unresolved contact or a poor experience (low
        CSAT) is bad; no random draw is taken, so only the CRM orders change with it."""
        ok = customer >= 0
        bad = ok & (unresolved | (z < P.BAD_EXPERIENCE_Z))
        good = ok & ~bad
        np.maximum.at(self.cust.last_bad, customer[bad], when[bad])
        np.maximum.at(self.cust.last_good, customer[good], when[good])

    def _follow_ups(self, roots: np.ndarray, unresolved: np.ndarray, end: np.ndarray, p: np.ndarray,
                    fast: np.ndarray, customer: np.ndarray, issue: np.ndarray, queue: np.ndarray,
                    kind: np.ndarray) -> None:
        rng = self.rng
        cust = customer[roots]
        go = unresolved & (cust >= 0) & (rng.random(len(roots)) < p)
        go &= ~self.cust.is_test[np.maximum(cust, 0)]
        r = roots[go]
        median = np.where(fast[go], 0.7 * 3600, 18 * 3600)
        due = end[go] + np.minimum(median * np.exp(rng.normal(0, 0.9, len(r))), 9 * DAY).astype(np.int64)
        q = queue[r].copy()
        switch = rng.random(len(r)) > P.SAME_QUEUE_FOLLOW_UP
        options = np.array([i for i in range(len(self.queues))])
        q[switch] = options[rng.integers(0, len(options), int(switch.sum()))]
        self.followups.add(cust[go], issue[r], due, q)

    def _follow_ups_tickets(self, tk: np.ndarray, unresolved: np.ndarray, when: np.ndarray, cust: np.ndarray) -> None:
        rng = self.rng
        go = unresolved & (cust >= 0) & (rng.random(len(tk)) < P.FOLLOW_UP_P["unresolved"])
        go &= ~self.cust.is_test[np.maximum(cust, 0)]
        due = when[go] + np.minimum(24 * 3600 * np.exp(rng.normal(0, 0.8, int(go.sum()))), 9 * DAY).astype(np.int64)
        q = np.full(int(go.sum()), self.back_q)
        switch = rng.random(len(q)) > P.SAME_QUEUE_FOLLOW_UP
        q[switch] = np.array(self.phone + self.chat_q)[rng.integers(0, len(self.phone) + len(self.chat_q),
                                                                    int(switch.sum()))]
        self.followups.add(cust[go], self.desk.t["issue"][tk[go]], due, q)

    def _surveys(self, channel: np.ndarray, ref: np.ndarray, customer_id: np.ndarray, sent: np.ndarray,
                 z: np.ndarray) -> None:
        k = len(sent)
        if not k:
            return
        sent_rows, answer_rows = surveys.survey_records(channel, ref, customer_id, sent, z, self.zh_share, self.rng,
                                                        self.next_survey)
        self.next_survey += k
        self.dirt.pad(answer_rows, ("comment",))
        self._add_with_reexport("survey__responses", sent_rows)
        self.w.add("survey__responses", answer_rows)


__all__ = ["SiteRun", "NULL_INT"]
