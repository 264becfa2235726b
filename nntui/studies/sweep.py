"""Sweeps: one config with some of its fields varied, the runs trained side by side on Dask.

    base config × --vary eta=0.025,0.25,2.5 × --vary hidden=30,64-64  →  6 runs

:func:`plan_sweep` turns a base config and the ``--vary`` texts into :class:`SweepRun`\\ s, every
one validated before any starts (every bad value reported at once, as :class:`SweepError`).
A :class:`Sweep` trains them with an executor:

* :class:`DaskExecutor`: on ``dask.distributed``, an embedded ``LocalCluster`` (one
  single-threaded worker process per core, BLAS pinned to one thread) or an existing cluster
  (``scheduler="tcp://host:8786"``).  A task is a config, a few hundred bytes; each worker loads
  the data itself (:func:`train_on_worker`) and trains through the one run lifecycle,
  :class:`~nntui.runner.lifecycle.Run`.  Its observer streams what happens (started, a progress note
  a second, every epoch, the end) back through a ``distributed.Queue``; a ``distributed.Event``
  per run tells it to stop.
* :class:`InProcess`: one after another in this process (``--workers 0``, the books'
  comparisons by default).

Either way the client turns what arrives back into the lifecycle's own events (:class:`RunStarted`,
:class:`BatchProgress`, :class:`EpochReport`, :class:`RunEnded`) and hands them, for each run,
to the same observers ``nntui train`` uses: a :class:`~nntui.runner.lifecycle.HistoryRecorder` (the
client is the only writer of the run history; each run's group is the sweep's name), a
:class:`~nntui.runner.lifecycle.JsonRecord` kept in memory for ``--json``, then the caller's own
(``observers_for``).  A run trained on a worker has no network on the client:
``RunStarted.network`` and ``RunEnded.network`` are None.

Faults: a run whose worker dies is retried once (its first attempt is recorded as
``interrupted``), and failed if its worker dies again: the client counts the starts it hears of,
so the rule is the same on any cluster, whatever the scheduler's ``allowed-failures``; a
diverging run is a result like any other; a stop (:meth:`Sweep.stop`, or the shared
:class:`~nntui.engine.Control`) stops the running runs after their mini-batch and never starts
the others (status ``not run``, not recorded).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import math
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nntui.config import SPECS, Config, check_combination, config_from_dict, parse_field
from nntui.datasets import DatasetError
from nntui.engine import BatchProgress, Control, EpochReport
from nntui.runner.lifecycle import (
    HistoryRecorder,
    JsonRecord,
    Run,
    RunEnded,
    RunObserver,
    RunObservers,
    RunStarted,
    cut_short,
)
from nntui.status import RunStatus
from nntui.storage.history import RunHistory

MAX_RUNS = 1000
SCHEDULER_ENV = "NNTUI_DASK_SCHEDULER"
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler and find a worker on it
STOP_GRACE = 30.0  # seconds the running runs get to finish their mini-batch after a stop
LOST_GRACE = 60.0  # seconds without a worker (or an answering scheduler) before runs fail
LOOK_EVERY = 2.0  # seconds between looks at the cluster's workers
RETRIES = 1  # a run whose worker dies is started once more


class SweepError(ValueError):
    """The sweep asked for cannot run; ``problems`` says every reason, each for a person."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class ClusterError(RuntimeError):
    """The Dask cluster cannot be used (unreachable, no workers, nntui missing on a worker)."""


