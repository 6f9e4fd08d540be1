"""Landing throughput: one synthetic file of N contact-record JSON lines, plus many small CSV files.

    .venv/bin/python benchmarks/bench_land.py [--rows 1000000] [--files 365] [--dir /tmp/ccw-bench-land]

Prints seconds and rows/s for: the first landing (JSON, nested), a second landing (unchanged,
checksum only) and a re-sent file (delete + insert), and the per-file overhead of small CSV files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from ccw.exports import entity
from ccw.land import land_all


def contact_line(i: int) -> str:
    record = {
        "ContactId": f"c-{i:09d}",
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2024-03-05T09:00:00Z",
        "DisconnectTimestamp": "2024-03-05T09:07:30Z",
        "LastUpdateTimestamp": "2024-03-05T09:08:00Z",
        "CustomerEndpoint": {"Address": f"+86 138 {i % 10000:04d} {i % 7919:04d}", "Type": "TELEPHONE_NUMBER"},
        "Queue": {"Name": "billing", "ARN": "arn:q/1", "EnqueueTimestamp": "2024-03-05T09:00:40Z",
                  "DequeueTimestamp": "2024-03-05T09:01:10Z", "Duration": i % 300},
        "Agent": {"Username": f"agent{i % 200}", "ConnectedToAgentTimestamp": "2024-03-05T09:01:10Z",
                  "AgentInteractionDuration": i % 900, "CustomerHoldDuration": i % 60, "NumberOfHolds": i % 3,
                  "AfterContactWorkDuration": 40, "AfterContactWorkStartTimestamp": "2024-03-05T09:07:30Z",
                  "AfterContactWorkEndTimestamp": "2024-03-05T09:08:10Z"} if i % 10 else None,
        "PreviousContactId": None,
        "NextContactId": None,
        "DisconnectReason": "CUSTOMER_DISCONNECT",
        "Attributes": {"customer_id": f"C{i % 50000}", "issue_type": "billing", "ivr_path": "1>2"},
    }  # fmt: skip
    return json.dumps(record)


def write_big(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, rows, 100_000):
            out.write("\n".join(contact_line(i) for i in range(start, min(rows, start + 100_000))) + "\n")


def write_small(raw: Path, files: int) -> None:
    e = entity("workforce", "schedules")
    for day in range(files):
        path = e.file_path(raw, f"2023-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path = path.with_name(f"2022{path.name[4:]}")
        lines = ["agent_id,schedule_date,activity,start_local,end_local"]
        lines += [f"A{i},2023-01-01,shift,09:00,17:00" for i in range(200)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed(label: str, raw: Path, warehouse: Path, quarantine: Path) -> None:
    start = time.perf_counter()
    report = land_all(raw, warehouse, quarantine_dir=quarantine)
    seconds = time.perf_counter() - start
    counts = {o: len(getattr(report, o)) for o in ("landed", "replaced", "unchanged", "quarantined")}
    rate = f"{report.rows_landed / seconds:,.0f} rows/s" if report.rows_landed else "-"
    print(f"{label:<34} {seconds:7.2f} s  {report.rows_landed:>10,} rows  {rate:>16}  {counts}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=365)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ccw-bench-land"))
    args = parser.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    raw, warehouse, quarantine = args.dir / "raw", args.dir / "warehouse.duckdb", args.dir / "quarantine"
    big = entity("telephony", "contact_records").file_path(raw, "2024-03-05")
    start = time.perf_counter()
    write_big(big, args.rows)
    print(f"wrote {args.rows:,} JSON lines ({big.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - start:.1f} s")
    timed("first landing (1 big JSON file)", raw, warehouse, quarantine)
    timed("second landing (unchanged)", raw, warehouse, quarantine)
    with big.open("a", encoding="utf-8") as out:
        out.write(contact_line(args.rows) + "\n")
    timed("re-sent file (delete + insert)", raw, warehouse, quarantine)
    write_small(raw, args.files)
    timed(f"{args.files} small CSV files (200 rows)", raw, warehouse, quarantine)


if __name__ == "__main__":
    main()
