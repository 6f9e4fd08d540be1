"""No name, phone number or e-mail address of the sample reaches a mart in clear text (shared run)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from conftest import PipelineRun


def clear_pii(raw_root: Path, per_source: int = 150) -> list[str]:
    """Distinct names, e-mails and phone digits from the roster and the CRM files (the needles to look for)."""
    needles: set[str] = set()
    sources = (
        (raw_root / "workforce" / "agents", ("full_name", "email")),
        (raw_root / "crm" / "customers", ("phone", "email")),
    )
    for folder, fields in sources:
        taken = 0
        for path in sorted(folder.glob("*.csv"))[:3]:
            with path.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    for field in fields:
                        value = (row.get(field) or "").strip()
                        if field == "phone":
                            # the last 10 digits survive any spelling of the number (+86, 0086, spaces, dashes);
                            # 8 matched by chance inside the hex digits of an event UUID (1 of ~10^5 ids)
                            value = re.sub(r"\D", "", value)[-10:]
                        if len(value) >= 3:
                            needles.add(value)
                    taken += 1
                    if taken >= per_source:
                        break
    return sorted(needles)


def test_no_clear_pii_in_any_mart(built_sample: PipelineRun) -> None:
    needles = clear_pii(built_sample.raw_root)
    assert len(needles) > 100, "the sample must contain names, phones and e-mails for this test to mean anything"
    with duckdb.connect(str(built_sample.build_warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        pattern = "|".join(re.escape(n) for n in needles)
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        assert len(tables) >= 19
        for table in tables:
            text_columns = [r[0] for r in con.execute(f"describe marts.{table}").fetchall() if r[1] == "VARCHAR"]
            if not text_columns:
                continue
            joined = " || '\x1f' || ".join(f'coalesce("{c}", \'\')' for c in text_columns)
            hits = con.execute(
                f"select row_text from (select {joined} as row_text from marts.{table})"
                " where regexp_matches(row_text, ?) limit 3",
                [pattern],
            ).fetchall()
            assert hits == [], f"marts.{table} contains clear PII: {hits}"
