"""Find export files under the raw root and judge what their paths say, before any byte is read.

A landable file is a **regular file** at ``<raw root>/<system>/<entity>/<YYYY-MM-DD>.<ext>`` (or, for a second
account of the system, ``<system>@<account>/...``: :func:`split_account`) of a registered
entity, with one of that entity's extensions (:func:`extensions`: its own, and gzip-compressed ``.<ext>.gz`` for
text formats) and a plausible export day (:func:`plausible_day`). A JSON entity also takes the layout Amazon Kinesis
Data Firehose writes to S3, ``<system>/<entity>/<YYYY>/<MM>/<DD>/[<HH>/]<object name>`` (any number of objects per
day, gzip or not; the export day comes from the folders). Anything else is returned too, never silently skipped:

- a regular file whose path is wrong (misplaced, unknown entity folder, bad name, impossible or implausible day)
  is an :class:`ExportFile` with ``problem`` set: landing refuses it by name (a copy is set aside, it never
  reaches a raw table, the manifest or a model);
- a symbolic link (to a file or a folder, inside or outside the raw root), a hidden file or folder (``.name``)
  and anything that is not a regular file or folder (a FIFO, a socket, a device) is a :class:`Refused` entry:
  it is listed with its reason and **never opened, followed or copied**. Folders are walked without following
  links (``os.scandir`` with ``follow_symlinks=False``), so nothing outside the raw root is ever reached.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ccw.exports import BY_TABLE, Entity

#: ``YYYY-MM-DD`` in ASCII digits and nothing else (no Unicode digits, no trailing newline).
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)

#: The plausible export days: from this day ...
EARLIEST_EXPORT_DAY = date(1990, 1, 1)
#: ... to today in UTC plus this many days (a centre east of UTC, up to UTC+14, is at most one day ahead).
DAYS_AHEAD_OF_UTC = 1


@dataclass(frozen=True)
class ExportFile:
    path: Path  # absolute
    relative: str  # posix path relative to the raw root (the file's identity)
    system: str | None
    entity_name: str | None
    entity: Entity | None  # None when the folder is not a registered entity
    export_date: date | None  # None when the file name is not a date
    problem: str | None  # why the path alone already makes the file unlandable
    account: str | None = None  # `<account>` of a `<system>@<account>` folder (a second account of the system)

    @property
    def table(self) -> str | None:
        if self.entity is not None:
            return self.entity.table
        if self.system and self.entity_name:
            return f"{self.system}__{self.entity_name}"
        return None


@dataclass(frozen=True)
class Refused:
    """A path under the raw root that landing never opens: a symbolic link, a hidden entry, a special file."""

    path: Path  # absolute, as found (never resolved)
    relative: str  # posix path relative to the raw root
    kind: str  # symlink | hidden | special
    reason: str


@dataclass
class RawScan:
    files: list[ExportFile] = field(default_factory=list)  # regular files, each judged by its path
    refused: list[Refused] = field(default_factory=list)  # never opened

    @property
    def landable(self) -> list[ExportFile]:
        return [f for f in self.files if f.problem is None]


def parse_day(stem: str) -> date | None:
    match = _DAY.fullmatch(stem)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def latest_plausible_day(today: date | None = None) -> date:
    return (today or datetime.now(UTC).date()) + timedelta(days=DAYS_AHEAD_OF_UTC)


def plausible_day(day: date, today: date | None = None) -> str | None:
    """Why ``day`` cannot be an export day (None when it can): before 1990-01-01 or after UTC today + 1 day."""
    if day < EARLIEST_EXPORT_DAY:
        return f"implausible export day: {day} is before {EARLIEST_EXPORT_DAY}"
    latest = latest_plausible_day(today)
    if day > latest:
        return f"implausible export day: {day} is in the future (after {latest}, UTC today + {DAYS_AHEAD_OF_UTC} day)"
    return None


#: The suffix of a gzip-compressed export (``2026-10-26.jsonl.gz``); landing reads the bytes, not the name, to decide.
GZIP_SUFFIX = ".gz"
#: Extra extensions a JSON-lines entity accepts besides ``.jsonl`` (records one after another, newline or not).
_JSON_ALIASES = ("json",)
#: An object name as Kinesis Data Firehose writes it (``<stream>-<version>-<YYYY-MM-DD-HH-MM-SS>-<uuid>[.gz]``):
#: ASCII letters, digits, ``.``, ``_``, ``-`` (a copy suffix such as `` (1)`` is refused).
_OBJECT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
_TWO_DIGITS = re.compile(r"[0-9]{2}", re.ASCII)


def extensions(entity: Entity) -> tuple[str, ...]:
    """The file extensions ``entity`` lands from, its own first: ``jsonl``, ``jsonl.gz``, ``json``, ``json.gz`` for
    JSON lines; ``csv``, ``csv.gz`` for CSV; ``parquet`` only (Parquet compresses inside the file)."""
    if entity.file_format == "parquet":
        return (entity.extension,)
    own = (entity.extension, *(_JSON_ALIASES if entity.file_format == "jsonl" else ()))
    return tuple(e for ext in own for e in (ext, ext + GZIP_SUFFIX))


#: An account folder's suffix, ``helpdesk@eu``: lower-case ASCII letters, digits, ``_`` and ``-``, at most 40.
_ACCOUNT = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}", re.ASCII)


def split_account(folder: str) -> tuple[str, str | None, str | None]:
    """``helpdesk@eu`` -> ``("helpdesk", "eu", None)``; ``helpdesk`` -> ``("helpdesk", None, None)``; a bad account
    name -> the problem as the third item. Staging prefixes the ids of an account's files with ``<account>:``."""
    system, at, account = folder.partition("@")
    if not at:
        return folder, None, None
    if not _ACCOUNT.fullmatch(account):
        return system, None, (f"bad account folder: {folder!r} (<system>@<account>, the account in lower-case ASCII "
                              "letters, digits, '_' and '-', at most 40)")
    return system, account, None