# --- planning ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its place (0-based), its label (what sets it apart from the others,
    e.g. ``η=0.25 hidden=64,64``) and its config."""

    index: int
    label: str
    config: Config


def field_name(text: str) -> str:
    """``batch-size``, ``--batch-size`` and ``batch_size`` all name the field batch_size."""
    return text.strip().lstrip("-").replace("-", "_").lower()


def parse_vary(text: str) -> tuple[str, list[str]]:
    """``eta=0.025,0.25`` → ("eta", ["0.025", "0.25"]); a layer list is written with ``-``
    (``hidden=30,64-64`` → ["30", "64,64"]; ``none`` for no hidden layer).  Raises ValueError
    saying what to write."""
    name, equals, values = text.partition("=")
    if not equals or not name.strip():
        raise ValueError(f"'{text}' is not NAME=V1,V2,...; e.g. --vary eta=0.025,0.25,2.5")
    name = field_name(name)
    if name not in SPECS:
        raise ValueError(f"'{name}' is not a hyperparameter; known: {', '.join(SPECS)}")
    items = [item.strip() for item in values.split(",")]
    if not values.strip():
        raise ValueError(f"no values for {name}; write {name}=V1,V2,...")
    if any(not item for item in items):
        raise ValueError(f"an empty value in '{values}'; separate values with single commas"
                         + (" (write none for no hidden layer)" if name == "hidden" else ""))
    if SPECS[name].kind == "layers":
        items = ["" if item.lower() == "none" else item.replace("-", ",") for item in items]
    return name, items


def _shown(name: str, value: Any) -> str:
    if SPECS[name].kind == "layers":
        return "-".join(str(n) for n in value) or "none"
    return str(value)


def plan_sweep(base: Config, varies: Sequence[str]) -> list[SweepRun]:
    """The runs of ``base`` under every combination of the ``--vary`` texts (the cartesian
    product, the first ``--vary`` varying slowest), each checked as a whole config; raises
    :class:`SweepError` with every problem found."""
    problems: list[str] = []
    axes: list[tuple[str, list[Any]]] = []
    seen: set[str] = set()
    for text in varies:
        try:
            name, items = parse_vary(text)
        except ValueError as error:
            problems.append(f"--vary {text}: {error}")
            continue
        if name in seen:
            problems.append(f"--vary {name} is given twice; put all its values in one --vary")
            continue
        seen.add(name)
        values: list[Any] = []
        for item in items:
            try:
                value = parse_field(name, item)
            except ValueError as error:
                problems.append(f"--vary {name}: {error}")
                continue
            if value in values:
                problems.append(f"--vary {name}: {_shown(name, value)} is given twice")
                continue
            values.append(value)
        axes.append((name, values))
    if not varies:
        problems.append("nothing to vary: add --vary NAME=V1,V2,... (e.g. --vary eta=0.1,1)")
    if problems:
        raise SweepError(problems)
    count = math.prod(len(values) for _, values in axes)
    if count > MAX_RUNS:
        raise SweepError([f"{count:,} runs is more than the {MAX_RUNS:,} a sweep may have; "
                          f"vary fewer values"])
    configs = []
    names = [name for name, _ in axes]
    for combination in itertools.product(*(values for _, values in axes)):
        config = dataclasses.replace(base, **dict(zip(names, combination, strict=True)))
        for problem in check_combination(config):
            where = " ".join(f"{n}={_shown(n, v)}" for n, v in zip(names, combination,
                                                                    strict=True))
            text = f"the run {where}: {problem}"
            if text not in problems:
                problems.append(text)
        configs.append(config)
    if problems:
        raise SweepError(problems)
    from nntui.studies.comparisons import difference_labels

    labels = difference_labels(configs)
    return [SweepRun(i, label, config)
            for i, (label, config) in enumerate(zip(labels, configs, strict=True))]


def default_name() -> str:
    """``sweep-20261124-0712`` (local time, to the second): the group of a sweep not named."""
    return time.strftime("sweep-%Y%m%d-%H%M%S")


def check_data(runs: Sequence[SweepRun], data_dir: str | None) -> list[str]:
    """What keeps the data of these runs from loading here, found before any run starts (the
    files are looked for, not read).  Only meaningful where the runs train on this machine."""
    from nntui.datasets.loading import DATASET_NAMES
    from nntui.datasets.mnist import find_fashion_mnist, find_idx_files, find_mnist

    problems = []
    for dataset in dict.fromkeys(run.config.dataset for run in runs):
        try:
            if dataset == "mnist":
                find_mnist(data_dir)
            elif dataset == "fashion-mnist":
                find_fashion_mnist(data_dir)
            elif dataset not in DATASET_NAMES:
                folder = Path(dataset).expanduser()
                if not folder.is_dir():
                    raise DatasetError(f"{dataset} is not a folder of MNIST-format IDX files")
                find_idx_files(folder)
        except DatasetError as error:
            problems.append(f"data set {dataset}: {error}")
    return problems


# --- what the client keeps of each run -----------------------------------------------------------

@dataclass
class SweepResult:
    """How one run of a sweep is going or went.

    ``state`` is ``queued``, ``running``, a final status (:data:`nntui.runner.lifecycle.STATUSES`)
    or ``not run``; ``ended`` is set once it ended; ``history`` holds the epochs of its latest
    attempt; ``record`` is its ``nntui train --json`` record; ``attempts`` counts its starts (2
    after a retry); ``worker`` is the Dask worker of its latest attempt ("" in process)."""

    run: SweepRun
    state: str = "queued"
    ended: RunEnded | None = None
    history: list[EpochReport] = field(default_factory=list)
    run_id: int | None = None
    record: dict | None = None
    attempts: int = 0
    worker: str = ""
    epoch: int = 0  # the epoch running or last finished
    last_cost: float | None = None  # the running cost of the epoch, or the last epoch's
    best: float | None = None  # best held-out accuracy so far
    held_out: str = ""  # "validation" or "test", once started

    @property
    def label(self) -> str:
        return self.run.label

    @property
    def config(self) -> Config:
        return self.run.config

    @property
    def final(self) -> bool:
        return self.ended is not None or self.state == RunStatus.NOT_RUN

    def as_record(self) -> dict:
        """Its ``--json`` entry: the record ``nntui train --json`` writes, with its label, run id
        and attempts beside it."""
        record = self.record
        if record is None:
            from nntui.storage.records import RunRecord

            record = RunRecord(self.config, status=self.state).as_dict()
        return {"label": self.label, "run_id": self.run_id, "attempts": self.attempts,
                "worker": self.worker, **record}


ObserversFor = Callable[[SweepRun], Sequence[RunObserver]]
"""Given a run, the extra observers of its (next) attempt: called again for a retried run."""


class _Progress(RunObserver):
    """What the sweep keeps of an attempt as it goes: the epochs, and the run's result's epoch,
    last cost and best accuracy so far."""

    def __init__(self, result: SweepResult, epochs: list[EpochReport]) -> None:
        self.result, self.epochs = result, epochs

    def on_run_start(self, started: RunStarted) -> None:
        self.result.held_out = started.held_out
        self.result.epoch = 1

    def on_progress(self, progress: BatchProgress) -> None:
        self.result.epoch, self.result.last_cost = progress.epoch, progress.running_cost

    def on_epoch(self, report: EpochReport) -> None:
        result = self.result
        self.epochs.append(report)
        result.epoch = report.epoch
        result.last_cost = report.train_cost if report.train_cost is not None \
            else report.val_cost
        if not math.isnan(report.val_accuracy) and (result.best is None
                                                    or report.val_accuracy > result.best):
            result.best = report.val_accuracy


class _NoteId(RunObserver):
    """The run's id in the history, known to the caller's observers from its start on."""

    def __init__(self, result: SweepResult, recorder: HistoryRecorder) -> None:
        self.result, self.recorder = result, recorder

    def on_run_start(self, started: RunStarted) -> None:
        if self.recorder.run_id is not None:
            self.result.run_id = self.recorder.run_id


class _Attempt(RunObservers):
    """One start of a run, on the client: the observers its events are handed to, in order:
    what the sweep keeps, the history, the JSON record, then the caller's."""

    def __init__(self, sweep: Sweep, result: SweepResult, token: str) -> None:
        self.sweep, self.result, self.token = sweep, result, token
        self.epochs: list[EpochReport] = []
        self.started = time.perf_counter()
        self.ended = False
        self.recorder: HistoryRecorder | None = None
        if sweep.history is not None and not sweep._history_failed:
            self.recorder = HistoryRecorder(sweep.history, result.config, sweep._warn_history,
                                            name=result.label, group=sweep.name)
        self.json = JsonRecord(result.config, None, sweep.warn)
        extra = sweep.observers_for(result.run) if sweep.observers_for is not None else ()
        recording = [self.recorder, _NoteId(result, self.recorder)] \
            if self.recorder is not None else []
        super().__init__([_Progress(result, self.epochs), *recording, self.json, *extra])
        result.attempts += 1
        result.state = "running"
        result.history = self.epochs
        result.epoch, result.last_cost, result.best = 0, None, None

    def on_run_end(self, ended: RunEnded) -> None:
        """As in Run, every observer hears how the run ended even if one fails on it."""
        self.ended = True
        try:
            super().on_run_end(ended)
        finally:
            self._finish(ended)

    def _finish(self, ended: RunEnded) -> None:
        result = self.result
        result.ended = ended if ended.status != RunStatus.INTERRUPTED else result.ended
        result.state = ended.status
        result.run_id = self.recorder.run_id if self.recorder is not None else result.run_id
        result.record = self.json.record.as_dict()

    def end_here(self, status: RunStatus, message: str) -> RunEnded:
        """End this attempt on the client (its worker is gone or will not say): the epochs that
        arrived are kept."""
        ended = cut_short(status, message, self.epochs, time.perf_counter() - self.started)
        self.on_run_end(ended)
        return ended


