"""What the command-line tests share: ``nntui`` run in this process as a shell would run it; real
``nntui`` processes, each in a session of its own and ended with all it started; the history
watched until such a process gets somewhere; and a real ``dask scheduler`` and ``dask worker``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nntui.cli.main import main
from nntui.storage.history import RunHistory, RunSummary


@pytest.fixture
def run_cli(capsys) -> Callable[[list[str]], tuple[int, str, str]]:
    """``run_cli(argv)`` runs ``nntui argv`` in this process and returns (exit status, stdout,
    stderr); an argparse exit counts as its status."""

    def run(argv: list[str]) -> tuple[int, str, str]:
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    """The environment of a process a test starts: unbuffered output, so it can be read as it
    comes, and neither the data folder nor the Dask scheduler of whoever runs the tests."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("NNTUI_DATA_DIR", None)
    env.pop("NNTUI_DASK_SCHEDULER", None)
    return env


@pytest.fixture
def start_nntui(subprocess_env: dict[str, str], stop_group) -> Iterator[Callable[[list[str]],
                                                                     subprocess.Popen]]:
    """``start_nntui(args)`` starts ``python -m nntui args`` in a session of its own (so a signal
    can go to its whole process group, as a terminal sends it), its output piped as text; after
    the test whatever it started has ended."""
    started: list[subprocess.Popen] = []

    def start(args: list[str]) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-m", "nntui", *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=subprocess_env, start_new_session=True)
        started.append(process)
        return process

    yield start
    for process in started:
        stop_group(process)


@pytest.fixture
def wait_for_runs() -> Callable[..., bool]:
    """``wait_for_runs(db, process, ready, timeout)``: True once ``ready(runs)`` holds for the
    runs the history at ``db`` lists (newest first), False if ``process`` ended or ``timeout``
    seconds went by before."""

    def wait(db: Path, process: subprocess.Popen,
             ready: Callable[[list[RunSummary]], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if db.exists():
                with RunHistory(db) as history:
                    if ready(history.list_runs()):
                        return True
            time.sleep(0.05)
        return False

    return wait


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dask_processes(tmp_path_factory, stop_group, free_port: int,
                   subprocess_env: dict[str, str]) -> Iterator[str]:
    """``dask scheduler`` and one ``dask worker`` on 127.0.0.1, as a person would start them;
    yields the scheduler's address."""
    folder = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{free_port}"
    started = []
    with open(folder / "scheduler.log", "w") as scheduler_log, \
            open(folder / "worker.log", "w") as worker_log:
        try:
            started.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                 str(free_port), "--no-dashboard"], stdout=subprocess.DEVNULL,
                stderr=scheduler_log, env=subprocess_env, start_new_session=True))
            started.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                 "--no-dashboard", "--host", "127.0.0.1", "--nworkers", "1"],
                stdout=subprocess.DEVNULL, stderr=worker_log, env=subprocess_env,
                start_new_session=True))
            yield address
        finally:
            for process in reversed(started):
                stop_group(process)


@pytest.fixture
def http_server(free_port: int, subprocess_env: dict[str, str],
                stop_group) -> Iterator[str]:
    """``python -m http.server`` on 127.0.0.1, a server that accepts TCP connections but speaks
    no Dask; yields its address as a Dask scheduler's would be written (tcp://127.0.0.1:PORT)."""
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(free_port), "--bind",
                                "127.0.0.1"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=subprocess_env,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:  # listening once a connection is accepted
            try:
                socket.create_connection(("127.0.0.1", free_port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, \
                    "http.server did not start"
                time.sleep(0.05)
        yield f"tcp://127.0.0.1:{free_port}"
    finally:
        stop_group(process)
