"""Settings of the gates that an operator may change without touching the suites."""

from __future__ import annotations

import os

#: A file whose share of rows failing critical row rules is above this is not trusted (set aside whole).
MAX_BAD_ROW_SHARE_ENV = "CCW_QUALITY_MAX_BAD_ROW_SHARE"
DEFAULT_MAX_BAD_ROW_SHARE = 0.01


def max_bad_share() -> float:
    """The untrusted-file threshold: env CCW_QUALITY_MAX_BAD_ROW_SHARE (a fraction, e.g. 0.01), else 1 %."""
    text = os.environ.get(MAX_BAD_ROW_SHARE_ENV)
    if not text:
        return DEFAULT_MAX_BAD_ROW_SHARE
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{MAX_BAD_ROW_SHARE_ENV} must be a fraction such as 0.01, not {text!r}") from None
    if not 0 <= value <= 1:
        raise ValueError(f"{MAX_BAD_ROW_SHARE_ENV} must be between 0 and 1, not {value}")
    return value