# --- the sweep -----------------------------------------------------------------------------------

class Sweep:
    """The runs of a sweep, trained by an executor (:meth:`execute`).

    ``history`` (optional) records every run, with ``name`` as its group and its label as its
    name; ``control`` is shared with whoever may stop the sweep (a signal handler, the app);
    ``observers_for`` gives each attempt's extra observers; ``on_result`` is told of each run as
    it ends (in the order they end).  ``results`` holds a :class:`SweepResult` per run, updated
    as events arrive (a live table reads it)."""

    def __init__(self, name: str, runs: Sequence[SweepRun], *, history: RunHistory | None = None,
                 control: Control | None = None, data_dir: str | None = None,
                 warn: Callable[[str], None] = print,
                 observers_for: ObserversFor | None = None,
                 on_result: Callable[[SweepResult], None] | None = None) -> None:
        self.name = name
        self.runs = list(runs)
        self.history = history
        self.control = control or Control()
        self.data_dir = data_dir
        self.warn = warn
        self.observers_for = observers_for
        self.on_result = on_result
        self.results = [SweepResult(run) for run in self.runs]
        self._attempts: dict[int, _Attempt] = {}  # the latest attempt of each run
        self._history_failed = False

    def _warn_history(self, message: str) -> None:
        # Each attempt has its own recorder; a history that fails fails for all of them.
        if not self._history_failed:
            self._history_failed = True
            self.warn(message)

    def stop(self) -> None:
        """Stop the running runs after their mini-batch and start no other."""
        self.control.stop()

    def execute(self, executor: InProcess | DaskExecutor) -> list[SweepResult]:
        """Train every run; returns :attr:`results` once each has ended (or was kept from
        starting by a stop).  A second signal's :class:`~nntui.runner.signals.Interrupted` comes
        through: call :meth:`abandon` then."""
        executor.execute(self)
        return self.results

    def _ended(self, result: SweepResult) -> None:
        if self.on_result is not None:
            self.on_result(result)

    def _start_attempt(self, index: int, token: str) -> _Attempt:
        attempt = _Attempt(self, self.results[index], token)
        self._attempts[index] = attempt
        return attempt

    def _not_run(self, result: SweepResult) -> None:
        if not result.final:
            result.state = RunStatus.NOT_RUN
            self._ended(result)

    def abandon(self, message: str) -> list[SweepResult]:
        """For a caller that had to leave the sweep at once (a second Ctrl+C): end every run
        still running as stopped with ``message`` and the epochs that arrived (in the history
        too), and mark the others not run.  Returns the runs it ended."""
        ended = []
        for result in self.results:
            if result.final:
                continue
            attempt = self._attempts.get(result.run.index)
            if result.state == "running" and attempt is not None and not attempt.ended:
                attempt.end_here(RunStatus.STOPPED, message)
                ended.append(result)
                self._ended(result)
            else:
                self._not_run(result)
        return ended


