"""One JVM for a whole run on Spark: a worker process that keeps the Spark session between the steps (issue 20).

A step on Spark (landing, the GX gates, the Python models, the copy into the serving file) and each dbt part of the
build need the session of the `spark` target. Embedded Derby, the local metastore, admits one process at a time, so
each of them used to run in a process of its own that ended with its JVM: seven JVMs for one daily run, each paying
the JVM's start, the Hive client's and Derby's start and the compilation of Spark's code again (on the tiny preset
most of what a step costs).

``SparkWorker`` starts one process (spawned, on first use) that owns the session for one data folder and serves:

- ``call(function, *args, **kwargs)``: ``function`` run there, its result or exception returned (what
  ``ccw.spark.in_child`` does with a fresh process);
- dbt commands of ``ccw-dbt --target spark``: ``forward_dbt`` in the ``ccw-dbt`` process (which dagster-dbt starts
  and reads as before) sends its arguments, environment and folder; the worker runs dbt in its own process with the
  session it holds (dbt-spark's ``session`` method takes the process's session) and streams dbt's output back
  line by line; ``ccw-dbt`` prints it and exits with dbt's status.

The worker listens on a Unix socket in a folder only this user may open (``worker_address``), named after the data
folder's Spark directory, so a ``ccw-dbt`` of the same data folder finds it and nothing else does. One request at a
time: the steps of a run are sequential. Closing the worker (the end of the run, or of the Dagster step in a
multi-process executor) ends its process and the JVM with it; if the run's process dies, the worker gets SIGKILL
(Linux) and its JVM, whose gateway reads the worker's pipe, ends too.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: seconds the run waits for a new worker to listen (a spawned Python process importing ccw)
START_TIMEOUT = 120.0


def worker_address(spark_dir: Path) -> str:
    """The socket of the worker for the data folder whose Spark directory (tables, metastore) is ``spark_dir``: in
    a folder of this user's only (mode 0700), named by a hash of the directory's absolute path (a socket's path
    has at most 107 bytes; a data folder's may be longer)."""
    folder = Path(tempfile.gettempdir()) / f"ccw-spark-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    status = folder.stat()
    if status.st_uid != os.getuid() or status.st_mode & 0o077:
        raise PermissionError(f"{folder} must belong to this user only (mode 0700): the Spark worker's socket")
    digest = hashlib.sha256(os.fsencode(spark_dir.resolve())).hexdigest()[:24]
    return str(folder / f"{digest}.sock")


def spark_dir_of(environ: Mapping[str, str] | None = None) -> Path:
    """The Spark directory of the `spark` target for ``environ`` (default: this process's environment): the parent
    of its warehouse folder, as ``profiles.yml`` renders it."""
    from ccw.spark import spark_parameters

    return Path(spark_parameters(environ=environ).get("spark.sql.warehouse.dir", "spark-warehouse")).parent


# ------------------------------------------------------------------------------------------------ the worker process
class _Forward(io.TextIOBase):
    """A text stream whose writes go to the client as ``(kind, text)`` messages (dbt's log lines, from its
    threads)."""

    def __init__(self, connection: Connection, kind: str, lock: threading.Lock) -> None:
        self._connection, self._kind, self._lock = connection, kind, lock

    def writable(self) -> bool:
        return True

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes):  # click writes some output as bytes
            text = text.decode("utf-8", "replace")
        if text:
            with self._lock, contextlib.suppress(OSError):  # the client gone: dbt finishes, nobody reads
                self._connection.send((self._kind, text))
        return len(text)


@contextlib.contextmanager
def _as_caller(environ: Mapping[str, str], cwd: str | None) -> Iterator[None]:
    """The caller's environment (and folder) for one request, the worker's own again afterwards."""
    saved_environ, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(environ)
    if cwd:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)
        os.chdir(saved_cwd)


def _run_dbt(connection: Connection, args: list[str]) -> int:
    """dbt's command line in this process, its output to the client; dbt's exit status (0 success, 1 a node
    failed, 2 dbt itself failed)."""
    from dbt.cli.main import dbtRunner

    lock = threading.Lock()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Forward(connection, "out", lock), _Forward(connection, "err", lock)
    try:
        result = dbtRunner().invoke(args)
    except BaseException:  # noqa: BLE001 - reported to the client as dbt reports an unhandled error
        sys.stderr.write(traceback.format_exc())
        return 2
    finally:
        sys.stdout, sys.stderr = saved
    if result.exception is not None:
        _forward_text(connection, "err", f"{type(result.exception).__name__}: {result.exception}\n")
        return 2
    return 0 if result.success else 1


def _forward_text(connection: Connection, kind: str, text: str) -> None:
    with contextlib.suppress(OSError):
        connection.send((kind, text))


