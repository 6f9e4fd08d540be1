"""The CRM customer base of one site, who contacts the centre, and the repeat contacts of unresolved issues."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccw.generate import ids, phones, text
from ccw.generate import params as P
from ccw.generate.config import GeneratorConfig
from ccw.generate.workforce import SITE_CODE, SitePlan

NEVER = -(10**12)
TEST_ACCOUNTS = 3


@dataclass
class Customers:
    """Per-customer arrays (index = site-local customer index), sorted by created_at.

    The last ``n_test`` rows are internal test accounts (only when dirt is on).
    """

    customer_id: np.ndarray
    created_at: np.ndarray
    segment: np.ndarray
    city: np.ndarray
    region: np.ndarray
    signup_source: np.ndarray
    national: np.ndarray  # national phone number (digits)
    email: np.ndarray
    name: np.ndarray
    visitor_id: np.ndarray
    weight: np.ndarray  # contact propensity
    cum_weight: np.ndarray
    order_rate: np.ndarray  # orders per year
    helpdesk_user: np.ndarray  # helpdesk user id or -1
    is_test: np.ndarray
    last_bad: np.ndarray
    last_good: np.ndarray
    n_initial: int
    n_test: int
    country: str

    @property
    def n(self) -> int:
        return len(self.customer_id)

    def e164(self, idx: np.ndarray) -> np.ndarray:
        return phones.spell(self.national[idx], self.country, np.zeros(len(idx), np.int64))


def build_customers(plan: SitePlan, cfg: GeneratorConfig, period_start: int, period_end: int,
                    rng: np.random.Generator) -> Customers:
    n = plan.customers
    n_new = int(n * 0.08)
    n0 = n - n_new
    created = np.concatenate([
        np.sort(period_start - rng.integers(86_400, 3 * 365 * 86_400, n0)),
        np.sort(rng.integers(period_start, period_end, n_new)),
    ])
    country = "cn" if plan.site == "shanghai" else "uk"
    cities = text.CN_CITIES if country == "cn" else text.INTL_CITIES
    regions = text.CN_REGIONS if country == "cn" else text.INTL_REGIONS
    city = text.pick(rng, cities, n, list(np.linspace(2, 1, len(cities)) / np.linspace(2, 1, len(cities)).sum()))
    number = np.arange(plan.first_customer, plan.first_customer + n)
    cid = ids.prefixed("C", number, 7)
    national = phones.mobile_numbers(rng, n, country)
    first, last, name = _customer_names(country, n, rng)
    local = np.char.add(np.char.add(np.char.lower(first.astype(str)), "."), np.char.lower(last.astype(str)))
    local = np.char.add(local, (number % 997).astype(str))
    email = np.char.add(np.char.add(local, "@"), text.pick(rng, text.EMAIL_DOMAINS, n).astype(str)).astype(object)
    weight = rng.gamma(1.5, 1.0, n)
    order_rate = rng.gamma(1.3, P.ORDERS_PER_YEAR / 1.3, n)
    hd = np.full(n, -1, np.int64)
    k_test = TEST_ACCOUNTS if cfg.dirt_rate > 0 else 0
    is_test = np.zeros(n + k_test, bool)
    if k_test:
        code = SITE_CODE[plan.site]
        cid = np.concatenate([cid, np.array([f"TEST-{code}{i + 1:03d}" for i in range(k_test)], dtype=object)])
        created = np.concatenate([created, np.full(k_test, period_start - 30 * 86_400)])
        city = np.concatenate([city, np.full(k_test, cities[0], dtype=object)])
        national = np.concatenate([national, national[:1] // 10**8 * 10**8 + np.arange(k_test)])
        email = np.concatenate([email, np.array([f"qa.{code.lower()}{i + 1}@example.test" for i in range(k_test)],
                                                dtype=object)])
        name = np.concatenate([name, np.array([f"QA Test {i + 1}" for i in range(k_test)], dtype=object)])
        weight = np.concatenate([weight, np.zeros(k_test)])
        order_rate = np.concatenate([order_rate, np.zeros(k_test)])
        hd = np.concatenate([hd, np.full(k_test, -1)])
        is_test[n:] = True
    total = len(cid)
    seg = text.pick(rng, text.SEGMENTS, total, text.SEGMENT_P)
    src = text.pick(rng, text.SIGNUP_SOURCES, total, text.SIGNUP_P)
    region = np.array([regions[c] for c in city], dtype=object)
    visitor = ids.hex_tokens(rng, total, 6, "v_")
    return Customers(cid, created, seg, city, region, src, national, email, name, visitor, weight, np.cumsum(weight),
                     order_rate, hd, is_test, np.full(total, NEVER), np.full(total, NEVER), n0, k_test, country)


def _customer_names(country: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first name and last name in Latin letters for e-mail addresses, display name)."""
    if country == "cn":
        g = rng.integers(0, len(text.CN_GIVEN), n)
        s = rng.integers(0, len(text.CN_SURNAMES), n)
        given = np.array([x[1] for x in text.CN_GIVEN], dtype=object)[g]
        sur = np.array([x[1] for x in text.CN_SURNAMES], dtype=object)[s]
        hanzi = np.char.add(np.array([x[0] for x in text.CN_SURNAMES])[s], np.array([x[0] for x in text.CN_GIVEN])[g])
        return given, sur, hanzi.astype(object)
    first = np.array(text.EN_FIRST, dtype=object)[rng.integers(0, len(text.EN_FIRST), n)]
    last = np.array(text.EN_LAST, dtype=object)[rng.integers(0, len(text.EN_LAST), n)]
    return first, last, np.char.add(np.char.add(first.astype(str), " "), last.astype(str)).astype(object)