# --- one after another, here ---------------------------------------------------------------------

class InProcess:
    """Train the runs one after another in this thread (a sweep of tiny runs, or no cluster)."""

    workers = 0
    address = "in process"

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to shut down."""

    def execute(self, sweep: Sweep) -> None:
        for result in sweep.results:
            if sweep.control.stop_requested:
                sweep._not_run(result)
                continue
            attempt = sweep._start_attempt(result.run.index, uuid.uuid4().hex)
            Run(result.config, observers=[attempt], control=sweep.control,
                data_dir=sweep.data_dir).execute()
            sweep._ended(result)


# --- on Dask -------------------------------------------------------------------------------------

def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def scheduler_address(given: str | None) -> str | None:
    """The scheduler to use: ``given`` (--scheduler), else ``$NNTUI_DASK_SCHEDULER``, else None
    (start a local cluster)."""
    if given is not None and given.strip():
        return given.strip()
    env = os.environ.get(SCHEDULER_ENV, "").strip()
    return env or None


def check_address(address: str) -> str | None:
    """What is wrong with a scheduler address as written (no connection is tried), or None."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls", "ws", "wss"):
            parse_host_port(location)
    except (ValueError, TypeError) as error:
        return (f"'{address}' is not a Dask scheduler address ({_first_line(error)}); write it "
                f"like tcp://10.0.0.5:8786")
    from distributed.comm.registry import backends

    if scheme not in backends:
        return (f"'{address}' is not a Dask scheduler address (unknown scheme '{scheme}'; known: "
                f"{', '.join(sorted(backends))}); write it like tcp://10.0.0.5:8786")
    return None


