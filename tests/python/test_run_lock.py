"""One run at a time per data folder (issue 21): ``ccw run``, ``ccw land`` and ``ccw build`` hold an exclusive lock
on ``$CCW_DATA_DIR/.ccw-run.lock``; a second one exits at once with code 75 naming the holder, or waits with
``--wait``; a killed run leaves no lock behind and takes its child processes (dbt) with it."""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from ccw.childproc import popen_kwargs
from ccw.runlock import EXIT_LOCKED, LOCK_NAME, RunLockedError, run_lock
from conftest import ROOT, pipeline_env, run_ccw

_HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ccw.runlock import run_lock
    with run_lock(Path(sys.argv[1]), command="ccw run (test holder)"):
        print("held", flush=True)
        sys.stdin.read()
""")


def _hold(data_dir: Path) -> subprocess.Popen[str]:
    """Another process holding the data folder's lock until its stdin closes."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(data_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=ROOT, env=pipeline_env(data_dir))
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def _gone(pid: int) -> bool:
    """True when ``pid`` has exited (a zombie no one reaped counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _wait_until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_a_second_run_exits_75_at_once_naming_the_holder_and_since_when(tmp_path: Path) -> None:
    holder = _hold(tmp_path)
    try:
        started = time.monotonic()
        result = run_ccw(tmp_path, "land")
        seconds = time.monotonic() - started
    finally:
        holder.communicate("")
    assert result.returncode == EXIT_LOCKED == 75, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"ccw land: another run holds the data folder {tmp_path}: `ccw run (test holder)` "
                           f"(pid {holder.pid}) since ")
    assert "ago)" in line and "--wait" in line
    assert not (tmp_path / "build").exists(), "nothing was touched"
    assert seconds < 30, "refused at once, not after a wait"


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    holder = _hold(tmp_path)
    with pytest.raises(RunLockedError, match=f"pid {holder.pid}"), run_lock(tmp_path):
        pass
    holder.kill()  # SIGKILL: no clean-up code runs; the kernel drops the flock
    holder.wait()
    with run_lock(tmp_path, command="next") as path:
        assert path == tmp_path / LOCK_NAME
        assert '"command": "next"' in path.read_text()
    assert path.read_text() == "", "a released lock names no holder"


def test_wait_waits_for_the_holder_then_runs(tmp_path: Path) -> None:
    holder = _hold(tmp_path)
    waited_for: list[str] = []
    threading.Timer(1.0, holder.communicate, args=("",)).start()
    started = time.monotonic()
    with run_lock(tmp_path, wait=60, on_wait=lambda h: waited_for.append(h.describe())):
        seconds = time.monotonic() - started
    assert 0.5 < seconds < 30
    assert len(waited_for) == 1 and f"pid {holder.pid}" in waited_for[0]
    other = _hold(tmp_path)
    try:
        with pytest.raises(RunLockedError, match="after waiting"), run_lock(tmp_path, wait=0.3):
            pass
    finally:
        other.communicate("")


_PARENT = textwrap.dedent("""
    import subprocess, sys, time, types
    from ccw.childproc import children_die_with_this_process, popen_kwargs
    if sys.argv[1] == "kwargs":
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], **popen_kwargs())
    else:  # as dagster-dbt starts dbt: Popen through the library module's own `subprocess`
        library = types.ModuleType("library")
        library.subprocess = subprocess
        with children_die_with_this_process(library):
            child = library.subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        assert library.subprocess is subprocess
    print(child.pid, flush=True)
    time.sleep(300)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
@pytest.mark.parametrize("how", ["kwargs", "library module"])
def test_a_killed_run_takes_its_child_processes_with_it(how: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, how], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert not _gone(child)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert _wait_until(lambda: _gone(child)), f"child {child} outlived its killed parent"


def test_without_the_request_a_child_outlives_its_killed_parent() -> None:
    """The control: what ``popen_kwargs`` prevents."""
    script = _PARENT.replace("**popen_kwargs()", "")
    parent = subprocess.Popen([sys.executable, "-c", script, "kwargs"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    try:
        assert not _wait_until(lambda: _gone(child), seconds=1.0)
    finally:
        os.kill(child, signal.SIGKILL)


def test_the_dbt_step_starts_its_children_so() -> None:
    """dagster-dbt starts dbt with ``subprocess.Popen`` of its module's ``subprocess``: what the patch replaces."""
    from dagster_dbt.core import dbt_cli_invocation

    from ccw_orchestration.assets import dbt as dbt_assets

    assert dbt_cli_invocation.__dict__["subprocess"] is subprocess
    assert "subprocess.Popen(" in inspect.getsource(dbt_cli_invocation.DbtCliInvocation.run)
    assert "children_die_with_this_process(dbt_cli_invocation)" in inspect.getsource(dbt_assets.build_dbt_assets)
    assert popen_kwargs().get("preexec_fn") is not None