def pick_customers(cust: Customers, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A customer (index) per contact at times ``t``, by contact propensity among customers existing then;
    -1 for people who are not (yet) customers."""
    k = len(t)
    real = cust.n - cust.n_test
    existing = np.searchsorted(cust.created_at[:real], t, side="right")
    top = cust.cum_weight[np.maximum(existing - 1, 0)]
    u = rng.random(k) * top
    idx = np.minimum(np.searchsorted(cust.cum_weight[:real], u, side="right"), np.maximum(existing - 1, 0))
    out = np.where(existing > 0, idx, -1)
    out[rng.random(k) < P.NON_CUSTOMER_SHARE] = -1
    return out


@dataclass
class FollowUps:
    """Pending repeat contacts: a customer coming back about the same issue."""

    cust: np.ndarray
    issue: np.ndarray
    due: np.ndarray
    queue: np.ndarray
    expires: np.ndarray

    @classmethod
    def empty(cls) -> FollowUps:
        z = np.zeros(0, np.int64)
        return cls(z, np.zeros(0, object), z, z, z)

    def add(self, cust: np.ndarray, issue: np.ndarray, due: np.ndarray, queue: np.ndarray) -> None:
        self.cust = np.concatenate([self.cust, cust])
        self.issue = np.concatenate([self.issue, issue])
        self.due = np.concatenate([self.due, due])
        self.queue = np.concatenate([self.queue, queue])
        self.expires = np.concatenate([self.expires, due + 3 * 86_400])

    def match(self, t: np.ndarray, queue: np.ndarray, free: np.ndarray,
              upto: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Give due follow-ups to the first free root contact of their queue at or after their due time.

        ``t`` must be sorted within each queue. Returns (contact positions, customers, issues) of the
        matches; matched and expired follow-ups leave the pending set."""
        due_now = np.flatnonzero(self.due < upto)
        got_c, got_f = [], []
        if len(due_now):
            order = due_now[np.argsort(self.due[due_now], kind="stable")]
            for qv in np.unique(self.queue[order]):
                fu = order[self.queue[order] == qv]
                pos = np.flatnonzero((queue == qv) & free)
                if not len(pos):
                    continue
                # in order of due time, each takes the first contact at or after it not taken already
                a = np.searchsorted(t[pos], self.due[fu])
                k = np.arange(len(fu))
                slot = np.maximum.accumulate(a - k) + k
                ok = slot < len(pos)
                got_c.append(pos[slot[ok]])
                got_f.append(fu[ok])
        c_idx = np.concatenate(got_c) if got_c else np.zeros(0, np.int64)
        f_idx = np.concatenate(got_f) if got_f else np.zeros(0, np.int64)
        out = (c_idx, self.cust[f_idx], self.issue[f_idx])
        keep = np.ones(len(self.due), bool)
        keep[f_idx] = False
        keep &= self.expires >= upto
        self.cust, self.issue, self.due = self.cust[keep], self.issue[keep], self.due[keep]
        self.queue, self.expires = self.queue[keep], self.expires[keep]
        return out