def _firehose_day(folders: list[str]) -> date | None:
    """The day of Firehose's ``YYYY/MM/DD[/HH]`` prefix folders (UTC), None when they are not one."""
    if len(folders) not in (3, 4) or not all(_TWO_DIGITS.fullmatch(f) for f in folders[1:]):
        return None
    if len(folders) == 4 and int(folders[3]) > 23:
        return None
    return parse_day("-".join(folders[:3]))


def _describe_firehose(path: Path, relative: str, parts: list[str], today: date | None) -> ExportFile:
    folder, name, *folders, filename = parts
    system, account, bad_account = split_account(folder)
    entity = BY_TABLE.get(f"{system}__{name}")
    day = _firehose_day(folders)
    if bad_account:
        problem = bad_account
    elif entity is None:
        problem = f"unknown entity folder: {system}/{name} is not a registered export"
    elif entity.file_format != "jsonl":
        problem = (f"misplaced file: {system}/{name} is a {entity.file_format} export, only at "
                   f"<system>/<entity>/<YYYY-MM-DD>.{entity.extension} (the Firehose layout is for JSON records)")
    elif day is None:
        problem = ("misplaced file: not at <system>/<entity>/<file> nor in Firehose's <system>/<entity>/YYYY/MM/DD/"
                   "[HH/]<object> folders of a real day")
    elif not _OBJECT_NAME.fullmatch(filename):
        problem = f"bad file name: {filename!r} is not a Firehose object name (ASCII letters, digits, '.', '_', '-')"
    else:
        problem = plausible_day(day, today)
    return ExportFile(path, relative, system, name, entity, day, problem, account)


def _day_file_problem(entity: Entity | None, folder: str, filename: str, day: date | None,
                      today: date | None) -> str | None:
    """Why ``<folder>/<filename>`` cannot be a day file of ``entity`` (None when it can)."""
    _, dot, ext = filename.partition(".")
    if entity is None:
        return f"unknown entity folder: {folder} is not a registered export"
    if day is None:
        return f"bad file name: {filename!r} is not <YYYY-MM-DD>.{entity.extension} of a real day"
    if not dot or ext not in extensions(entity):
        return f"bad file name: {filename!r} should have the extension " + " or ".join(
            f".{e}" for e in extensions(entity))
    return plausible_day(day, today)


def describe(path: Path, raw_root: Path, today: date | None = None) -> ExportFile:
    """What the path of one file says: entity, export date, or why it cannot be landed."""
    relative = path.relative_to(raw_root).as_posix()
    parts = relative.split("/")
    if len(parts) in (6, 7):
        return _describe_firehose(path, relative, parts, today)
    if len(parts) != 3:
        return ExportFile(path, relative, None, None, None, None, "misplaced file: not at <system>/<entity>/<file>")
    folder, name, filename = parts
    system, account, bad_account = split_account(folder)
    entity = BY_TABLE.get(f"{system}__{name}")
    day = parse_day(filename.partition(".")[0])
    problem = bad_account or _day_file_problem(entity, f"{system}/{name}", filename, day, today)
    return ExportFile(path, relative, system, name, entity, day, problem, account)


def _walk(folder: Path, raw_root: Path, today: date | None, out: RawScan) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:  # an unreadable folder is listed, not skipped
        relative = folder.relative_to(raw_root).as_posix()
        out.refused.append(Refused(folder, relative, "special", f"folder cannot be listed: {exc.strerror}"))
        return
    for entry in entries:
        path = Path(entry.path)
        relative = path.relative_to(raw_root).as_posix()
        if entry.is_symlink():
            out.refused.append(Refused(path, relative, "symlink", "symbolic link: never followed (landing reads "
                                       "regular files inside the raw root only)"))
        elif entry.name.startswith("."):
            what = "folder: not searched" if entry.is_dir(follow_symlinks=False) else "file: not landed"
            out.refused.append(Refused(path, relative, "hidden", f"hidden {what} (its name starts with '.')"))
        elif entry.is_dir(follow_symlinks=False):
            _walk(path, raw_root, today, out)
        elif entry.is_file(follow_symlinks=False):
            out.files.append(describe(path, raw_root, today))
        else:
            mode = entry.stat(follow_symlinks=False).st_mode
            kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device or special file"
            out.refused.append(Refused(path, relative, "special", f"not a regular file ({kind}): never opened"))


def scan(raw_root: Path, today: date | None = None) -> RawScan:
    """Everything under ``raw_root``, sorted by relative path: files judged by their path, and refused entries.

    ``today`` (default: today in UTC) bounds the plausible export days."""
    out = RawScan()
    if raw_root.is_dir():
        _walk(raw_root, raw_root, today, out)
    out.files.sort(key=lambda f: f.relative)
    out.refused.sort(key=lambda r: r.relative)
    return out


def discover(raw_root: Path, today: date | None = None) -> list[ExportFile]:
    """Every non-hidden regular file under ``raw_root`` (symbolic links never), sorted by relative path."""
    return scan(raw_root, today).files


def inside_raw_root(path: Path, raw_root: Path) -> bool:
    """True when ``path`` still is the regular file it was found as: no symbolic link on the way, inside the root.

    Checked again right before a file is read, in case a path was swapped for a link after the scan."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        return os.path.realpath(path) == os.path.join(os.path.realpath(raw_root), *path.relative_to(raw_root).parts)
    except (OSError, ValueError):
        return False