def _serve_one(connection: Connection) -> bool:
    """One request; False when it asks the worker to stop."""
    request = connection.recv()
    kind = request[0]
    if kind == "stop":
        return False
    if kind == "ping":
        connection.send(("ok", os.getpid()))
    elif kind == "dbt":
        _, args, environ, cwd = request
        with _as_caller(environ, cwd):
            status = _run_dbt(connection, args)
        connection.send(("exit", status))
    elif kind == "call":
        _, function, args, kwargs, environ = request
        try:
            with _as_caller(environ, None):
                value = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - the caller raises it
            connection.send(("error", exc, traceback.format_exc()))
        else:
            connection.send(("ok", value))
    return True


def serve(address: str, environment: Mapping[str, str], parent: int) -> None:
    """The worker's loop (the spawned process's target): requests one at a time until ``stop``."""
    from ccw.childproc import die_with
    from ccw.spark import prepare_child

    prepare_child()
    die_with(parent)  # SIGKILL when the run's process dies (Linux)
    os.environ.update(environment)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(address)  # a socket left by a worker that was killed (the caller checked none answers)
    with Listener(address, family="AF_UNIX") as listener:
        running = True
        while running:
            with listener.accept() as connection:
                try:
                    running = _serve_one(connection)
                except (EOFError, OSError):  # the client went away mid-request
                    continue


# ------------------------------------------------------------------------------------------------ the run's side
class RemoteError(Exception):
    """The worker's traceback of an exception raised there (the ``__cause__`` of the exception raised here)."""


def _connect(address: str) -> Connection | None:
    try:
        return Client(address, family="AF_UNIX")
    except (FileNotFoundError, ConnectionRefusedError):
        return None


class SparkWorker:
    """The worker process of one data folder (``environment``'s ``CCW_DATA_DIR``), started on first use; a context
    manager that ends it."""

    def __init__(self, environment: Mapping[str, str] | None = None) -> None:
        self.environment = dict(environment or {})
        self.address = worker_address(spark_dir_of({**os.environ, **self.environment}))
        self._process: Any = None

    def start(self) -> None:
        """Start the worker (nothing when it runs)."""
        if self.started:
            return
        import multiprocessing

        probe = _connect(self.address)
        if probe is not None:
            probe.close()
            raise RuntimeError(f"another Spark worker already serves this data folder ({self.address}): one run "
                               "at a time per data folder")
        context = multiprocessing.get_context("spawn")
        self._process = context.Process(target=serve, args=(self.address, self.environment, os.getpid()),
                                        name="ccw-spark-worker")
        self._process.start()
        deadline = time.monotonic() + START_TIMEOUT
        while (connection := _connect(self.address)) is None:
            if not self._process.is_alive():
                raise RuntimeError(f"the Spark worker ended at start (exit code {self._process.exitcode})")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the Spark worker did not listen within {START_TIMEOUT:.0f} s")
            time.sleep(0.05)
        with connection:
            connection.send(("ping",))
            connection.recv()

    @property
    def started(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in the worker, with this process's environment (and ``environment``);
        ``function`` importable by name, its arguments and result picklable."""
        self.start()
        connection = _connect(self.address)
        if connection is None:
            raise RuntimeError(f"the Spark worker does not answer at {self.address}")
        with connection:
            connection.send(("call", function, args, kwargs, {**os.environ, **self.environment}))
            try:
                reply = connection.recv()
            except EOFError:
                raise RuntimeError(f"the Spark worker ended during {function.__qualname__} (exit code "
                                   f"{self._process.exitcode if self._process else None})") from None
        if reply[0] == "error":
            raise reply[1] from RemoteError(reply[2])
        return reply[1]

    def close(self) -> None:
        if self._process is None:
            return
        if self._process.is_alive():
            connection = _connect(self.address)
            if connection is not None:
                with connection, contextlib.suppress(OSError):
                    connection.send(("stop",))
            self._process.join(30)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(10)
        self._process = None

    def __enter__(self) -> SparkWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------------------------ ccw-dbt's side
def targets_spark(args: list[str], environ: Mapping[str, str]) -> bool:
    for index, arg in enumerate(args):
        if arg in ("--target", "-t") and index + 1 < len(args):
            return args[index + 1] == "spark"
        if arg.startswith("--target="):
            return arg.split("=", 1)[1] == "spark"
    return environ.get("DBT_TARGET") == "spark"


def forward_dbt(args: list[str]) -> int | None:
    """Run ``dbt <args>`` in the Spark worker of this data folder when the command targets Spark and a worker
    listens: its output printed here as it comes, dbt's exit status returned. None when there is no worker (dbt
    then runs in this process, with a JVM of its own)."""
    if not targets_spark(args, os.environ):
        return None
    connection = _connect(worker_address(spark_dir_of()))
    if connection is None:
        return None
    streams = {"out": sys.stdout, "err": sys.stderr}
    with connection:
        connection.send(("dbt", list(args), dict(os.environ), os.getcwd()))
        while True:
            try:
                message = connection.recv()
            except EOFError:
                print("the Spark worker ended while dbt ran", file=sys.stderr)
                return 2
            if message[0] == "exit":
                return int(message[1])
            stream = streams[message[0]]
            stream.write(message[1])
            stream.flush()
