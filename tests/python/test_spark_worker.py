"""The run's Spark worker (``ccw.spark_worker``): one process serves every step and dbt command of a run, so a run on
Spark starts one JVM. Without Spark: what is checked here is the process and its protocol (the functions called are
plain Python); the daily job on Spark through it is ``test_spark_build.py``."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import dagster as dg
import pytest

from ccw.spark_worker import RemoteError, SparkWorker, forward_dbt, targets_spark, worker_address
from ccw_orchestration.resources import SparkWorkerResource, spark_environment


def _pid_and_variable(name: str) -> tuple[int, str | None]:
    return os.getpid(), os.environ.get(name)


def _fail(message: str) -> None:
    raise ValueError(message)


class _SaysAtTeardown:
    def __del__(self) -> None:
        os.write(2, b"the interpreter's teardown ran\n")


_KEPT: list[object] = []


def _keep_an_object_for_the_teardown(n: int) -> int:
    _KEPT.append(_SaysAtTeardown())  # as a library's cache keeps DuckDB objects (GX's do after the gates)
    return n + 1


def test_a_child_process_ends_without_the_interpreters_teardown(capfd: pytest.CaptureFixture[str]) -> None:
    """``ccw.spark.in_child``'s worker ends as ``ccw`` does (``ccw.cli.entry``): what a library leaves for the
    interpreter's teardown prints nothing (DuckDB's "nanobind: leaked ..." lines after a child ran the gates did,
    into the test log), and the result comes back."""
    from ccw.spark import in_child

    assert in_child(_keep_an_object_for_the_teardown, 1) == 2
    assert "teardown ran" not in capfd.readouterr().err


@pytest.fixture()
def worker(tmp_path: Path):
    with SparkWorker({"CCW_DATA_DIR": str(tmp_path / "data")}) as started:
        started.start()
        yield started


def test_one_process_serves_every_call_with_the_callers_environment(worker: SparkWorker,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCW_TEST_STEP", "landing")
    first_pid, seen = worker.call(_pid_and_variable, "CCW_TEST_STEP")
    assert first_pid != os.getpid() and seen == "landing"
    monkeypatch.setenv("CCW_TEST_STEP", "gates")  # a later step's environment reaches the same process
    assert worker.call(_pid_and_variable, "CCW_TEST_STEP") == (first_pid, "gates")
    assert worker.call(_pid_and_variable, "CCW_DATA_DIR")[1] == worker.environment["CCW_DATA_DIR"]
    monkeypatch.delenv("CCW_TEST_STEP")
    assert worker.call(_pid_and_variable, "CCW_TEST_STEP") == (first_pid, None)  # nothing left from the last call


def test_an_exception_in_the_worker_is_raised_here_with_its_traceback(worker: SparkWorker) -> None:
    with pytest.raises(ValueError, match="no such table raw.x") as raised:
        worker.call(_fail, "no such table raw.x")
    assert isinstance(raised.value.__cause__, RemoteError)
    assert "_fail" in str(raised.value.__cause__)  # where it was raised, in the worker
    pid, _ = worker.call(_pid_and_variable, "HOME")  # and the worker goes on serving
    assert pid != os.getpid()


def test_closing_ends_the_process_and_a_data_folder_has_one_worker_at_a_time(tmp_path: Path) -> None:
    environment = {"CCW_DATA_DIR": str(tmp_path / "data")}
    with SparkWorker(environment) as first:
        pid, _ = first.call(_pid_and_variable, "HOME")
        with pytest.raises(RuntimeError, match="another Spark worker already serves this data folder"):
            SparkWorker(environment).start()
    assert not first.started
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with SparkWorker(environment) as second:  # the socket left behind does not stop the next run
        assert second.call(_pid_and_variable, "HOME")[0] != pid


def test_the_socket_sits_in_a_folder_of_this_user_only(tmp_path: Path) -> None:
    address = Path(worker_address(tmp_path / "a" / "spark"))
    assert stat.S_IMODE(address.parent.stat().st_mode) == 0o700
    assert address != Path(worker_address(tmp_path / "b" / "spark"))
    assert len(os.fsencode(worker_address(tmp_path / ("x" * 200) / "spark"))) < 108  # a socket path's limit


def test_only_commands_on_spark_go_to_the_worker() -> None:
    assert targets_spark(["build", "--target", "spark", "--select", "a"], {})
    assert targets_spark(["build", "--target=spark"], {})
    assert targets_spark(["build", "-t", "spark"], {})
    assert targets_spark(["build"], {"DBT_TARGET": "spark"})
    assert not targets_spark(["build", "--target", "dev"], {"DBT_TARGET": "spark"})
    assert not targets_spark(["build", "--select", "spark"], {})


def test_ccw_dbt_runs_dbt_in_the_worker_and_prints_its_output(worker: SparkWorker, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCW_DATA_DIR", worker.environment["CCW_DATA_DIR"])
    assert forward_dbt(["build", "--target", "dev", "--help"]) is None  # DuckDB: dbt runs in ccw-dbt's process
    assert forward_dbt(["build", "--target", "spark", "--help"]) == 0
    assert "--full-refresh" in capsys.readouterr().out  # dbt's help for `build`, written in the worker
    assert forward_dbt(["no-such-command", "--target", "spark"]) == 2  # dbt's status for a usage error
    assert "no-such-command" in capsys.readouterr().err
    monkeypatch.setenv("CCW_DATA_DIR", str(Path(worker.environment["CCW_DATA_DIR"]).parent / "elsewhere"))
    assert forward_dbt(["build", "--target", "spark", "--help"]) is None  # no worker serves that data folder


def test_the_dagster_resource_gives_a_run_one_worker_and_ends_it_with_the_run(tmp_path: Path) -> None:
    environment = spark_environment(tmp_path / "data")

    @dg.asset
    def first_step(spark_worker: SparkWorkerResource) -> int:
        return spark_worker.call(_pid_and_variable, "HOME", environment=environment)[0]

    @dg.asset(deps=[first_step])
    def second_step(spark_worker: SparkWorkerResource) -> int:
        return spark_worker.call(_pid_and_variable, "HOME", environment=environment)[0]

    result = dg.materialize([first_step, second_step], resources={"spark_worker": SparkWorkerResource()})
    assert result.success
    pid = result.output_for_node("first_step")
    assert result.output_for_node("second_step") == pid  # one process (one JVM) for both steps
    with pytest.raises(ProcessLookupError):  # ended with the run
        os.kill(pid, 0)
