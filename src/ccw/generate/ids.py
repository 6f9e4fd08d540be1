"""Vectorised identifiers: UUID-like contact ids, prefixed zero-padded ids, hex tokens."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_matrix(rng: np.random.Generator, n: int, nbytes: int) -> np.ndarray:
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    out = np.empty((n, nbytes * 2), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 15]
    return out


def uuids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random version-4-looking UUID strings (numpy object array)."""
    h = _hex_matrix(rng, n, 16)
    u = np.full((n, 36), ord("-"), dtype=np.uint8)
    u[:, 0:8] = h[:, 0:8]
    u[:, 9:13] = h[:, 8:12]
    u[:, 14] = ord("4")
    u[:, 15:18] = h[:, 13:16]
    u[:, 19:23] = h[:, 16:20]
    u[:, 24:36] = h[:, 20:32]
    return _as_str(u)


def hex_tokens(rng: np.random.Generator, n: int, nbytes: int, prefix: str = "") -> np.ndarray:
    body = _as_str(_hex_matrix(rng, n, nbytes))
    if not prefix:
        return body
    return np.asarray(pc.binary_join_element_wise(prefix, pa.array(body, pa.string()), ""), dtype=object)


def _as_str(matrix: np.ndarray) -> np.ndarray:
    width = matrix.shape[1]
    return np.asarray(pa.array(matrix.view(f"S{width}").ravel()).cast(pa.string()).to_numpy(zero_copy_only=False))


def prefixed(prefix: str, numbers: np.ndarray, width: int = 0) -> np.ndarray:
    """``prefix`` + zero-padded decimal number, e.g. prefixed("C", [1], 7) -> ["C0000001"]."""
    txt = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    if width:
        txt = pc.utf8_lpad(txt, width, "0")
    if prefix:
        txt = pc.binary_join_element_wise(prefix, txt, "")
    return np.asarray(txt.to_numpy(zero_copy_only=False), dtype=object)


def numbers_text(numbers: np.ndarray) -> np.ndarray:
    return prefixed("", numbers)