class DaskExecutor:
    """The runs on Dask: a ``LocalCluster`` of ``workers`` single-threaded worker processes
    started here (default: one per core, never more than there are runs), or the cluster of the
    scheduler at ``scheduler``.  Use as a context manager: entering connects (raising
    :class:`ClusterError` within ``timeout`` seconds when it cannot), leaving shuts a local
    cluster down.  ``started_in`` is how long entering took."""

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None,
                 timeout: float = CONNECT_TIMEOUT, stop_grace: float = STOP_GRACE,
                 lost_grace: float = LOST_GRACE) -> None:
        if workers is not None and workers < 1:
            raise ValueError("a Dask executor needs at least one worker; use InProcess for none")
        self.requested = workers
        self.scheduler = scheduler
        self.timeout = timeout
        self.stop_grace = stop_grace
        self.lost_grace = lost_grace
        self.cluster: Any = None
        self.client: Any = None
        self.workers = 0
        self.address = ""
        self.started_in = 0.0
        self._stops: dict[int, Any] = {}

    # --- connecting ------------------------------------------------------------------------

    def start(self, runs: int = 0) -> DaskExecutor:
        """Start the local cluster or connect to the scheduler; ``runs`` caps the local workers."""
        began = time.perf_counter()
        try:
            if self.scheduler is None:
                self._start_local(runs)
            else:
                self._connect(self.scheduler)
        except BaseException:
            self.close()
            raise
        self.started_in = time.perf_counter() - began
        return self

    def __enter__(self) -> DaskExecutor:
        return self if self.client is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start_local(self, runs: int) -> None:
        import dask
        from distributed import Client, LocalCluster

        n = self.requested or cores()
        if runs:
            n = min(n, runs)
        # One task per worker thread at a time where Dask queues tasks on the scheduler.
        # (How often a run is retried is the client's rule, counted from the starts it hears
        # of, the same on any cluster: see DaskExecutor._handle.)
        with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
            # Nannies restart a worker that dies; each worker process ignores Ctrl+C (the
            # terminal sends it to the whole process group: only the client acts on it) and
            # pins BLAS to one thread (nntui.studies.sweep.dask_setup, preloaded).
            self.cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                silence_logs=logging.CRITICAL, preload=["nntui.studies.sweep"])
            self.client = Client(self.cluster, timeout=self.timeout)
        self.workers = n
        self.address = f"a local cluster of {n} worker process{'es' if n != 1 else ''}"

    def _connect(self, address: str) -> None:
        from distributed import Client

        try:
            self.client = Client(address, timeout=self.timeout)
        except (OSError, TimeoutError) as error:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address} within {self.timeout:g} s "
                f"({_first_line(error)}); check the address, or start one there with "
                f"'dask scheduler' (and 'dask worker {address}' on each machine)") from error
        except (ValueError, TypeError) as error:
            raise ClusterError(f"'{address}' is not a Dask scheduler address "
                               f"({_first_line(error)}); write it like tcp://10.0.0.5:8786"
                               ) from error
        try:
            self.client.wait_for_workers(1, timeout=self.timeout)
        except (OSError, TimeoutError) as error:
            raise ClusterError(
                f"the Dask scheduler at {address} has no worker (waited {self.timeout:g} s); "
                f"start one on each machine with 'dask worker {address}'") from error
        answers = self.client.run(worker_identity, on_error="return")
        missing = [worker for worker, answer in answers.items() if isinstance(answer, Exception)]
        if missing:
            raise ClusterError(
                f"nntui cannot be imported on the Dask worker{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} ({_first_line(answers[missing[0]])}); run 'pip install "
                f"nntui' there, in the environment 'dask worker' runs in")
        self.workers = len(answers)
        self.address = f"the Dask cluster at {address} ({self.workers} worker" \
                       f"{'s' if self.workers != 1 else ''})"

    def close(self) -> None:
        """Disconnect; shut the local cluster (and its worker processes) down."""
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        with _quiet_logs():
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close(timeout=5)
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close(timeout=10)

    # --- running ---------------------------------------------------------------------------

    def execute(self, sweep: Sweep) -> None:
        from distributed import Event, Queue

        if self.client is None:
            self.start(len(sweep.runs))
        client = self.client
        token = uuid.uuid4().hex[:12]
        queue = Queue(f"nntui-sweep-{token}", client=client)
        # One stop event per run: set for all of them by a stop, for one run given up.
        self._stops = {result.run.index: Event(f"nntui-sweep-stop-{token}-{result.run.index}",
                                               client=client) for result in sweep.results}
        futures: dict[int, Any] = {}
        for result in sweep.results:
            task = {"index": result.run.index, "config": result.config.to_dict(),
                    "data_dir": sweep.data_dir, "queue": queue.name,
                    "stop": self._stops[result.run.index].name}
            futures[result.run.index] = client.submit(
                train_on_worker, task, key=f"nntui-{sweep.name}-{token}-{result.run.index}",
                pure=False)
        stopping_since: float | None = None
        trouble: dict[str, tuple[float, str]] = {}  # what is wrong with the cluster, since when
        looked = time.monotonic()
        try:
            while any(not result.final for result in sweep.results):
                if sweep.control.stop_requested and stopping_since is None:
                    stopping_since = time.monotonic()
                    for result in sweep.results:  # never start the others
                        if result.state == "queued":
                            futures[result.run.index].cancel()
                            sweep._not_run(result)
                    for result in sweep.results:
                        self._stop(result.run.index)
                done = [index for index, future in futures.items()
                        if future.done() and not sweep.results[index].final]
                try:
                    messages = _drain(queue, 0.0 if done else 0.2)
                    trouble.pop("scheduler", None)
                except Exception as error:  # the scheduler is gone or does not answer
                    messages = []
                    trouble.setdefault("scheduler", (time.monotonic(), _first_line(error)))
                    time.sleep(0.5)
                for message in messages:
                    self._handle(sweep, message, futures)
                for index in done:
                    self._settle(sweep, index, futures[index])
                if time.monotonic() - looked >= LOOK_EVERY:
                    looked = time.monotonic()
                    self._look_at_workers(client, trouble)
                lost = self._lost(client, trouble)
                if lost is not None:
                    self._fail_unfinished(sweep, futures, lost)
                if stopping_since is not None and \
                        time.monotonic() - stopping_since > self.stop_grace:
                    sweep.abandon(f"stopped: its worker did not answer within "
                                  f"{self.stop_grace:g} s")
        finally:
            # However the loop ends (a second Ctrl+C included), no run goes on by itself.
            with contextlib.suppress(Exception), _quiet_logs():
                client.cancel(list(futures.values()))
            for index in list(self._stops):  # each run its worker has not seen end
                attempt = sweep._attempts.get(index)
                if attempt is None or not attempt.ended or attempt.token in ("result", "error",
                                                                             "lost"):
                    self._stop(index)
            self._stops.clear()

    def _look_at_workers(self, client: Any, trouble: dict[str, tuple[float, str]]) -> None:
        try:
            alive = bool(client.nthreads())
        except Exception as error:
            trouble.setdefault("scheduler", (time.monotonic(), _first_line(error)))
            return
        if alive:
            trouble.pop("workers", None)
        else:
            trouble.setdefault("workers", (time.monotonic(), ""))

    def _lost(self, client: Any, trouble: dict[str, tuple[float, str]]) -> str | None:
        """Why the unfinished runs cannot go on, once a trouble has lasted ``lost_grace``."""
        address = self.scheduler or getattr(getattr(self.cluster, "scheduler", None),
                                            "address", "?")
        now = time.monotonic()
        if "scheduler" in trouble and now - trouble["scheduler"][0] > self.lost_grace:
            return (f"the Dask scheduler at {address} did not answer for {self.lost_grace:g} s "
                    f"({trouble['scheduler'][1]})")
        if "workers" in trouble and now - trouble["workers"][0] > self.lost_grace:
            return (f"no Dask worker was left on the cluster for {self.lost_grace:g} s; start "
                    f"one with 'dask worker {address}'")
        return None

    def _fail_unfinished(self, sweep: Sweep, futures: dict[int, Any], message: str) -> None:
        for result in sweep.results:
            if result.final:
                continue
            index = result.run.index
            self._give_up(index, futures[index])
            attempt = sweep._attempts.get(index)
            if attempt is None or attempt.ended:
                attempt = sweep._start_attempt(index, "lost")
            attempt.end_here(RunStatus.FAILED, message)
            sweep._ended(result)

    def _stop(self, index: int) -> None:
        """Tell run ``index``, wherever it trains, to stop after its mini-batch."""
        event = self._stops.pop(index, None)
        if event is not None:
            with contextlib.suppress(Exception), _quiet_logs():
                event.set()

    def _give_up(self, index: int, future: Any) -> None:
        """A run that is final here: its task, if it still trains somewhere, stops."""
        with contextlib.suppress(Exception), _quiet_logs():
            future.cancel()
        self._stop(index)

    def _handle(self, sweep: Sweep, message: dict, futures: dict[int, Any]) -> None:
        index, token, kind = message["index"], message["attempt"], message["kind"]
        result = sweep.results[index]
        if result.final:
            if kind == "started":  # re-run after its end was recorded: nobody wants it
                self._give_up(index, futures[index])
            return
        attempt = sweep._attempts.get(index)
        if attempt is None or attempt.token != token:
            if attempt is not None and not attempt.ended:
                # A new start while the last one never ended: its worker died.
                if result.attempts > RETRIES:
                    self._give_up(index, futures[index])
                    attempt.end_here(RunStatus.FAILED, _died_twice(result.attempts))
                    sweep._ended(result)
                    return
                words = (f"its worker {result.worker or '?'} died during epoch "
                         f"{result.epoch or 1}; the run was started again on "
                         f"{message.get('worker', '?')}")
                attempt.end_here(RunStatus.INTERRUPTED, words)
                sweep.warn(f"{result.label}: {words}")
            attempt = sweep._start_attempt(index, token)
        result.worker = message.get("worker", result.worker)
        event = _event(message, result.config)
        if event is None:
            return
        try:
            attempt.notify(event)
        except Exception as error:  # an observer failed: as in Run, the run fails, not the sweep
            detail = _first_line(error)
            if attempt.ended:
                sweep.warn(f"{result.label}: {detail}")
            else:
                self._give_up(index, futures[index])
                with contextlib.suppress(Exception):
                    attempt.end_here(RunStatus.FAILED,
                                     f"training failed: {type(error).__name__}: {detail}")
        if result.final:
            sweep._ended(result)

    def _settle(self, sweep: Sweep, index: int, future: Any) -> None:
        """A task that is done although its run has not been heard to end."""
        result = sweep.results[index]
        if result.final:  # its end arrived with the messages drained just before
            return
        attempt = sweep._attempts.get(index)
        if future.status == "finished":
            data = future.result()
            ended = _ended_from(data) if isinstance(data, dict) else None
            if attempt is None:
                attempt = sweep._start_attempt(index, "result")
            if ended is not None:
                attempt.on_run_end(ended)
            else:
                attempt.end_here(RunStatus.FAILED, "its worker returned no outcome")
        elif future.status == "cancelled":
            if result.state == "queued" or attempt is None:
                sweep._not_run(result)
                return
            attempt.end_here(RunStatus.STOPPED if sweep.control.stop_requested
                             else RunStatus.FAILED, "cancelled on the Dask cluster")
        else:
            error = future.exception()
            if type(error).__name__ == "KilledWorker":  # its workers died before it started
                message = _died_twice(getattr(error, "allowed_failures", RETRIES) + 1)
            else:
                message = f"failed on its Dask worker: {_first_line(error)}"
            if attempt is None:
                attempt = sweep._start_attempt(index, "error")
            attempt.end_here(RunStatus.FAILED, message)
        sweep._ended(result)


