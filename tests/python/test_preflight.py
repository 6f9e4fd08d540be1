"""One clear message per fault (issue 21, item 8): a run that cannot write where it must, or has no room, stops
before it changes anything, says where, what was needed, what readers still have and what to do, once."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from ccw import preflight
from ccw.cli import main as ccw_main
from ccw.config import settings
from conftest import CCW, ROOT, pipeline_env

MIB = 1024 * 1024


def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CCW_DATA_DIR", str(tmp_path / "data"))
    for var in ("CCW_RAW_ROOT", "CCW_WAREHOUSE", "CCW_BUILD_WAREHOUSE", "CCW_MIN_FREE_MB"):
        monkeypatch.delenv(var, raising=False)
    return settings()


def test_a_folder_without_room_is_named_with_its_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = _settings(tmp_path, monkeypatch)
    s.build_warehouse.parent.mkdir(parents=True)
    s.build_warehouse.write_bytes(b"x" * (8 * MIB))  # a build database of 8 MiB: a quarter of it is 2 MiB

    fault = preflight.check(s, disk_usage=lambda _folder: SimpleNamespace(free=100 * MIB))
    assert fault is not None and fault.exit_code == preflight.EXIT_NO_SPACE
    # 512 MiB floor + 8 MiB / 4 = 514 MiB needed in the build folder, 100 free
    assert f"in {s.build_warehouse.parent}: 100 MiB free, about 514 MiB needed" in fault.message
    assert f"nothing is published yet at {s.warehouse}" in fault.message
    assert "then run again" in fault.message

    assert preflight.check(s, disk_usage=lambda _folder: SimpleNamespace(free=10_000 * MIB)) is None


def test_write_errors_become_one_message_with_the_path_and_what_to_do(tmp_path: Path) -> None:
    serving = tmp_path / "warehouse.duckdb"
    full = preflight.describe_os_error(OSError(errno.ENOSPC, "No space left on device", "/d/build/x.duckdb"),
                                       "the build", serving)
    assert full.exit_code == 74
    assert full.message.startswith("No space left on the file system of /d/build/x.duckdb (needed for the build)")
    read_only = preflight.describe_os_error(OSError(errno.EROFS, "Read-only file system", "/ro/x"), "a copy",
                                            serving)
    assert read_only.exit_code == 73 and "Cannot write /ro/x (read-only file system; needed for a copy)" in (
        read_only.message)


def test_a_full_disk_during_a_command_is_one_message_and_its_exit_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _settings(tmp_path, monkeypatch)
    import ccw.pipeline

    def fills_the_disk(**_kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "data" / "build" / "warehouse.duckdb"))

    monkeypatch.setattr(preflight, "check", lambda _s: None)
    monkeypatch.setattr(ccw.pipeline, "run_pipeline", fills_the_disk)
    assert ccw_main(["run"]) == preflight.EXIT_NO_SPACE
    err = capsys.readouterr().err
    assert err.count("No space left") == 1, err
    assert f"of {tmp_path / 'data' / 'build' / 'warehouse.duckdb'}" in err and "Traceback" not in err


def test_ccw_run_without_room_stops_before_changing_anything(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = pipeline_env(data) | {"CCW_MIN_FREE_MB": str(1024 * 1024 * 1024)}  # a floor no disk here has: 1 PiB
    result = subprocess.run([str(CCW), "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == preflight.EXIT_NO_SPACE, result.stdout[-2000:] + result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ccw run: Not enough free space for"), result.stderr
    assert not (data / "raw").exists(), "nothing generated"
    assert not (data / "build" / "warehouse.duckdb").exists() and not (data / "warehouse.duckdb").exists()
    assert not [p for p in data.rglob("*") if p.is_file() and ".ccw-write-probe" in p.name]
    assert os.listdir(data / "build") == []
