"""SQL text for the statements the Python side builds (DuckDB dialect): the one place values and names are quoted."""

from __future__ import annotations

from pathlib import Path


def literal(value: str | Path) -> str:
    """A single-quoted SQL string literal (quotes doubled); a path as its text."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A double-quoted SQL identifier (quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def struct_literal(columns: dict[str, str]) -> str:
    """``{'name': 'TYPE', ...}``: the ``columns`` argument of DuckDB's readers."""
    return "{" + ", ".join(f"{literal(n)}: {literal(t)}" for n, t in columns.items()) + "}"