def _died_twice(deaths: int) -> str:
    return (f"the Dask worker running it died {deaths} times (a run is retried once); look at "
            f"the workers' logs, or give it fewer or smaller layers if they run out of memory")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


@contextlib.contextmanager
def _quiet_logs():
    """Dask's loggers kept quiet while a cluster shuts down (its workers' goodbyes are noise)."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _drain(queue: Any, wait: float) -> list[dict]:
    """What is in the queue: waits up to ``wait`` seconds for the first message."""
    messages = []
    if wait > 0:
        try:
            messages.append(queue.get(timeout=wait))
        except TimeoutError:
            return []
    messages.extend(queue.get(batch=True))
    return messages


def _event(message: dict, config: Config) -> Any:
    """The lifecycle event a worker's message stands for."""
    kind = message["kind"]
    if kind == "started":
        return RunStarted(config=config, description=message["description"],
                          sizes=list(message["sizes"]), n_train=message["n_train"],
                          held_out=message["held_out"], batches=message["batches"], network=None)
    if kind == "progress":
        return BatchProgress(**message["progress"])
    if kind == "epoch":
        report = dict(message["report"])
        report["learning_speed"] = tuple(report["learning_speed"])
        report["notes"] = tuple(report["notes"])
        return EpochReport(**report)
    if kind == "ended":
        return _ended_from(message["ended"])
    return None


