"""Phone numbers: canonical E.164 per customer and the other spellings real exports contain."""

from __future__ import annotations

import numpy as np

CN_PREFIXES = np.array([130, 131, 132, 135, 136, 137, 138, 139, 150, 151, 152, 158, 159, 166, 177, 180, 185, 186,
                        187, 188, 189, 199])

# spelling codes
E164, SPACED, DASHED, INTL_00, NATIONAL = 0, 1, 2, 3, 4


def mobile_numbers(rng: np.random.Generator, n: int, country: str) -> np.ndarray:
    """National significant numbers (digits only): CN 11 digits (1xx...), UK 10 digits (7xxx...)."""
    if country == "cn":
        head = rng.choice(CN_PREFIXES, n).astype(np.int64)
        return head * 100_000_000 + rng.integers(0, 100_000_000, n)
    return 7_000_000_000 + rng.integers(100_000_000, 999_999_999, n)


def spell(national: np.ndarray, country: str, style: np.ndarray) -> np.ndarray:
    """Render national numbers in a spelling per row (E164, SPACED, DASHED, INTL_00, NATIONAL)."""
    cn = country == "cn"
    width = 11 if cn else 10
    digits = np.asarray(national, dtype=np.int64).astype(str).astype(f"S{width}")
    mat = digits.view(np.uint8).reshape(-1, width)
    style = np.asarray(style)
    out = np.empty(len(digits), dtype=object)
    if cn:
        layouts = {E164: (b"+86", (0, 11)), SPACED: (b"+86 ", (0, 3), b" ", (3, 7), b" ", (7, 11)),
                   DASHED: ((0, 3), b"-", (3, 7), b"-", (7, 11)), INTL_00: (b"0086", (0, 11)), NATIONAL: ((0, 11),)}
    else:
        layouts = {E164: (b"+44", (0, 10)), SPACED: (b"+44 ", (0, 4), b" ", (4, 10)),
                   DASHED: (b"0", (0, 4), b" ", (4, 10)), INTL_00: (b"0044", (0, 10)), NATIONAL: (b"0", (0, 10))}
    for s in np.unique(style):
        m = style == s
        out[m] = _compose(mat[m], layouts[int(s)])
    return out


def _compose(mat: np.ndarray, layout: tuple) -> np.ndarray:
    pieces = []
    for part in layout:
        if isinstance(part, bytes):
            pieces.append(np.broadcast_to(np.frombuffer(part, np.uint8), (len(mat), len(part))))
        else:
            pieces.append(mat[:, part[0]: part[1]])
    joined = np.ascontiguousarray(np.concatenate(pieces, axis=1))
    return joined.view(f"S{joined.shape[1]}").ravel().astype(str).astype(object)
