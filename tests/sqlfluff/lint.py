"""`sqlfluff` with the same rules and results, minus the Jinja compilation it repeats for every file.

    python tests/sqlfluff/lint.py lint --processes 2 models macros tests/dbt     # what `make lint` runs

With `load_macros_from_path = macros` (.sqlfluff), sqlfluff's Jinja templater compiles every macro file again for
each SQL file it lints, twice: 0.3 of its 0.9 CPU-seconds per file here (`sqlfluff lint --bench`: templating 55 s of
166 s over the 176 files). Jinja's compiled code depends only on the template's text and on the environment's
syntax settings, which are the same for every file, so this wrapper keeps it per (settings, text) and runs
sqlfluff's own command line. Its worker processes are forked, not spawned (sqlfluff's choice since 3.x, "no
significant difference" in its own tests), so that they inherit the cache and do not import sqlfluff again.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable
from typing import Any

import jinja2
from sqlfluff.cli.commands import cli
from sqlfluff.core.linter.runner import MultiProcessRunner


def _syntax(env: jinja2.Environment) -> tuple[Any, ...]:
    """What Jinja's compiled code depends on besides the source: the environment's syntax and code settings."""
    return (
        type(env), env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
        env.is_async, env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape),
        tuple(sorted(env.extensions)), tuple(sorted(env.filters)), tuple(sorted(env.tests)),
    )


def cache_compilation(compile_: Callable[..., Any]) -> Callable[..., Any]:
    """``Environment.compile`` keeping the code object of each (settings, source text, name, file name)."""
    cache: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(compile_)
    def compile(self: jinja2.Environment, source: Any, name: str | None = None, filename: str | None = None,
                raw: bool = False, defer_init: bool = False) -> Any:
        if not isinstance(source, str) or raw:
            return compile_(self, source, name, filename, raw, defer_init)
        key = (_syntax(self), source, name, filename, defer_init)
        if key not in cache:
            cache[key] = compile_(self, source, name, filename, raw, defer_init)
        return cache[key]

    return compile


def main() -> None:
    jinja2.Environment.compile = cache_compilation(jinja2.Environment.compile)  # type: ignore[method-assign]
    MultiProcessRunner.POOL_TYPE = multiprocessing.get_context("fork").Pool
    cli()


if __name__ == "__main__":
    main()
