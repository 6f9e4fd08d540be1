"""The test suite's own helpers (conftest), where they guard against the suite's threads."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from conftest import environ_copy

KEY = "CCW_TEST_FLICKERING_VARIABLE"


@pytest.fixture()
def flickering_variable() -> Iterator[None]:
    """A thread that sets and deletes one variable without pause, as pytest does with PYTEST_CURRENT_TEST around
    every test while a background set-up copies the environment; thread switches as often as the interpreter allows."""
    stop = threading.Event()

    def flicker() -> None:
        while not stop.is_set():
            os.environ[KEY] = "1"
            os.environ.pop(KEY, None)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread = threading.Thread(target=flicker, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
        os.environ.pop(KEY, None)


def _copies(copy: Callable[[], dict[str, str]], times: int) -> int:
    """How many of ``times`` copies raised (KeyError: a key read, then deleted before its value was)."""
    failed = 0
    for _ in range(times):
        try:
            copy()
        except (KeyError, RuntimeError):
            failed += 1
    return failed


def test_a_plain_copy_of_the_environment_fails_while_another_thread_deletes_a_key(flickering_variable: None) -> None:
    # the premise of environ_copy: without it this race is real (it failed 14 set-ups in CI, stop 34)
    assert _copies(lambda: dict(os.environ), 20_000) > 0


def test_environ_copy_survives_another_thread_deleting_a_key(flickering_variable: None) -> None:
    assert _copies(environ_copy, 20_000) == 0
    assert environ_copy()["PATH"] == os.environ["PATH"]
