"""What a landing run did, file by file (landed, replaced, unchanged, quarantined, refused, ignored), and its
short human summary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

OUTCOMES = ("landed", "replaced", "unchanged", "quarantined", "refused", "ignored")


def shown(path: str) -> str:
    """A path as printed: quoted with escapes when it holds a control character (no forged log line)."""
    return path if path.isprintable() else repr(path)


@dataclass(frozen=True)
class FileResult:
    path: str  # relative to the raw root, posix
    entity: str | None  # raw table name, "<system>__<entity>"
    export_date: date | None
    checksum: str | None
    rows: int | None  # records in the file (None when it could not be read)
    # landed | replaced | unchanged | quarantined | refused (by its path: never in the manifest) | ignored (hidden)
    outcome: str
    reason: str | None = None
    bytes: int | None = None
    seconds: float = 0.0
    quarantine_path: Path | None = None
    warnings: tuple[str, ...] = ()  # a file that landed: schema drift (unknown fields kept in _extra, missing ones)
    export_kind: str | None = None  # a file that landed: daily | history (its record times judged by the gates)


@dataclass(frozen=True)
class Landed:
    """What one engine's landing of one file gives back: the records landed and the warnings (schema drift: unknown
    fields kept in _extra, optional fields missing)."""

    rows: int
    warnings: tuple[str, ...] = ()


@dataclass
class LandingReport:
    raw_root: Path
    warehouse: Path
    run_id: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    retired: list[str] = field(default_factory=list)  # paths whose quarantine records stopped counting
    imports: list = field(default_factory=list)  # ccw.land.loaders.Imported: loader tables exported before landing

    def _with(self, outcome: str) -> list[FileResult]:
        return [f for f in self.files if f.outcome == outcome]

    @property
    def landed(self) -> list[FileResult]:
        return self._with("landed")

    @property
    def replaced(self) -> list[FileResult]:
        return self._with("replaced")

    @property
    def unchanged(self) -> list[FileResult]:
        return self._with("unchanged")

    @property
    def quarantined(self) -> list[FileResult]:
        return self._with("quarantined")

    @property
    def refused(self) -> list[FileResult]:
        return self._with("refused")

    @property
    def ignored(self) -> list[FileResult]:
        """Hidden files and folders (``.name``): listed, never landed, not a finding (an upload's temporary file)."""
        return self._with("ignored")

    @property
    def ok(self) -> bool:
        """True when no file had to be quarantined or refused (ignored hidden files do not count)."""
        return not self.quarantined and not self.refused

    @property
    def warned(self) -> list[FileResult]:
        """Files that landed with warnings (schema drift): not a finding for the exit code."""
        return [f for f in self.files if f.warnings]

    @property
    def rows_landed(self) -> int:
        return sum(f.rows or 0 for f in self.landed + self.replaced)

    def rows_per_table(self) -> dict[str, int]:
        """Rows landed (new or replacing) per raw table in this run."""
        out: dict[str, int] = defaultdict(int)
        for f in self.landed + self.replaced:
            out[f.entity or "?"] += f.rows or 0
        return dict(sorted(out.items()))

    def render(self) -> str:
        counts = ", ".join(f"{o} {len(self._with(o))}" for o in OUTCOMES)
        rate = f", {self.rows_landed / self.seconds:,.0f} rows/s" if self.seconds >= 1 and self.rows_landed else ""
        lines = [
            f"Landing {self.raw_root} -> {self.warehouse}",
            f"  {len(self.files)} file(s) in {self.seconds:.1f} s: {counts}; {self.rows_landed:,} rows landed{rate}",
        ]
        lines += [f"  {table:<36} {rows:>12,} rows" for table, rows in self.rows_per_table().items()]
        lines += [i.render() for i in self.imports]
        lines += [f"  WARNING {shown(f.path)}: {w}" for f in self.warned for w in f.warnings]
        lines += [f"  HISTORY {shown(f.path)}: landed as a history dump (record times judged only against the "
                  "future)" for f in self.landed + self.replaced if f.export_kind == "history"]
        lines += [f"  QUARANTINED {shown(f.path)}: {f.reason}" for f in self.quarantined]
        lines += [f"  REFUSED {shown(f.path)}: {f.reason}" for f in self.refused]
        lines += [f"  IGNORED {shown(f.path)}: {f.reason}" for f in self.ignored]
        lines += [f"  RETIRED {shown(p)}: no longer under the raw root, its quarantine records no longer count"
                  for p in self.retired]
        return "\n".join(lines)
