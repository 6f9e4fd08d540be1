"""Behavioural constants of the simulated centre, in one place for tuning."""

from __future__ import annotations

from datetime import date

# Share of a site's arrivals per queue (all channels; phone includes IVR-only calls).
QUEUE_SHARE: dict[str, float] = {
    "phone_cn_general": 0.42, "phone_cn_billing": 0.16, "chat_cn": 0.24, "email_cn": 0.18,
    "phone_intl": 0.55, "chat_intl": 0.25, "webform_intl": 0.20,
}
# Mean agent seconds per arrival, used to size the staff of each queue.
WORKLOAD_SECONDS: dict[str, float] = {"phone": 225.0, "chat": 330.0, "email": 580.0, "web_form": 560.0}

# Weekday demand (ISO 1..7) and the daily volume on a holiday.
WEEKDAY_FACTOR = (1.18, 1.08, 1.02, 1.0, 0.95, 0.55, 0.45)
HOLIDAY_FACTOR = 0.35
DAY_NOISE_SIGMA = 0.04

# Intraday profile: gaussian humps (centre hour, width hours, weight) + a night floor, local time.
PROFILE: dict[str, tuple[tuple[float, float, float], ...]] = {
    "phone": ((10.45, 1.05, 1.0), (14.6, 1.9, 0.62), (19.0, 1.4, 0.18)),
    "chat": ((10.5, 1.2, 1.0), (14.8, 2.0, 0.65), (20.0, 1.6, 0.42)),
    "email": ((10.5, 1.6, 1.0), (15.0, 2.6, 0.7), (21.0, 2.0, 0.3)),
    "web_form": ((10.5, 1.6, 1.0), (15.0, 2.6, 0.7), (21.0, 2.0, 0.3)),
}
NIGHT_FLOOR = {"phone": 0.02, "chat": 0.0, "email": 0.08, "web_form": 0.08}

# Telephony.
IVR_SELF_SERVICE = 0.06  # in-hours calls that end in the IVR
IVR_SECONDS = (20, 75)  # IVR time before entering a queue (uniform)
PATIENCE_MEAN = {"phone_cn_general": 240.0, "phone_cn_billing": 300.0, "phone_intl": 200.0,
                 "chat_cn": 330.0, "chat_intl": 280.0}
SHORT_PATIENCE_SHARE = 0.01  # callers who hang up within a few seconds
RING_SECONDS = (2, 7)
TALK_MEDIAN = {"phone": 155.0, "chat": 280.0}
TALK_SIGMA = 0.55
HOLD_SHARE, HOLD_MEDIAN = 0.28, 55.0
ACW_SHARE = {"phone": 0.9, "chat": 0.8}
ACW_MEDIAN = {"phone": 38.0, "chat": 25.0}
TRANSFER_P = {"phone": 0.07, "chat": 0.04}
SECOND_TRANSFER_P = 0.18
CALLBACK_ACCEPT_P = 0.35  # callers offered a callback after a long wait who take it
CALLBACK_OFFER_WAIT = 120
OUTBOUND_SHARE = 0.012
# Improvement initiatives the sample plants (seeds/initiatives.csv registers the same, with a placebo that has no
# effect here): from the pilot's first day (local time), callers of the pilot queue who are about to abandon take a
# callback with this probability, a relative cut of the abandon probability (queue_sim._serve).
CALLBACK_PILOT_QUEUE = "phone_cn_general"
CALLBACK_PILOT_START = date(2026, 9, 16)
CALLBACK_PILOT_SAVE = 0.20
ISSUE_MIX: dict[str, dict[str, float]] = {
    "billing": {"billing_question": 0.42, "refund_request": 0.28, "payment_failed": 0.22, "other": 0.08},
    "general": {"order_status": 0.22, "delivery_delay": 0.14, "return_exchange": 0.12, "account_access": 0.1,
                "account_update": 0.07, "product_question": 0.11, "technical_issue": 0.08, "complaint": 0.05,
                "billing_question": 0.04, "refund_request": 0.03, "other": 0.04},
}
ISSUE_RESOLVE_LOGIT = {"billing_question": 1.9, "refund_request": 1.1, "payment_failed": 1.4, "order_status": 2.3,
                       "delivery_delay": 1.0, "return_exchange": 1.3, "account_access": 1.6, "account_update": 2.2,
                       "product_question": 2.0, "technical_issue": 0.7, "complaint": 0.4, "other": 1.5}

# Email / web-form tickets.
EMAIL_SLOT_SECONDS = 360
EMAIL_HANDLE_MEDIAN = 220.0
CUSTOMER_REPLY_MEDIAN_H = 5.0
CLOSE_AFTER_DAYS = 4
REOPEN_P = 0.07

# Customers and repeat contacts.
NON_CUSTOMER_SHARE = 0.07
PHONE_IDENTIFIED = 0.62
CHAT_LOGGED_IN, CHAT_EMAIL_ONLY = 0.55, 0.30
HELPDESK_EXTERNAL_ID = 0.9
FOLLOW_UP_P = {"abandoned": 0.55, "unresolved": 0.5, "ivr_closed": 0.7, "ivr_self": 0.15}
SAME_QUEUE_FOLLOW_UP = 0.7

# Surveys.
SURVEY_SENT = {"phone": 0.4, "chat": 0.5, "email": 0.6, "web_form": 0.6}
RESPONSE_RATE = 0.21
COMMENT_SHARE = 0.38

# Orders.
ORDERS_PER_YEAR = 3.0
HISTORY_DAYS = 180
REFUND_P, CANCEL_P = 0.06, 0.04
# Planted churn (issue 19): the chance that a customer's order is placed, by their service experience of the last
# BAD_MEMORY_DAYS. "bad" = an unresolved contact (abandoned, not solved) or a poor latent experience (the one that
# gives low CSAT / NPS / CES), "good" = a resolved contact with a fair experience, "none" = no contact then.
ORDER_KEEP = {"none": 0.9, "good": 1.0, "bad": 0.2}
BAD_EXPERIENCE_Z = -0.3
BAD_MEMORY_DAYS = 90
