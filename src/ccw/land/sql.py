"""Small SQL text helpers for the statements landing builds (DuckDB dialect)."""

from __future__ import annotations


def literal(text: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def struct_literal(columns: dict[str, str]) -> str:
    """``{'name': 'TYPE', ...}``: the ``columns`` argument of DuckDB's readers."""
    return "{" + ", ".join(f"{literal(n)}: {literal(t)}" for n, t in columns.items()) + "}"
