"""What ``nntui compare`` and ``nntui sweep`` share: each trains a study, the runs of a
:class:`~nntui.studies.sweep.Sweep`, under the stop signals, and can write it as JSON.

The two commands print different things (a comparison's figure and table; a sweep's live table,
best run first) but train and stop alike: Ctrl+C, SIGTERM or SIGHUP stops the running runs after
their mini-batch and starts no other, a second one leaves at once with the runs still going
recorded as stopped, the executor (a local Dask cluster's worker processes) is shut down whatever
happened, and the exit status says how it went.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from rich.console import Console

from nntui.runner.signals import Interrupted, StopOnSignals
from nntui.status import ENDED_WELL, ExitStatus
from nntui.storage.errors import RunFileError
from nntui.storage.safe_write import check_writable, write_json_atomic
from nntui.studies.dask_executor import ClusterError, cores
from nntui.studies.sweep import Executor, Sweep


def json_problem(path: str | Path | None) -> str | None:
    """What keeps ``--json`` from being written, found before anything runs; None if nothing
    (or no ``--json``)."""
    if path is None:
        return None
    try:
        if not str(path).strip():
            raise RunFileError("--json needs a file name")
        check_writable(path, "run record")
    except RunFileError as error:
        return str(error)
    return None


def workers_notes(requested: int | None, runs: int) -> list[str]:
    """What to say of ``--workers N`` for ``runs`` runs: more workers than runs start only one
    per run (the rest would idle, each a process of its own); more than the cores share them,
    each run then slower than it would train alone."""
    if not requested:
        return []
    notes = []
    started = min(requested, runs)
    if started < requested:
        notes.append(f"--workers {requested}: {runs} run{'s' if runs != 1 else ''} need only "
                     f"{started} worker process{'es' if started != 1 else ''}; starting "
                     f"{started}")
    if started > cores():
        notes.append(f"{started} worker processes share {cores()} "
                     f"core{'s' if cores() != 1 else ''}: each run trains slower than alone")
    return notes


def train(sweep: Sweep, executor: Executor, signals: StopOnSignals, err: Console, prog: str, *,
          display: AbstractContextManager | None = None,
          ready: Callable[[], None] | None = None) -> bool:
    """Train every run of ``sweep`` with ``executor`` within ``signals``: ``ready()`` is called
    once the executor has started, ``display`` is entered around the training, and the executor
    is closed whatever happens.  After a second signal the runs still going are recorded as
    stopped (:meth:`~nntui.studies.sweep.Sweep.abandon`), and ``err`` says so.  False, said on
    ``err``, when the Dask cluster could not be used (then nothing ran)."""
    interrupted = False
    try:
        with signals:
            try:
                # A stop while it connects gives up waiting (execute then starts no run).
                executor.start(len(sweep.runs), stop=lambda: sweep.control.stop_requested)
                if ready is not None and not sweep.control.stop_requested:
                    ready()
                with display or contextlib.nullcontext():
                    sweep.execute(executor)
            except Interrupted:
                interrupted = True
            except ClusterError as error:
                err.print(f"{prog}: error: {error}", highlight=False)
                return False
    finally:
        executor.close()
    if interrupted:
        message = f"stopped at once by a second {signals.name}"
        err.print(f"nntui: {message}", highlight=False)
        sweep.abandon(message)
    return True


def write_json(path: str | Path, data: dict, what: str, console: Console, err: Console) -> bool:
    """Write a study's ``--json`` record and say so (``what``: "Sweep", "Comparison"); False,
    said on ``err``, when it could not be written."""
    try:
        write_json_atomic(path, data, kind="run record")
    except RunFileError as error:
        err.print(f"nntui: {error}", highlight=False)
        return False
    console.print(f"{what} written to {os.fspath(path)}", highlight=False)
    return True


def exit_status(signals: StopOnSignals, statuses: Iterable[str], ok: bool) -> int:
    """128 + the first stop signal's number if one came; else 1 when a run failed or ended badly
    or something else went wrong (not ``ok``), 0 when every run ended as its config asked or
    diverged (a diverging run is a result)."""
    if signals.exit_code is not None:
        return signals.exit_code
    if not ok or not all(status in ENDED_WELL or status == "diverged" for status in statuses):
        return ExitStatus.ERROR
    return ExitStatus.SUCCESS
