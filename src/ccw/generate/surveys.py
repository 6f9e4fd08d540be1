"""Post-contact surveys: who gets one, who answers, and scores that follow the experience."""

from __future__ import annotations

import numpy as np

from ccw.generate import params as P
from ccw.generate import text
from ccw.generate.ids import prefixed
from ccw.generate.writer import NULL_INT


def experience(quality: np.ndarray, wait_s: np.ndarray, transfers: np.ndarray, resolved: np.ndarray,
               answered: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Latent satisfaction of a contact (about N(0.5, 1)); drives CSAT/NPS/CES and whether the customer
    keeps ordering."""
    k = len(quality)
    z = (0.95 + 0.45 * quality - 0.0045 * np.minimum(wait_s, 900) - 0.55 * transfers - 1.35 * (~resolved)
         + rng.normal(0, 0.75, k))
    return np.where(answered, z, -1.6 + rng.normal(0, 0.6, k))


def survey_records(channel: np.ndarray, contact_ref: np.ndarray, customer_id: np.ndarray, sent_at: np.ndarray,
                   z: np.ndarray, zh_share: float, rng: np.random.Generator,
                   first_number: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(rows on the day sent, rows on the day answered) for surveys sent after the given contacts."""
    k = len(sent_at)
    rid = prefixed("R", np.arange(first_number, first_number + k), 10)
    p_resp = P.RESPONSE_RATE * np.where(z < -0.5, 1.3, 1.0)
    responds = rng.random(k) < p_resp
    delay = np.minimum(np.round(2 * 3600 * np.exp(rng.normal(0, 1.3, k))), 5 * 86_400).astype(np.int64) + 60
    responded = sent_at + delay
    noise = rng.normal(0, 0.5, k)
    csat = np.clip(np.round(3.75 + 0.85 * (z + noise)), 1, 5).astype(np.int64)
    nps = np.clip(np.round(7.2 + 1.9 * (z + noise) + rng.normal(0, 1.0, k)), 0, 10).astype(np.int64)
    ces = np.clip(np.round(5.3 + 1.0 * (z + noise) + rng.normal(0, 0.7, k)), 1, 7).astype(np.int64)
    has_comment = rng.random(k) < P.COMMENT_SHARE
    zh = rng.random(k) < zh_share
    mood = np.where(csat >= 4, "pos", np.where(csat == 3, "neu", "neg"))
    comment = np.full(k, None, dtype=object)
    for lang, lm in (("zh", zh), ("en", ~zh)):
        for m in ("pos", "neu", "neg"):
            sel = has_comment & lm & (mood == m)
            if sel.any():
                comment[sel] = text.pick(rng, text.SURVEY_COMMENTS[lang][m], int(sel.sum()))
    base = {"response_id": rid, "contact_channel": channel, "contact_ref": contact_ref, "customer_id": customer_id,
            "sent_at": sent_at}
    none_i = np.full(k, NULL_INT, np.int64)
    sent_rows = {**base, "responded_at": none_i, "csat": none_i, "nps": none_i, "ces": none_i,
                 "comment": np.full(k, None, dtype=object), "_t": sent_at}
    r = responds
    answer_rows = {key: v[r] for key, v in base.items()}
    answer_rows.update({"responded_at": responded[r], "csat": csat[r], "nps": nps[r], "ces": ces[r],
                        "comment": comment[r], "_t": responded[r]})
    return sent_rows, answer_rows
