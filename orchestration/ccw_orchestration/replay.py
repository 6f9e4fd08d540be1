"""`python -m ccw_orchestration.replay`: the roster snapshot replay in a process of its own.

``ccw.snapshots.replay_roster_snapshot`` runs dbt in-process, and an in-process dbt keeps the DuckDB build file
open; the dbt build that follows is a separate process (dagster-dbt's CLI), which DuckDB would refuse. Running
the replay in a child process releases the file when it exits. Exit code 0 when the replay succeeded.
"""

import os
import subprocess
import sys
from pathlib import Path


def replay_in_child(build_warehouse: Path, dbt_vars: str | None = None,
                    timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """``dbt_vars``: the --vars (JSON) of the dbt build that follows, so that build re-uses the replay's parse."""
    from ccw.build import VARS_ENV
    from ccw.childproc import popen_kwargs

    env = {**os.environ, "CCW_BUILD_WAREHOUSE": str(build_warehouse)}
    if dbt_vars:
        env[VARS_ENV] = dbt_vars
    return subprocess.run(
        [sys.executable, "-m", "ccw_orchestration.replay"], env=env, capture_output=True, text=True,
        timeout=timeout, check=False, **popen_kwargs(),  # dies with the run that started it
    )


def main() -> int:
    from ccw.snapshots import replay_roster_snapshot

    result = replay_roster_snapshot()
    days = ", ".join(d.isoformat() for d in result.replayed) or "none"
    print(f"Roster snapshot: {len(result.replayed)} change day(s) replayed ({days}).")
    if result.out_of_order:
        print("Roster changes before the snapshot's latest version (not replayed): "
              + ", ".join(d.isoformat() for d in result.out_of_order))
    if not result.ok:
        print("Roster snapshot replay failed: a dbt run or snapshot failed (see the dbt messages above).",
              file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
