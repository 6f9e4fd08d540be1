"""Opening the serving file while a publish replaces it (``ccw.read_serving``).

DuckDB opens a database path three times while connecting; a rename between the opens gives a connection on the new
file with the old file's headers. The reader notes the file's identity around the open and opens again when it
changed. These tests swap two small files of different layouts under the reader, first at chosen points (a
``connect`` wrapper that renames during the call), then for real with a process renaming in a loop.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ccw import read_serving
from ccw.read_serving import ServingFileBusy, attach_serving, connect_serving

ROWS = {"a": 1_000, "b": 5_000}  # rows of table t in each version


def _version_file(path: Path, version: str) -> Path:
    """A small serving-like file: ``meta(version)`` and ``t`` with ROWS[version] rows; b has a padding table, so
    the two files differ in size and layout."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table meta as select '{version}' as version")
        con.execute(f"create table t as select range as i from range({ROWS[version]})")
        if version == "b":
            con.execute("create table pad as select range as i, md5(range::varchar) as s from range(200000)")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(serving path holding version a, a file of version a, a file of version b)."""
    a, b = _version_file(tmp_path / "a.duckdb", "a"), _version_file(tmp_path / "b.duckdb", "b")
    serving = tmp_path / "warehouse.duckdb"
    shutil.copyfile(a, serving)
    return serving, a, b


def _swap(source: Path, serving: Path) -> None:
    """What a publish does: a complete file renamed onto the serving path."""
    temp = serving.with_name(".next")
    os.link(source, temp)
    os.replace(temp, serving)


def _read(con: duckdb.DuckDBPyConnection, catalog: str = "") -> tuple[str, int]:
    prefix = f"{catalog}." if catalog else ""
    (version,) = con.execute(f"select version from {prefix}main.meta").fetchone()
    (rows,) = con.execute(f"select count(*) from {prefix}main.t").fetchone()
    return version, rows


def test_a_rename_during_the_connect_opens_the_new_file(files, monkeypatch) -> None:
    serving, _, b = files
    real, calls = duckdb.connect, []

    def connect(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:  # the publish renames while DuckDB is connecting: after it noted the identity
            _swap(b, serving)
        return real(*args, **kwargs)

    monkeypatch.setattr(read_serving.duckdb, "connect", connect)
    with connect_serving(serving) as con:
        assert _read(con) == ("b", ROWS["b"])
    assert len(calls) == 2  # the first connection was discarded


def test_an_error_raised_by_a_rename_during_the_connect_is_retried(files, monkeypatch) -> None:
    serving, _, b = files
    real, calls = duckdb.connect, []

    def connect(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:  # what DuckDB raises when the third open met the new file
            _swap(b, serving)
            raise duckdb.InternalException("INTERNAL Error: Failed to load metadata pointer (id 438, idx 48)")
        return real(*args, **kwargs)

    monkeypatch.setattr(read_serving.duckdb, "connect", connect)
    with connect_serving(serving) as con:
        assert _read(con) == ("b", ROWS["b"])
    assert len(calls) == 2


def test_an_error_without_a_rename_is_raised_at_once(files, monkeypatch) -> None:
    serving, _, _ = files
    calls = []

    def connect(*args, **kwargs):
        calls.append(args[0])
        raise duckdb.IOException("IO Error: Could not read enough bytes from file")

    monkeypatch.setattr(read_serving.duckdb, "connect", connect)
    with pytest.raises(duckdb.IOException, match="Could not read enough bytes"):
        connect_serving(serving)
    assert len(calls) == 1


def test_a_file_replaced_during_every_attempt_is_reported(files, monkeypatch) -> None:
    serving, a, b = files
    real, calls = duckdb.connect, []

    def connect(*args, **kwargs):
        calls.append(args[0])
        _swap(b if len(calls) % 2 else a, serving)
        return real(*args, **kwargs)

    monkeypatch.setattr(read_serving.duckdb, "connect", connect)
    with pytest.raises(ServingFileBusy, match=r"warehouse\.duckdb: replaced during each of 3 attempts"):
        connect_serving(serving, attempts=3)
    assert len(calls) == 3


class _RenamingOnAttach:
    """A connection whose first ATTACH meets a publish's rename (DuckDB's own connection cannot be patched)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, serving: Path, source: Path) -> None:
        self.con, self.serving, self.source, self.attaches, self.detaches = con, serving, source, 0, 0

    def execute(self, sql: str):
        if sql.startswith("attach"):
            self.attaches += 1
            if self.attaches == 1:
                _swap(self.source, self.serving)
        elif sql.startswith("detach"):
            self.detaches += 1
        return self.con.execute(sql)


def test_a_rename_during_the_attach_attaches_the_new_file(files) -> None:
    serving, _, b = files
    with duckdb.connect() as con:
        renaming = _RenamingOnAttach(con, serving, b)
        attach_serving(renaming, serving, "served")
        assert (renaming.attaches, renaming.detaches) == (2, 1)
        assert _read(con, "served") == ("b", ROWS["b"])


SWAPPER = textwrap.dedent(
    """
    import os, sys, time
    serving, a, b, seconds, gap = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
    stop, swaps = time.monotonic() + seconds, 0
    while time.monotonic() < stop:
        temp = serving + ".next"
        os.link((b, a)[swaps % 2], temp)  # b first: the serving file is a copy of a
        os.replace(temp, serving)
        swaps += 1
        time.sleep(gap)
    print(swaps)
    """
)


def test_readers_under_a_loop_of_renames_read_one_whole_version(files) -> None:
    """Real renames every 250 ms (a publish takes seconds; a connect here about 15 ms, more on a loaded machine) for
    6 s: 3 s of plain connects, whose failures are only counted (they depend on timing), then 3 s through
    ``connect_serving``, which must never fail or mix versions (30 attempts: a loaded CI machine must not turn a slow
    connect into a failure)."""
    serving, a, b = files
    swapper = subprocess.Popen([sys.executable, "-c", SWAPPER, str(serving), str(a), str(b), "6.5", "0.25"],
                               stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.2)
        plain_errors, plain_reads, stop = 0, 0, time.monotonic() + 3
        while time.monotonic() < stop:
            try:
                with duckdb.connect(str(serving), read_only=True) as con:
                    _read(con)
                plain_reads += 1
            except duckdb.Error:
                plain_errors += 1
        seen, mixed, stop = {"a": 0, "b": 0}, [], time.monotonic() + 3
        while time.monotonic() < stop:
            with connect_serving(serving, attempts=30) as con:
                version, rows = _read(con)
            seen[version] += 1
            if rows != ROWS[version]:
                mixed.append((version, rows))
    finally:
        swaps = int(swapper.communicate(timeout=30)[0].strip() or 0)
    print(f"\n{swaps} renames; plain connects: {plain_reads} read, {plain_errors} failed; "
          f"connect_serving: {seen} read, {len(mixed)} mixed")
    assert swaps > 10, "the renames did not run: the test proved nothing"
    assert mixed == []
    assert seen["a"] > 0 and seen["b"] > 0, "the reader never saw a rename"
