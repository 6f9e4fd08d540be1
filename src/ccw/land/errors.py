"""Why a file cannot land: one exception type carrying a short, human reason."""

from __future__ import annotations


class Unreadable(Exception):
    """The file cannot land as it is: it will be quarantined with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB warehouse file open for writing."""


def short(message: str, limit: int = 300) -> str:
    """First line of an engine error message, trimmed to ``limit`` characters."""
    first = message.strip().splitlines()[0] if message.strip() else message
    return first if len(first) <= limit else first[: limit - 1] + "…"
