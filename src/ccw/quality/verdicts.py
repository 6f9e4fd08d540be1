"""What a gate run found: one ``GateResult`` per check, the ``GateReport`` around them, ``GateFailed``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CRITICAL, WARNING = "critical", "warning"


@dataclass(frozen=True)
class GateResult:
    suite: str  # e.g. "raw.telephony__contact_records"
    asset: str  # the relation checked, e.g. "raw.telephony__contact_records" or "marts.kpi_service_daily"
    expectation: str  # the rule name, e.g. "InitiationTimestamp_valid_record_time"
    severity: str  # critical | warning
    success: bool
    observed: str | None
    message: str

    @property
    def is_blocking(self) -> bool:
        return self.severity == CRITICAL and not self.success


@dataclass(frozen=True)
class UntrustedFile:
    """A raw file whose share of rows failing critical rules is above the threshold: set aside whole
    (``ccw.quality.quarantine.set_aside_untrusted``), its day built and published without it."""

    source_file: str
    raw_table: str
    failing_rows: int
    file_rows: int
    rules: dict[str, int]  # rule -> rows
    is_set_aside: bool = False  # an earlier run already set this version of the file aside whole

    @property
    def share(self) -> float:
        return self.failing_rows / self.file_rows if self.file_rows else 1.0

    def finding(self, max_bad_share: float) -> str:
        """What the gates found, as the run's output and the quarantine's reason (data_completeness_daily) say it."""
        rules = ", ".join(f"{rule} {n:,}" for rule, n in sorted(self.rules.items()))
        return (f"file not trusted: {self.failing_rows:,} of {self.file_rows:,} rows ({self.share:.1%}) failed "
                f"critical rules ({rules}); threshold {max_bad_share:.1%}")


@dataclass
class GateReport:
    stage: str  # raw | mart
    run_id: str
    results: list[GateResult] = field(default_factory=list)
    data_docs_index: Path | None = None
    quarantined_rows: int = 0
    untrusted_files: list[UntrustedFile] = field(default_factory=list)
    max_bad_share: float = 0.01
    seconds: float = 0.0
    # raw gates: files whose current version this run judged, files judged by an earlier run and carried over
    files_judged: int | None = None
    files_carried_over: int | None = None
    judged_files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # raw table -> files judged

    @property
    def ok(self) -> bool:
        """False when a critical expectation failed. An untrusted file does not stop the run: it is set aside whole
        and its day is built without it (one bad file never stops the rest)."""
        return not any(r.is_blocking for r in self.results)

    @property
    def failures(self) -> list[GateResult]:
        return [r for r in self.results if r.is_blocking]

    @property
    def warnings(self) -> list[GateResult]:
        return [r for r in self.results if not r.success and not r.is_blocking]

    def render(self) -> str:
        verdict = "STOPPED" if not self.ok else (
            "passed with files set aside" if self.untrusted_files
            else "passed with warnings" if self.warnings else "passed")
        suites = len({r.suite for r in self.results})
        lines = [
            f"{self.stage.capitalize()} quality gates: {verdict} ({suites} suites, {len(self.results)} checks, "
            f"{len(self.failures)} critical failure(s), {len(self.warnings)} warning(s), "
            f"{self.quarantined_rows:,} row(s) quarantined, {self.seconds:.1f} s)"
        ]
        if self.files_judged is not None:
            lines.append(
                f"  Files: {self.files_judged:,} judged (new, re-sent or late since the raw gates last passed), "
                f"{self.files_carried_over or 0:,} carried over as already judged"
            )
        for f in self.untrusted_files:
            lines.append(
                f"  QUARANTINED {f.source_file}: {f.finding(self.max_bad_share)}: "
                f"{'still set aside' if f.is_set_aside else 'set aside'} whole, its day is built and published "
                "without it"
            )
        lines += [f"  CRITICAL {r.asset} {r.expectation}: {r.message}" for r in self.failures]
        lines += [f"  WARNING  {r.asset} {r.expectation}: {r.message}" for r in self.warnings]
        if self.data_docs_index is not None:
            lines.append(f"  Data Docs: {self.data_docs_index.resolve().as_uri()}")
        return "\n".join(lines)


class GateFailed(Exception):
    """A gate run that must stop the pipeline; ``report`` says why."""

    def __init__(self, report: GateReport) -> None:
        super().__init__(report.render())
        self.report = report
