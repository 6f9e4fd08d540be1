"""CRM exports: customers (all existing ones first, then new and changed ones) and orders (Parquet)."""

from __future__ import annotations

import numpy as np

from ccw.generate import ids, phones
from ccw.generate import params as P
from ccw.generate.customers import Customers

DAY = 86_400


def customer_rows(cust: Customers, idx: np.ndarray, when: np.ndarray, style: np.ndarray,
                  pad_email: np.ndarray) -> dict[str, np.ndarray]:
    email = cust.email[idx]
    if pad_email.any():
        email = email.copy()
        email[pad_email] = np.char.add(np.char.add(" ", email[pad_email].astype(str)), "  ").astype(object)
    return {
        "customer_id": cust.customer_id[idx], "created_at": cust.created_at[idx], "segment": cust.segment[idx],
        "region": cust.region[idx], "city": cust.city[idx], "signup_source": cust.signup_source[idx],
        "phone": phones.spell(cust.national[idx], cust.country, style), "email": email, "_t": when,
    }


class OrderBook:
    """Orders of one site's customers; a bad service experience lowers the chance of ordering again."""

    def __init__(self, cust: Customers, site_index: int, currency: str, rng: np.random.Generator) -> None:
        self.cust = cust
        self.rng = rng
        self.currency = currency
        self.median = 180.0 if currency == "CNY" else 35.0
        self.next_number = 1 + site_index * 4_000_000_000
        real = cust.n - cust.n_test
        self.cum_rate = np.cumsum(cust.order_rate[:real])

    def _ids(self, k: int) -> np.ndarray:
        out = ids.prefixed("O", np.arange(self.next_number, self.next_number + k), 10)
        self.next_number += k
        return out

    def _rows(self, who: np.ndarray, when: np.ndarray, day: np.ndarray | None = None) -> list[dict[str, np.ndarray]]:
        rng, k = self.rng, len(who)
        amount = np.round(self.median * np.exp(rng.normal(0, 0.8, k)) * 100).astype(np.int64)
        u = rng.random(k)
        status = np.where(u < P.CANCEL_P, "cancelled", "paid").astype(object)
        oid = self._ids(k)
        base = {"order_id": oid, "customer_id": self.cust.customer_id[who], "ordered_at": when, "amount": amount,
                "currency": np.full(k, self.currency, dtype=object)}
        first = {**base, "status": status, "_t": when}
        if day is not None:
            first["_day"] = day
        refund = (status == "paid") & (u > 1 - P.REFUND_P)
        later = when[refund] + rng.integers(3 * DAY, 20 * DAY, int(refund.sum()))
        second = {key: v[refund] for key, v in base.items()}
        second.update({"status": np.full(int(refund.sum()), "refunded", dtype=object), "_t": later,
                       "_pos": np.flatnonzero(refund)})
        return [first, second]

    def history(self, start: int) -> list[dict[str, np.ndarray]]:
        """Orders of the months before the period, all in the first file (with their final status)."""
        real = self.cust.n - self.cust.n_test
        existing = int(np.searchsorted(self.cust.created_at[:real], start))
        counts = self.rng.poisson(self.cust.order_rate[:existing] * P.HISTORY_DAYS / 365)
        who = np.repeat(np.arange(existing), counts)
        lo = np.maximum(self.cust.created_at[who], start - P.HISTORY_DAYS * DAY)
        when = lo + (self.rng.random(len(who)) * (start - lo)).astype(np.int64)
        o = np.argsort(when, kind="stable")
        first, second = self._rows(who[o], when[o], np.zeros(len(who), np.int64))
        # a refund that happened before the period is already in the order's status in the first file
        before = second.pop("_pos")
        before_mask = second["_t"] < start
        first["status"][before[before_mask]] = "refunded"
        return [first, {key: v[~before_mask] for key, v in second.items()}]

    def day(self, t0: int, t1: int) -> list[dict[str, np.ndarray]]:
        """New orders placed in [t0, t1), thinned by each customer's latest service experience."""
        cust, rng = self.cust, self.rng
        real = cust.n - cust.n_test
        existing = int(np.searchsorted(cust.created_at[:real], t1))
        if existing == 0:
            return []
        total = self.cum_rate[existing - 1]
        k = rng.poisson(total * (t1 - t0) / (365 * DAY))
        who = np.minimum(np.searchsorted(self.cum_rate[:existing], rng.random(k) * total, side="right"), existing - 1)
        when = np.sort(t0 + rng.integers(0, t1 - t0, k))
        bad = cust.last_bad[who] > when - P.BAD_MEMORY_DAYS * DAY
        good = cust.last_good[who] > when - P.BAD_MEMORY_DAYS * DAY
        p = np.where(bad, P.ORDER_KEEP["bad"], np.where(good, P.ORDER_KEEP["good"], P.ORDER_KEEP["none"]))
        keep = rng.random(k) < p
        first, second = self._rows(who[keep], when[keep])
        second.pop("_pos")
        return [first, second]

