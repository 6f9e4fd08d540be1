"""Child processes die with the run that started them.

``ccw run`` executes Dagster in-process, but its dbt build starts a process (dagster-dbt runs the ``dbt`` CLI as a
subprocess). If the ``ccw`` process is killed (``kill -9`` included, which no handler can catch), an orphaned dbt
would keep writing the build database and hold DuckDB's file lock while the next run starts. On Linux every such
child asks the kernel for ``SIGKILL`` when its parent dies (``prctl(PR_SET_PDEATHSIG)``, set between fork and exec,
kept across exec); elsewhere nothing changes.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - every Linux libc has prctl
        return None


_PRCTL = _load_prctl()  # resolved once, in the parent: the child only calls it


def die_with_parent_preexec() -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen``: the child gets SIGKILL when this process dies (Linux)."""
    if _PRCTL is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        die_with(parent)

    return preexec


def die_with(parent: int) -> None:
    """This process gets SIGKILL when ``parent`` (its parent now) dies (Linux; elsewhere nothing): for a process
    started by ``multiprocessing``, which has no ``preexec_fn``."""
    if _PRCTL is None:
        return
    _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


def popen_kwargs() -> dict[str, Any]:
    """Keyword arguments making a child die with this process (empty where unsupported)."""
    preexec = die_with_parent_preexec()
    return {"preexec_fn": preexec} if preexec is not None else {}


class _SubprocessDyingWithParent(ModuleType):
    """``subprocess`` as seen by one library module: the same, except that ``Popen`` children die with us."""

    def __init__(self) -> None:
        super().__init__("subprocess")

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen:  # noqa: N802 - subprocess's name
        if "preexec_fn" not in kwargs:
            kwargs.update(popen_kwargs())
        return subprocess.Popen(*args, **kwargs)


@contextmanager
def children_die_with_this_process(module: ModuleType) -> Iterator[None]:
    """Within the block, processes ``module`` starts through ``subprocess.Popen`` die with this process.

    Used around dagster-dbt's ``DbtCliResource.cli`` (``dagster_dbt.core.dbt_cli_invocation``), which starts the
    dbt CLI with ``subprocess.Popen`` and offers no hook of its own."""
    saved = module.__dict__.get("subprocess")
    if saved is not subprocess or _PRCTL is None:  # not the expected shape, or not Linux: leave it alone
        yield
        return
    module.subprocess = _SubprocessDyingWithParent()  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.subprocess = saved  # type: ignore[attr-defined]
