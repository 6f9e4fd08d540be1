"""sqlfluff passes on every SQL file of models/, macros/ and tests/dbt (`.sqlfluff`: jinja templater, DuckDB).

Linting the ~200 files costs about a CPU-minute (sqlfluff 4.5; 4.4 took three), so it runs in a background thread
from session start (``conftest.built_in_background``) and overlaps with the other tests instead of adding its whole
time to `make test`.
A file that passed is remembered (in .pytest_cache) under the hash of its text and of everything its rendering
depends on (sqlfluff's version, `.sqlfluff`, the macros, the Jinja shims): the next session lints only what
changed. CCW_SQLFLUFF_NO_CACHE=1 lints every file. `make lint` runs the same lint from the command line. Both run
sqlfluff through ``tests/sqlfluff/lint.py``, which compiles each macro file once instead of once per linted file:
the same violations (checked on every file and on a file with nine), 124 instead of 174 CPU-seconds. sqlfluff's Rust
lexer and parser (the `rs` extra, pyproject.toml) take a quarter off again: on the project's SQL with 137 files
mangled five ways, the same 3,952 violations with and without it, 102 instead of 135 CPU-seconds (2026-12-04).
sqlfluff 4.5 against 4.4 (2026-12-07): the 199 files 56 instead of 166 CPU-seconds, none failing with either; 552
files mangled six ways (capitals, indents, trailing spaces, `=` unspaced, long aliases, leading commas) the same
4,543 violations (file, line, position, rule), 172 instead of 402 CPU-seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, background_result, built_in_background

LINTED = ("models", "macros", "tests/dbt")
#: what every file's rendering depends on besides its own text
CONTEXT = (".sqlfluff", "macros", "tests/sqlfluff")
CACHE = ROOT / ".pytest_cache" / "d" / "sqlfluff" / "passed.json"
#: sqlfluff's command line with Jinja's compilation kept between files (same rules and results, 30 % less CPU)
LINT = ROOT / "tests" / "sqlfluff" / "lint.py"


@dataclass(frozen=True)
class LintResult:
    linted: list[str]
    cached: int
    violations: list[str]
    error: str


def _digest(paths: list[Path], seed: str = "") -> str:
    h = hashlib.sha256(seed.encode())
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _context_digest() -> str:
    from importlib.metadata import version

    files = [p for name in CONTEXT for p in ([ROOT / name] if (ROOT / name).is_file() else (ROOT / name).rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    return _digest(files, seed=f"sqlfluff {version('sqlfluff')}")


def sql_files() -> list[Path]:
    return sorted(p for folder in LINTED for p in (ROOT / folder).rglob("*.sql"))


@built_in_background("sqlfluff_lint")
def lint_sql(base: Path) -> LintResult:
    context = _context_digest()
    cached: set[str] = set()
    if os.environ.get("CCW_SQLFLUFF_NO_CACHE") != "1" and CACHE.exists():
        stored = json.loads(CACHE.read_text(encoding="utf-8"))
        cached = set(stored.get("passed", [])) if stored.get("context") == context else set()
    keys = {path: _digest([path], seed=context) for path in sql_files()}
    todo = [path for path, key in keys.items() if key not in cached]
    if not todo:
        return LintResult(linted=[], cached=len(keys), violations=[], error="")
    proc = subprocess.run(
        [sys.executable, str(LINT), "lint", "--processes", "2", "--format", "json",
         *(str(p.relative_to(ROOT)) for p in todo)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return LintResult(linted=[str(p) for p in todo], cached=len(keys) - len(todo), violations=[],
                          error=f"sqlfluff exit {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    violations, passed = [], set(cached & set(keys.values()))
    for entry in report:
        path = ROOT / entry["filepath"]
        for v in entry["violations"]:
            violations.append(f"{entry['filepath']}:{v.get('start_line_no')}:{v.get('start_line_pos')}: "
                              f"{v['code']} {v['description']}")
        if not entry["violations"] and path in keys:
            passed.add(keys[path])
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_text(json.dumps({"context": context, "passed": sorted(passed)}), encoding="utf-8")
    error = "" if proc.returncode in (0, 1) else f"sqlfluff exit {proc.returncode}:\n{proc.stderr[-3000:]}"
    return LintResult(linted=[str(p) for p in todo], cached=len(keys) - len(todo), violations=violations,
                      error=error)


@pytest.fixture(scope="session")
def sqlfluff_lint(tmp_path_factory: pytest.TempPathFactory) -> LintResult:
    return background_result("sqlfluff_lint", tmp_path_factory)


def test_sql_files_pass_sqlfluff(sqlfluff_lint: LintResult) -> None:
    assert not sqlfluff_lint.error, sqlfluff_lint.error
    assert not sqlfluff_lint.violations, (
        f"sqlfluff: {len(sqlfluff_lint.violations)} violations (`make lint` shows them; `.venv/bin/sqlfluff fix"
        " <file>` fixes most layout ones):\n" + "\n".join(sqlfluff_lint.violations)
    )


def test_every_sql_folder_is_linted() -> None:
    """The lint covers every folder of dbt_project.yml that holds SQL (a new one must be added to LINTED and to
    `make lint`)."""
    import yaml

    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    folders = {folder for key, value in project.items() if key.endswith("-paths") and key != "target-path"
               for folder in value if list((ROOT / folder).rglob("*.sql"))}
    assert folders <= set(LINTED), f"SQL outside the lint: {sorted(folders - set(LINTED))}"