def _ended_to(ended: RunEnded) -> dict:
    data = {f.name: getattr(ended, f.name) for f in dataclasses.fields(RunEnded)}
    data["network"] = None
    data["status"] = str(ended.status)
    return data


def _ended_from(data: dict) -> RunEnded:
    stopped_at = data.get("stopped_at")
    return RunEnded(**{**data, "network": None, "status": RunStatus(data["status"]),
                       "stopped_at": tuple(stopped_at) if stopped_at is not None else None})


# --- on the worker -------------------------------------------------------------------------------

def worker_identity() -> str:
    """Run on each worker before a sweep: importing it proves nntui is installed there."""
    from nntui import __version__

    return __version__


def dask_setup(worker: Any) -> None:
    """Preloaded into each worker of the local cluster: ignore Ctrl+C (the client stops the
    runs) and pin BLAS to one thread (one run per core)."""
    from threadpoolctl import threadpool_limits

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(limits=1)


PROGRESS_EVERY = 1.0  # seconds between progress messages of a run
STOP_CHECK_EVERY = 0.5  # seconds between looks at the sweep's stop event


def train_on_worker(task: dict) -> dict:
    """A Dask task: train one run of a sweep through :class:`~nntui.runner.lifecycle.Run` on this
    worker (which loads the data itself), streaming what happens to the sweep's queue; returns
    how it ended (without the network)."""
    from distributed import Event, Queue, get_worker
    from threadpoolctl import threadpool_limits

    queue, stop = Queue(task["queue"]), Event(task["stop"])
    header = {"index": task["index"], "attempt": uuid.uuid4().hex,
              "worker": get_worker().address}
    control = Control()
    clock = {"stop": 0.0, "progress": 0.0}

    def check_stop() -> None:
        now = time.monotonic()
        if now - clock["stop"] >= STOP_CHECK_EVERY:
            clock["stop"] = now
            if stop.is_set():
                control.stop()

    def send(kind: str, **data: Any) -> None:
        queue.put({**header, "kind": kind, **data})

    class Streamer(RunObserver):
        """What happens to the run, to the sweep's queue (progress at most once a second); the
        sweep's stop is looked at between events."""

        def on_run_start(self, started: RunStarted) -> None:
            send("started", description=started.description, sizes=list(started.sizes),
                 n_train=started.n_train, held_out=started.held_out, batches=started.batches,
                 pid=os.getpid())
            check_stop()

        def on_epoch(self, report: EpochReport) -> None:
            send("epoch", report=dataclasses.asdict(report))
            check_stop()

        def on_progress(self, progress: BatchProgress) -> None:
            now = time.monotonic()
            if now - clock["progress"] >= PROGRESS_EVERY:
                clock["progress"] = now
                send("progress", progress=dataclasses.asdict(progress))
            check_stop()

        def on_run_end(self, ended: RunEnded) -> None:
            send("ended", ended=_ended_to(ended))

    config = config_from_dict(task["config"])
    check_stop()
    with threadpool_limits(limits=1):
        ended = Run(config, observers=[Streamer()], control=control,
                    data_dir=task["data_dir"], progress_interval=0.25).execute()
    return _ended_to(ended)
